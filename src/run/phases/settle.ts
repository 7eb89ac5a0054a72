import type { MeasurementsHandle } from '../../metrics/index.ts';
import { expectedOutcome, type GeneratedWorkload } from '../../workload/index.ts';
import type { RunContext } from '../context.ts';
import { settledCount } from '../settle.ts';

const appliedKinds = ['Kustomization', 'HelmRelease'];

/**
 * Waits until every object that can become Ready has settled. Injected cycles and broken roots
 * never get there, so the generator's ground truth says how many to wait for; the scenario's
 * settle timeout only bounds the wait (it is not an error to reach it).
 */
export async function settlePhase(ctx: RunContext, measurements: MeasurementsHandle, workload: GeneratedWorkload): Promise<void> {
  const deadline = Date.now() + ctx.timings.settleTimeoutMs;
  const expectedReady = expectedOutcome(workload.graph).ready.length;
  const lag = measurements.lag;
  while (Date.now() < deadline) {
    const settled = lag ? settledCount(lag.snapshots().values(), appliedKinds) : ctx.live.readyOf(appliedKinds);
    if (settled >= expectedReady) break;
    await ctx.wait(1_000);
  }
  ctx.log(`settled: ${ctx.live.ready ?? 0}/${ctx.live.total ?? workload.fluxObjects.length} Ready (${expectedReady} can be)`);
}
