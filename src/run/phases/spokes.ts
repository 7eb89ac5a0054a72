import { startSpokes, type StartedFleet } from '../../fleet/index.ts';
import { splitControlPlaneSettings } from '../../providers/index.ts';
import { formatDuration } from '../../util/units.ts';
import { spokeNames } from '../../workload/index.ts';
import type { RunContext } from '../context.ts';

/**
 * The spokes of a fleet scenario: `fleet.spokes` local clusters started beside the hub with the
 * hub's control-plane settings (API Priority and Fairness as in production unless the scenario
 * turns it off), registered for teardown and for the reaper, then the existing clusters of
 * `fleet.contexts` (nothing started; their cleanup is the apply phase's). Undefined without a fleet.
 */
export async function spokesPhase(ctx: RunContext): Promise<StartedFleet | undefined> {
  const fleetOptions = ctx.scenario.fleet;
  if (!fleetOptions) return undefined;
  const started = Date.now();
  const { controlPlane } = splitControlPlaneSettings(ctx.scenario.provider);
  const fleet = await startSpokes({
    toolchain: ctx.toolchain,
    runId: ctx.runId,
    runDir: ctx.runDir,
    names: spokeNames(fleetOptions.spokes),
    ...(fleetOptions.contexts ? { contexts: fleetOptions.contexts } : {}),
    registry: ctx.registry,
    controlPlane,
    log: ctx.log,
    signal: ctx.interrupted,
  });
  ctx.teardown.defer('spokes', () => fleet.stop());
  ctx.log(`${fleet.spokes.length} spoke cluster(s) ready in ${formatDuration(Date.now() - started)}: ${fleet.spokes.map((s) => `${s.name} ${s.apiServerUrl}`).join(', ')}`);
  return fleet;
}
