import { join } from 'node:path';
import { resolve } from 'node:path';
import { kwokWorkdir, rewriteGitBaseUrl, startK3sCluster, startKindCluster, startLocalCluster, useExistingCluster, type ExistingCluster, type StartedCluster } from '../cluster/index.ts';
import { startFlux, startPodFlux, type FluxControllersConfig, type StartedFlux } from '../flux/index.ts';
import type { RunRegistry } from '../lifecycle/index.ts';
import type { SampleSink } from '../metrics/sample.ts';
import type { Toolchain } from '../toolchain/index.ts';

export interface Environment {
  cluster: StartedCluster;
  flux: StartedFlux;
  /**
   * The fake GitHub's base URL as Flux sees it, where that differs from its loopback URL (Flux
   * as pods reaches it at an address of this machine on the container network).
   */
  gitBaseUrl?: string;
  /** Milliseconds from start to the cluster answering, and to every controller ready. */
  timings: { clusterReadyMs: number; fluxReadyMs: number };
  stop(): Promise<void>;
}

export interface EnvironmentOptions {
  toolchain: Toolchain;
  runId: string;
  runDir: string;
  nodes: number;
  controllers?: FluxControllersConfig;
  sink: SampleSink;
  registry: RunRegistry;
}

/**
 * A real cluster with the real Flux controllers on it, every piece registered with the run's
 * registry as soon as it exists, so nothing outlives the run however it ends.
 */
export async function startEnvironment(options: EnvironmentOptions): Promise<Environment> {
  const started = Date.now();
  const clusterName = options.runId;
  options.registry.addKwokCluster({
    name: clusterName,
    kwokctl: options.toolchain.binaries.kwokctl ?? 'kwokctl',
    workdir: kwokWorkdir(options.toolchain),
  });
  options.sink.write({ ts: Date.now(), kind: 'phase', name: 'provision' });
  const cluster = await startLocalCluster(options.toolchain, { name: clusterName, runDir: join(options.runDir, 'cluster'), nodes: options.nodes });
  const clusterReadyMs = Date.now() - started;
  options.sink.write({ ts: Date.now(), kind: 'phase', name: 'flux' });
  const flux = await orStopCluster(cluster, () =>
    startFlux({
      toolchain: options.toolchain,
      cluster,
      runDir: options.runDir,
      runId: options.runId,
      sink: options.sink,
      ...(options.controllers ? { controllers: options.controllers } : {}),
      onPid: (pid, id) => options.registry.addProcessGroup(pid, id),
    }),
  );
  for (const c of flux.controllers) if (c.process.cgroupPath) options.registry.addCgroup(c.process.cgroupPath);
  return environment({ cluster, flux, timings: { clusterReadyMs, fluxReadyMs: Date.now() - started } }, () =>
    options.sink.write({ ts: Date.now(), kind: 'phase', name: 'teardown' }),
  );
}

/** Runs what must follow the cluster's start; if it fails, the cluster is stopped before the error goes on. */
async function orStopCluster<T>(cluster: StartedCluster, next: () => Promise<T>): Promise<T> {
  try {
    return await next();
  } catch (err) {
    await cluster.stop();
    throw err;
  }
}

/** The environment handle: stop() stops Flux, then the cluster, once. */
function environment(parts: Omit<Environment, 'stop'>, beforeStop?: () => void): Environment {
  let stopped = false;
  return {
    ...parts,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      beforeStop?.();
      await parts.flux.stop();
      await parts.cluster.stop();
    },
  };
}

/**
 * An existing cluster with Flux already installed (provider `existing`): nothing is started;
 * the run only adds its workload (in namespaces it tracks) and removes it again. Its Flux must
 * reach the fake GitHub on 127.0.0.1, i.e. run on this machine (a cluster from `fluxbench up`,
 * or Flux as host processes); controller metrics and host-process faults are not available.
 */
export async function startExistingEnvironment(options: {
  toolchain: Toolchain;
  runDir: string;
  kubeconfig?: string;
  context?: string;
  sink: SampleSink;
}): Promise<Environment & { cluster: ExistingCluster }> {
  const started = Date.now();
  options.sink.write({ ts: Date.now(), kind: 'phase', name: 'provision' });
  const cluster = await useExistingCluster({
    runDir: join(options.runDir, 'cluster'),
    ...(options.kubeconfig ? { kubeconfig: options.kubeconfig } : {}),
    ...(options.context ? { context: options.context } : {}),
    ...(options.toolchain.binaries.kubectl ? { kubectl: options.toolchain.binaries.kubectl } : {}),
  });
  const readyMs = Date.now() - started;
  const flux: StartedFlux = { namespace: 'flux-system', storageUrl: '', controllers: [], find: () => [], stop: async () => {} };
  return { cluster, flux, timings: { clusterReadyMs: readyMs, fluxReadyMs: readyMs }, stop: () => cluster.stop() };
}

export interface PodEnvironmentOptions extends EnvironmentOptions {
  provider: { type: 'kind' | 'k3s'; kindConfig?: string; kindImage?: string; k3sImage?: string; fluxImageRepository?: string };
  controllers: FluxControllersConfig;
  /** The fake GitHub's loopback base URL: the pods must reach its port. */
  githubUrl: string;
  /** Per-binary overrides, for kind and docker. */
  binaries?: { kind?: string; docker?: string };
}

/**
 * kind or k3s with the real Flux controllers as pods (the published images): the cluster is
 * registered for cleanup as soon as it is asked for, Flux is installed from the rendered
 * manifests, and the fake GitHub is made reachable from the pods.
 */
export async function startPodEnvironment(options: PodEnvironmentOptions): Promise<Environment> {
  const started = Date.now();
  const clusterDir = join(options.runDir, 'cluster');
  const githubPort = Number(new URL(options.githubUrl).port);
  options.sink.write({ ts: Date.now(), kind: 'phase', name: 'provision' });
  let cluster: StartedCluster;
  if (options.provider.type === 'kind') {
    const kind = options.binaries?.kind ?? 'kind';
    // Registered before creation: a runner killed mid-create still has its cluster deleted.
    options.registry.addKindCluster({ name: options.runId, kind, kubeconfig: join(clusterDir, 'kubeconfig') });
    cluster = await startKindCluster({
      name: options.runId,
      runDir: clusterDir,
      kindBinary: kind,
      ...(options.binaries?.docker ? { dockerBinary: options.binaries.docker } : {}),
      ...(options.provider.kindConfig ? { kindConfigPath: resolve(options.provider.kindConfig) } : {}),
      ...(options.provider.kindImage ? { image: options.provider.kindImage } : {}),
    });
  } else {
    // testcontainers' own reaper removes the container if this process dies.
    cluster = await startK3sCluster({ name: options.runId, runDir: clusterDir, hostPorts: [githubPort], ...(options.provider.k3sImage ? { image: options.provider.k3sImage } : {}) });
  }
  const clusterReadyMs = Date.now() - started;
  const { flux, gitBaseUrl } = await orStopCluster(cluster, async () => {
    const address = await cluster.exposeToPods!(githubPort);
    options.sink.write({ ts: Date.now(), kind: 'phase', name: 'flux' });
    const podFlux = await startPodFlux({
      toolchain: options.toolchain,
      cluster,
      controllers: options.controllers,
      runDir: options.runDir,
      sink: options.sink,
      ...(options.provider.fluxImageRepository ? { imageRepository: options.provider.fluxImageRepository } : {}),
    });
    return { flux: podFlux, gitBaseUrl: rewriteGitBaseUrl(options.githubUrl, address.host, address.port) };
  });
  return environment({ cluster, flux, gitBaseUrl, timings: { clusterReadyMs, fluxReadyMs: Date.now() - started } });
}
