import { chmod, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parse } from 'yaml';
import { FluxbenchError } from '../util/exit-codes.ts';
import type { StartedCluster } from './types.ts';

export interface K3sClusterOptions {
  name: string;
  runDir: string;
  image?: string;
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

/** Writes a kubeconfig readable by its owner only (it carries client keys). */
export async function writeKubeconfigFile(path: string, text: string): Promise<void> {
  await writeFile(path, text, { mode: 0o600 });
  // writeFile's mode applies only to new files.
  await chmod(path, 0o600);
}

function isMissingRuntime(err: unknown): boolean {
  return err instanceof Error && /container runtime/i.test(err.message);
}

/** k3s in one container through testcontainers: a real single-node Kubernetes on which Flux runs as pods. */
export async function startK3sCluster(options: K3sClusterOptions): Promise<StartedCluster> {
  const image = options.image ?? defaultK3sImage;
  // Loaded only when asked for: testcontainers is a dev dependency and heavy to import.
  let K3sContainer: typeof import('@testcontainers/k3s').K3sContainer;
  try {
    ({ K3sContainer } = await import('@testcontainers/k3s'));
  } catch (err) {
    throw new FluxbenchError(`the k3s provider needs the npm package @testcontainers/k3s (${(err as Error).message}); run npm install`);
  }
  await mkdir(options.runDir, { recursive: true });
  let container: Awaited<ReturnType<InstanceType<typeof K3sContainer>['start']>>;
  try {
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
      stop,
    };
  } catch (err) {
    await stop();
    throw err;
  }
}
