import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { execa } from 'execa';
import { parse } from 'yaml';
import { FluxbenchError, UsageError } from '../../util/exit-codes.ts';
import { startTcpRelay, type StartedTcpRelay } from '../../util/tcp-relay.ts';
import type { StartedCluster } from '../../cluster/types.ts';

export interface KindCreateInput {
  name: string;
  configPath: string;
  kubeconfigPath: string;
  /** Node image, e.g. kindest/node:v1.34.0; kind's default when omitted. */
  image?: string;
  waitSeconds?: number;
}

export interface KindClusterOptions {
  name: string;
  runDir: string;
  /** Default: ./kind-config.yaml (the repository's). */
  kindConfigPath?: string;
  kindBinary?: string;
  dockerBinary?: string;
  image?: string;
}

const clusterNamePattern = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
/** The etcd metrics port kind-config.yaml opens inside the control-plane node. */
export const kindEtcdMetricsPort = 2381;

export function kindCreateArgs(input: KindCreateInput): string[] {
  if (!clusterNamePattern.test(input.name) || input.name.length > 50) {
    throw new UsageError(`kind cluster name "${input.name}": lowercase letters, digits and '-', at most 50 characters`);
  }
  return [
    'create',
    'cluster',
    '--name',
    input.name,
    '--config',
    input.configPath,
    '--kubeconfig',
    input.kubeconfigPath,
    ...(input.image ? ['--image', input.image] : []),
    '--wait',
    `${input.waitSeconds ?? 120}s`,
  ];
}

export function kindDeleteArgs(name: string, kubeconfigPath: string): string[] {
  return ['delete', 'cluster', '--name', name, '--kubeconfig', kubeconfigPath];
}

/** Fails with what to install when the kind binary is missing. */
export async function checkKind(kindBinary: string): Promise<string> {
  const result = await execa(kindBinary, ['version'], { reject: false, all: true, timeout: 15_000 });
  if (result.failed || result.exitCode !== 0) {
    const cause = (result as { code?: string }).code === 'ENOENT' ? 'not found' : (result.all ?? result.message).trim();
    throw new FluxbenchError(
      `the kind provider needs the \`kind\` binary (${kindBinary}: ${cause}); install kind (https://kind.sigs.k8s.io/docs/user/quick-start/#installation) and a running Docker engine, or use --provider local`,
    );
  }
  return result.stdout.trim();
}

/** Fails with what to start when no Docker engine answers (kind and k3s both run their nodes as containers). */
export async function checkDockerEngine(dockerBinary = 'docker'): Promise<void> {
  const result = await execa(dockerBinary, ['info', '--format', '{{.ServerVersion}}'], { reject: false, all: true, timeout: 20_000 });
  if (result.failed || result.exitCode !== 0 || result.stdout.trim() === '') {
    const cause = (result as { code?: string }).code === 'ENOENT' ? 'the docker CLI is not installed' : (result.all ?? result.message).trim().split('\n').slice(-3).join(' ');
    throw new FluxbenchError(
      `the kind provider needs a running Docker engine, and none answers (${cause}); start Docker (or install Docker Engine / Docker Desktop), or use --provider local`,
    );
  }
}

/** `host:port` from `docker port <container> <port>/tcp` output; the IPv4 loopback mapping when there are several. */
export function parseDockerPort(output: string): { host: string; port: number } | undefined {
  const mappings = output
    .split('\n')
    .map((l) => /^(.*):(\d+)$/.exec(l.trim()))
    .filter((m): m is RegExpExecArray => m !== null)
    .map((m) => ({ host: m[1]!.replace(/^\[|\]$/g, ''), port: Number.parseInt(m[2]!, 10) }));
  return mappings.find((m) => m.host === '127.0.0.1') ?? mappings.find((m) => !m.host.includes(':')) ?? mappings[0];
}

/** The IPv4 gateway of a network from `docker network inspect <net>` JSON output. */
export function gatewayFromNetworkInspect(json: string): string | undefined {
  const networks = JSON.parse(json) as Array<{ IPAM?: { Config?: Array<{ Gateway?: string }> } }>;
  for (const net of networks) {
    for (const config of net.IPAM?.Config ?? []) {
      if (config.Gateway && /^\d+\.\d+\.\d+\.\d+$/.test(config.Gateway)) return config.Gateway;
    }
  }
  return undefined;
}

/**
 * The address at which pods in a kind cluster reach a server on the host: the gateway of
 * Docker's `kind` bridge network. The host server must listen there (or on 0.0.0.0) for this to work.
 */
export async function hostAddressForKind(dockerBinary = 'docker'): Promise<string> {
  const result = await execa(dockerBinary, ['network', 'inspect', 'kind'], { reject: false, all: true, timeout: 20_000 });
  if (result.failed || result.exitCode !== 0) {
    throw new FluxbenchError(`cannot read Docker's kind network (docker network inspect kind): ${(result.all ?? result.message).trim()}`);
  }
  const gateway = gatewayFromNetworkInspect(result.stdout);
  if (!gateway) throw new FluxbenchError('Docker network "kind" has no IPv4 gateway');
  return gateway;
}

/**
 * A git URL of the fake GitHub as pods see it: the loopback host (and, when given, its port)
 * replaced by where this machine is reached from the pod network (`exposeToPods`).
 */
export function rewriteGitBaseUrl(url: string, hostAddress: string, port?: number): string {
  const parsed = new URL(url);
  if (!['127.0.0.1', 'localhost', '[::1]'].includes(parsed.hostname)) return url;
  parsed.hostname = hostAddress;
  if (port !== undefined) parsed.port = String(port);
  return parsed.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
}

/** The API server URL of a kubeconfig's current context (or first cluster). */
export function apiServerFromKubeconfig(text: string): string {
  const config = parse(text) as {
    'current-context'?: string;
    contexts?: Array<{ name: string; context?: { cluster?: string } }>;
    clusters?: Array<{ name: string; cluster?: { server?: string } }>;
  } | null;
  const contextCluster = config?.contexts?.find((c) => c.name === config['current-context'])?.context?.cluster;
  const cluster = config?.clusters?.find((c) => c.name === contextCluster) ?? config?.clusters?.[0];
  const server = cluster?.cluster?.server;
  if (!server) throw new FluxbenchError('the kubeconfig names no API server');
  return server;
}

/** A kind cluster (control-plane as a Docker container) for running Flux as real pods. */
export async function startKindCluster(options: KindClusterOptions): Promise<StartedCluster> {
  const kind = options.kindBinary ?? 'kind';
  const docker = options.dockerBinary ?? 'docker';
  await checkKind(kind);
  await checkDockerEngine(docker);
  await mkdir(options.runDir, { recursive: true });
  const configPath = resolve(options.kindConfigPath ?? 'kind-config.yaml');
  const kubeconfigPath = join(options.runDir, 'kubeconfig');
  let stopped = false;
  const relays: StartedTcpRelay[] = [];
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await Promise.all(relays.map((r) => r.stop()));
    await execa(kind, kindDeleteArgs(options.name, kubeconfigPath), { reject: false, timeout: 120_000 });
  };
  const created = await execa(
    kind,
    kindCreateArgs({ name: options.name, configPath, kubeconfigPath, ...(options.image ? { image: options.image } : {}) }),
    { reject: false, all: true, timeout: 600_000 },
  );
  await writeFile(join(options.runDir, 'kind-create.log'), created.all ?? '');
  if (created.exitCode !== 0) {
    await stop();
    throw new FluxbenchError(`kind create cluster ${options.name} failed (exit ${created.exitCode}):\n${(created.all ?? '').split('\n').slice(-20).join('\n')}`);
  }
  await chmod(kubeconfigPath, 0o600);
  const apiServerUrl = apiServerFromKubeconfig(await readFile(kubeconfigPath, 'utf8'));
  const etcdPort = await execa(docker, ['port', `${options.name}-control-plane`, `${kindEtcdMetricsPort}/tcp`], { reject: false });
  const etcd = etcdPort.exitCode === 0 ? parseDockerPort(etcdPort.stdout) : undefined;
  return {
    provider: 'kind',
    name: options.name,
    kubeconfigPath,
    apiServerUrl,
    ...(etcd ? { etcdMetricsUrl: `http://${etcd.host === '0.0.0.0' ? '127.0.0.1' : etcd.host}:${etcd.port}/metrics` } : {}),
    // The control plane runs inside a container: no host pids to pause.
    componentPids: async () => ({}),
    // Pods reach this machine at the gateway of the kind network; a relay there (and only
    // there) forwards to the loopback server, on the same port so URLs change only their host.
    exposeToPods: async (port) => {
      const gateway = await hostAddressForKind(docker);
      const relay = await startTcpRelay({ listenHost: gateway, listenPort: port, targetHost: '127.0.0.1', targetPort: port });
      relays.push(relay);
      return { host: gateway, port: relay.port, stop: relay.stop };
    },
    stop,
  };
}
