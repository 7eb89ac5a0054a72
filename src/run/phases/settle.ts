import { expectedReadySample, type MeasurementsHandle } from '../../metrics/index.ts';
import { formatDuration } from '../../util/units.ts';
import type { GeneratedWorkload } from '../../workload/index.ts';
import type { RunContext } from '../context.ts';
import { appliedKinds, readyExpectation, settleProgress, type ReadyExpectation, type SettleProgress } from '../settle.ts';

/**
 * Waits until what can become Ready has settled, as `settle.until` says: `ready` (default) until
 * every object that can be Ready has been Ready since the apply, `applied` until the
 * Kustomizations/HelmReleases are Ready or reconciling again after an apply. Injected cycles and
 * broken roots never get there, so the generator's ground truth says which objects to wait for;
 * it is written to the sample stream (`ready`/`expected`) so time-to-Ready is computed from the
 * samples alone. The scenario's settle timeout only bounds the wait (reaching it is not an error).
 */
export async function settlePhase(ctx: RunContext, measurements: MeasurementsHandle, workload: GeneratedWorkload): Promise<void> {
  const started = Date.now();
  const deadline = started + ctx.timings.settleTimeoutMs;
  const until = ctx.scenario.settle.until;
  const lag = measurements.lag;
  const expectation = readyExpectation(workload, lag?.watchedKinds() ?? []);
  if (lag) ctx.sink.write(expectedReadySample(Date.now(), expectation.objects, expectation.neverReady));
  let progress = check(ctx, until, expectation, measurements);
  while (!progress.done && Date.now() < deadline) {
    await ctx.wait(1_000);
    progress = check(ctx, until, expectation, measurements);
  }
  ctx.log(settledLine(ctx, until, progress, expectation, Date.now() - started, workload.fluxObjects.length));
}

function check(ctx: RunContext, until: 'ready' | 'applied', expectation: ReadyExpectation, measurements: MeasurementsHandle): SettleProgress {
  const lag = measurements.lag;
  if (lag) return settleProgress(until, expectation, { snapshots: lag.snapshots().values(), firstReady: lag.firstReady() });
  // Without watches only the live Ready counts are known: Ready now, of every kind or the applied ones.
  const settled = until === 'ready' ? (ctx.live.ready ?? 0) : ctx.live.readyOf(appliedKinds);
  const needed = until === 'ready' ? expectation.objects.length : expectation.graphReady;
  return { done: settled >= needed, settled, needed, pending: [] };
}

/** The line the settle ends with (`settled: ` starts it whatever the outcome, as scripts wait for it). */
function settledLine(ctx: RunContext, until: 'ready' | 'applied', progress: SettleProgress, expectation: ReadyExpectation, elapsedMs: number, objects: number): string {
  const excluded = expectation.neverReady.length > 0 ? `; ${expectation.neverReady.length} never can (ground truth)` : '';
  if (until === 'applied') {
    return `settled: ${ctx.live.ready ?? 0}/${ctx.live.total ?? objects} Ready (${expectation.graphReady} can be; until: applied, ${formatDuration(elapsedMs)})`;
  }
  if (progress.done) return `settled: all ${progress.needed} objects that can be Ready have been Ready, ${formatDuration(elapsedMs)} into the settle${excluded}`;
  const missing = progress.needed - progress.settled;
  const names = progress.pending.length > 0 ? `: ${progress.pending.slice(0, 5).join(', ')}${missing > 5 ? ` (+${missing - 5} more)` : ''}` : '';
  return `settled: the settle timeout (${formatDuration(ctx.timings.settleTimeoutMs)}) ended it with ${progress.settled}/${progress.needed} objects that can be Ready having been Ready; not yet${names}${excluded}; measuring anyway`;
}
