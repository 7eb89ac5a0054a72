import { join } from 'node:path';
import { kwokWorkdir, startLocalCluster, type StartedCluster } from '../cluster/index.ts';
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
