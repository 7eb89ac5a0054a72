import type { StartedCluster } from '../cluster/index.ts';
import { defaultFluxControllers, type StartedFlux } from '../flux/index.ts';
import { providerDefinition } from './registry.ts';
import type { ProviderStartOptions } from './types.ts';

/** A cluster with Flux on it, as `fluxbench up`, the benchmarks and the e2e tests use it. */
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
  /** Stops Flux, then the cluster; safe to call twice. */
  stop(): Promise<void>;
}

export type EnvironmentOptions = Omit<ProviderStartOptions, 'settings' | 'controllers'> &
  Partial<Pick<ProviderStartOptions, 'settings' | 'controllers'>> & {
    /** Default local. */
    provider?: string;
  };

/**
 * A cluster and Flux from one provider in one call (the run itself goes phase by phase). Starts
 * the provider's cluster and controllers, each registered with `options.registry` as it starts;
 * if Flux fails to start, the cluster is stopped before the error is rethrown. Writes nothing
 * to the sample stream but what the controllers' supervisors write.
 */
export async function startEnvironment(options: EnvironmentOptions): Promise<Environment> {
  const provider = providerDefinition(options.provider ?? 'local');
  const full: ProviderStartOptions = { ...options, settings: options.settings ?? {}, controllers: options.controllers ?? defaultFluxControllers };
  const started = Date.now();
  const cluster = await provider.provision(full);
  const clusterReadyMs = Date.now() - started;
  const { flux, gitBaseUrl } = await provider.startFlux(cluster, full).catch(async (err: unknown) => {
    await cluster.stop();
    throw err;
  });
  let stopped = false;
  return {
    cluster,
    flux,
    ...(gitBaseUrl ? { gitBaseUrl } : {}),
    timings: { clusterReadyMs, fluxReadyMs: Date.now() - started },
    async stop() {
      if (stopped) return;
      stopped = true;
      await flux.stop();
      await cluster.stop();
    },
  };
}
