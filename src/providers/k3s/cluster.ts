import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FluxbenchError } from '../../util/exit-codes.ts';
import { writeKubeconfigFile } from '../../cluster/kubeconfig.ts';
import type { StartedCluster } from '../../cluster/types.ts';

export interface K3sClusterOptions {
  name: string;
  runDir: string;
  image?: string;
  /**
   * Ports of servers on this machine's 127.0.0.1 that pods must reach (the fake GitHub).
   * testcontainers can only wire them into containers started after they are exposed.
   */
  hostPorts?: number[];
  /** The testcontainers modules; tests pass their own to check the order of calls. */
  modules?: () => Promise<K3sModules>;
}

/** What the k3s provider uses of testcontainers. */
export interface K3sModules {
  K3sContainer: new (image: string) => {
    withLabels(labels: Record<string, string>): { start(): Promise<StartedK3s> };
  };
  TestContainers: { exposeHostPorts(...ports: number[]): Promise<void> };
}

interface StartedK3s {
  getKubeConfig(): string;
  getId(): string;
  exec(command: string[]): Promise<{ output: string; exitCode: number }>;
  stop(): Promise<unknown>;
}

/** The name testcontainers gives this machine inside containers started after exposeHostPorts. */
export const testcontainersHostAlias = 'host.testcontainers.internal';

/**
 * The address of a host name in an /etc/hosts file. Pods resolve names through the cluster's
 * DNS, which does not read the node container's /etc/hosts, so they need the address itself.
 */
export function addressFromHostsFile(text: string, hostName: string): string | undefined {
  for (const line of text.split('\n')) {
    const fields = line.replace(/#.*/, '').trim().split(/\s+/);
    if (fields.length >= 2 && fields.slice(1).includes(hostName)) return fields[0];
  }
  return undefined;
}

async function loadTestcontainers(): Promise<K3sModules> {
  try {
    const [{ K3sContainer }, { TestContainers }] = await Promise.all([import('@testcontainers/k3s'), import('testcontainers')]);
    return { K3sContainer, TestContainers } as unknown as K3sModules;
  } catch (err) {
    throw new FluxbenchError(`the k3s provider needs the npm packages testcontainers and @testcontainers/k3s (${(err as Error).message}); run npm install`);
  }
}

export const defaultK3sImage = 'rancher/k3s:v1.34.4-k3s1';

/**
 * Checks a kubeconfig's text (it must name an API server and a current context), and rewrites
 * `localhost` to 127.0.0.1 so no client ever resolves it to ::1. Returns the text and the server.
 */
export function normalizeKubeconfig(text: string): { text: string; apiServerUrl: string } {
  let config: {
    'current-context'?: string;
    clusters?: Array<{ name?: string; cluster?: { server?: string } }>;
  } | null;
  try {
    config = parse(text) as typeof config;
  } catch (err) {
    throw new FluxbenchError(`the cluster's kubeconfig is not valid YAML: ${(err as Error).message}`);
  }
  const server = config?.clusters?.find((c) => c.cluster?.server)?.cluster?.server;
  if (!server) throw new FluxbenchError('the cluster\'s kubeconfig names no API server (clusters[].cluster.server)');
  if (!config?.['current-context']) throw new FluxbenchError('the cluster\'s kubeconfig has no current-context');
  const url = new URL(server);
  if (url.hostname !== 'localhost') return { text, apiServerUrl: server };
  url.hostname = '127.0.0.1';
  const rewritten = url.toString().replace(/\/$/, '');
  return { text: text.split(server).join(rewritten), apiServerUrl: rewritten };
}

function isMissingRuntime(err: unknown): boolean {
  return err instanceof Error && /container runtime/i.test(err.message);
}

/** k3s in one container through testcontainers: a real single-node Kubernetes on which Flux runs as pods. */
export async function startK3sCluster(options: K3sClusterOptions): Promise<StartedCluster> {
  const image = options.image ?? defaultK3sImage;
  // Loaded only when asked for: testcontainers is heavy to import.
  const { K3sContainer, TestContainers } = await (options.modules ?? loadTestcontainers)();
  await mkdir(options.runDir, { recursive: true });
  const hostPorts = [...new Set(options.hostPorts ?? [])];
  let container: StartedK3s;
  try {
    // Before the container starts: testcontainers adds host.testcontainers.internal (its SSH
    // port forwarder) only to containers started after the forwarder exists.
    if (hostPorts.length) await TestContainers.exposeHostPorts(...hostPorts);
    container = await new K3sContainer(image).withLabels({ 'fluxbench.cluster': options.name }).start();
  } catch (err) {
    if (isMissingRuntime(err)) {
      throw new FluxbenchError(
        `the k3s provider needs a running Docker engine (or another Docker-compatible runtime testcontainers can reach through DOCKER_HOST), and none was found: ${(err as Error).message}; start Docker, or use --provider local`,
      );
    }
    throw new FluxbenchError(`starting k3s (${image}) failed: ${(err as Error).message}`);
  }
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await container.stop();
  };
  try {
    const kubeconfigPath = join(options.runDir, 'kubeconfig');
    const { text, apiServerUrl } = normalizeKubeconfig(container.getKubeConfig());
    await writeKubeconfigFile(kubeconfigPath, text);
    return {
      provider: 'k3s',
      name: options.name,
      kubeconfigPath,
      apiServerUrl,
      // k3s embeds its datastore in the server process inside the container: no host pids, no separate etcd metrics.
      componentPids: async () => ({}),
      exposeToPods: async (port) => {
        if (!hostPorts.includes(port)) {
          throw new FluxbenchError(`port ${port} was not exposed when the k3s container started (exposed: ${hostPorts.join(', ') || 'none'}); pass it in hostPorts`);
        }
        const hosts = await container.exec(['cat', '/etc/hosts']);
        const address = hosts.exitCode === 0 ? addressFromHostsFile(hosts.output, testcontainersHostAlias) : undefined;
        if (!address) throw new FluxbenchError(`the k3s container has no ${testcontainersHostAlias} entry in /etc/hosts:\n${hosts.output.trim()}`);
        // The forwarder lives as long as the testcontainers session; nothing to withdraw per port.
        return { host: address, port, stop: async () => {} };
      },
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
