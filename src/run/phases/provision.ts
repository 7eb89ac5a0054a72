import { actionDefinition } from '../../chaos/index.ts';
import type { StartedCluster } from '../../cluster/index.ts';
import type { StartedFlux } from '../../flux/index.ts';
import { providerDefinition, splitControlPlaneSettings, type ProviderDefinition, type ProviderStartOptions } from '../../providers/index.ts';
import type { RunContext } from '../context.ts';
import { fluxControllersFromScenario } from '../controllers.ts';

/** Whether an action of the timeline needs artifacts served through the harness's proxy (artifact.slow). */
export function needsArtifactProxy(timeline: ReadonlyArray<{ action: string }>): boolean {
  return timeline.some((entry) => actionDefinition(entry.action).requires.includes('artifactProxy'));
}

/** The scenario's provider and what it is started with. */
export function providerOf(ctx: RunContext, githubUrl: string): { provider: ProviderDefinition; start: ProviderStartOptions } {
  const { controlPlane, rest } = splitControlPlaneSettings(ctx.scenario.provider);
  const { type, nodes, ...settings } = rest;
  return {
    provider: providerDefinition(type),
    start: {
      toolchain: ctx.toolchain,
      runId: ctx.runId,
      runDir: ctx.runDir,
      nodes,
      controllers: fluxControllersFromScenario(ctx.scenario.controllers),
      sink: ctx.sink,
      registry: ctx.registry,
      settings,
      controlPlane,
      githubUrl,
      artifactProxy: needsArtifactProxy(ctx.scenario.timeline),
      // The CLIs kind and the kind provider's Docker calls use, like the toolchain's FLUXBENCH_<NAME>_BINARY overrides.
      binaries: {
        ...(process.env.FLUXBENCH_KIND_BINARY ? { kind: process.env.FLUXBENCH_KIND_BINARY } : {}),
        ...(process.env.FLUXBENCH_DOCKER_BINARY ? { docker: process.env.FLUXBENCH_DOCKER_BINARY } : {}),
      },
    },
  };
}

/** The provider's cluster, registered for teardown (deleted, or given back when borrowed). */
export async function provisionPhase(ctx: RunContext, githubUrl: string): Promise<{ cluster: StartedCluster; readyMs: number }> {
  const started = Date.now();
  const { provider, start } = providerOf(ctx, githubUrl);
  const cluster = await provider.provision(start);
  ctx.teardown.defer('cluster', () => cluster.stop());
  return { cluster, readyMs: Date.now() - started };
}

/** Flux on the cluster (host processes or pods), registered for teardown. */
export async function fluxPhase(ctx: RunContext, cluster: StartedCluster, githubUrl: string): Promise<{ flux: StartedFlux; gitBaseUrl?: string; readyMs: number }> {
  const started = Date.now();
  const { provider, start } = providerOf(ctx, githubUrl);
  const { flux, gitBaseUrl } = await provider.startFlux(cluster, start);
  ctx.teardown.defer('Flux', () => flux.stop());
  return { flux, ...(gitBaseUrl ? { gitBaseUrl } : {}), readyMs: Date.now() - started };
}
