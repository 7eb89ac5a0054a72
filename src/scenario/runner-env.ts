import { join } from 'node:path';
import { kwokWorkdir, startLocalCluster, useExistingCluster, type ExistingCluster, type StartedCluster } from '../cluster/index.ts';
import { startFlux, type FluxControllersConfig, type StartedFlux } from '../flux/index.ts';
import type { RunRegistry } from '../lifecycle/index.ts';
import type { SampleSink } from '../metrics/sample.ts';
import type { Toolchain } from '../toolchain/index.ts';

export interface Environment {
  cluster: StartedCluster;
  flux: StartedFlux;
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
  let flux: StartedFlux;
  try {
    options.sink.write({ ts: Date.now(), kind: 'phase', name: 'flux' });
    flux = await startFlux({
      toolchain: options.toolchain,
      cluster,
      runDir: options.runDir,
      runId: options.runId,
      sink: options.sink,
      ...(options.controllers ? { controllers: options.controllers } : {}),
      onPid: (pid, id) => options.registry.addProcessGroup(pid, id),
    });
  } catch (err) {
    await cluster.stop();
    throw err;
  }
  for (const c of flux.controllers) if (c.process.cgroupPath) options.registry.addCgroup(c.process.cgroupPath);
  const fluxReadyMs = Date.now() - started;
  let stopped = false;
  return {
    cluster,
    flux,
    timings: { clusterReadyMs, fluxReadyMs },
    stop: async () => {
      if (stopped) return;
      stopped = true;
      options.sink.write({ ts: Date.now(), kind: 'phase', name: 'teardown' });
      await flux.stop();
      await cluster.stop();
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
