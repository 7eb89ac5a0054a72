import { actionDefinition } from '../../chaos/index.ts';
import type { StartedCluster } from '../../cluster/index.ts';
import type { StartedFlux } from '../../flux/index.ts';
import { providerDefinition, splitControlPlaneSettings, type ProviderDefinition, type ProviderStartOptions } from '../../providers/index.ts';
import { enabledControllers } from '../../scenario/index.ts';
import { compatFile, compatHint, readCompat, recordStarted } from '../../toolchain/index.ts';
import { FluxbenchError } from '../../util/exit-codes.ts';
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
  const { toolchain } = ctx;
  // What runs: the built binary's version on the host, the image's tag in pods.
  const field = provider.capabilities.hostControllers ? 'version' : 'release';
  const versions = Object.fromEntries(enabledControllers(ctx.scenario.controllers).map((c) => [c, toolchain.flux.controllers[c][field]]));
  const kubernetes = toolchain.versions.kubernetes;
  let startedFlux;
  try {
    startedFlux = await provider.startFlux(cluster, start);
  } catch (err) {
    throw withCompatHint(err, toolchain, versions, kubernetes);
  }
  const { flux, gitBaseUrl } = startedFlux;
  ctx.teardown.defer('Flux', () => flux.stop());
  // Every start that worked is a combination a later failed upgrade rehearsal can be pointed to.
  if (provider.capabilities.ownsControllers) recordStarted(compatFile(toolchain.cacheRoot), versions, kubernetes);
  return { flux, ...(gitBaseUrl ? { gitBaseUrl } : {}), readyMs: Date.now() - started };
}

/**
 * A failed start of Flux with controllers pinned away from the release: the error says which
 * pin and which Kubernetes it was, and the combinations that started on this machine before.
 */
function withCompatHint(err: unknown, toolchain: RunContext['toolchain'], versions: Record<string, string>, kubernetes: string): unknown {
  const pinned = Object.entries(toolchain.pinned);
  // Only a failed start: an interruption or the time bound keeps its own class (and exit code).
  if (pinned.length === 0 || !(err instanceof FluxbenchError)) return err;
  const record = readCompat(compatFile(toolchain.cacheRoot));
  const hints = pinned.map(([name, version]) => compatHint(record, name, version!, kubernetes)).filter((h): h is string => h !== undefined);
  const what = pinned.map(([name, version]) => `${name} ${version}`).join(', ');
  return new FluxbenchError(
    `${err.message}\n\nFlux did not start with ${what} pinned on Kubernetes ${kubernetes} (the other controllers: ${Object.entries(versions).filter(([n]) => !(n in toolchain.pinned)).map(([n, v]) => `${n} ${v}`).join(', ')}): one cause is a controller built against newer Kubernetes APIs than this API server serves. ${hints.length > 0 ? hints.join('; ') : 'No other combination of these has started on this machine yet.'} See docs/upgrades.md.`,
    err.exitCode,
  );
}
