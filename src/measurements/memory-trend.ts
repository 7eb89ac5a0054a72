/**
 * Memory trend of a controller over the measure phase: the least-squares slope of its memory
 * samples, in bytes per minute. A leak that a run's peak hides (it is still under the limit when
 * the run ends) shows as a steady positive slope; setup and settle are left out because loading
 * the workload grows memory by design.
 */
import { linearRegression } from 'simple-statistics';
import { z } from 'zod';
import { formatBytes, formatDuration } from '../util/units.ts';
import { type PhaseWindow, withinWindow } from './phases.ts';
import type { TimePoint } from './stats.ts';
import type { ReportTable } from './types.ts';

/** Fewer samples than this give no trend: two points always fit a line exactly. */
export const MIN_TREND_SAMPLES = 3;
/** A measure phase shorter than this gives no trend: a minute's noise is not a trend per minute. */
export const MIN_TREND_PHASE_MS = 60_000;

const MS_PER_MINUTE = 60_000;

export const memoryTrendSchema = z.object({
  /** Least-squares slope of memory over time, bytes per minute; negative when memory shrank. */
  bytesPerMinute: z.number(),
  /** Memory samples inside the measure phase that the line was fitted to. */
  count: z.number(),
  /** Seconds from the first to the last of those samples. */
  spanSeconds: z.number(),
});
export type MemoryTrend = z.infer<typeof memoryTrendSchema>;

/**
 * The trend of `points` (memory in bytes, any order) inside `measure`; undefined without a measure
 * phase, when it lasted under MIN_TREND_PHASE_MS, or when it holds fewer than MIN_TREND_SAMPLES
 * finite samples or all of them at one instant. Never 0 for "no data".
 *
 * `restarts` (ms epoch) are the times the controller's process was started again: a line across
 * two processes fits the sawtooth, not a trend, so only the samples after the last restart inside
 * the phase count (and the same minimums apply to them).
 */
export function memoryTrend(points: readonly TimePoint[], measure: PhaseWindow | undefined, restarts: readonly number[] = []): MemoryTrend | undefined {
  if (!measure) return undefined;
  const lastRestart = Math.max(measure.startTs, ...restarts.filter((ts) => ts >= measure.startTs && ts < measure.endTs));
  const window = { startTs: lastRestart, endTs: measure.endTs };
  if (window.endTs - window.startTs < MIN_TREND_PHASE_MS) return undefined;
  const inside = withinWindow(points, window)
    .filter((p) => Number.isFinite(p.value))
    .sort((a, b) => a.ts - b.ts);
  if (inside.length < MIN_TREND_SAMPLES) return undefined;
  const spanMs = inside.at(-1)!.ts - inside[0]!.ts;
  if (spanMs <= 0) return undefined;
  // Minutes since the phase start as x: the slope comes out in bytes per minute, and x stays
  // small (squares of epoch milliseconds lose precision in a fit that does not centre them).
  const { m } = linearRegression(inside.map((p) => [(p.ts - window.startTs) / MS_PER_MINUTE, p.value]));
  if (!Number.isFinite(m)) return undefined;
  return { bytesPerMinute: m, count: inside.length, spanSeconds: spanMs / 1000 };
}

/** "+1.2Mi", "-512Ki", "0B": signed, so growth and shrinkage read apart. */
function signedBytes(bytes: number): string {
  return `${bytes > 0 ? '+' : bytes < 0 ? '-' : ''}${formatBytes(Math.abs(bytes))}`;
}

/** "+1.2Mi/min", "-512Ki/min", "0B/min". */
export function formatBytesPerMinute(bytesPerMinute: number): string {
  return `${signedBytes(bytesPerMinute)}/min`;
}

/** One row per instance with a trend; instances without one are left out (the section too, when none has one). */
export function memoryTrendTable(controllers: readonly { instance: string; memoryTrend?: MemoryTrend | undefined }[]): ReportTable {
  return {
    header: ['Controller', 'Memory trend (measure phase)', 'Fitted change', 'Samples', 'Over'],
    rows: controllers.flatMap((c) => {
      const trend = c.memoryTrend;
      if (!trend) return [];
      return [[
        c.instance,
        formatBytesPerMinute(trend.bytesPerMinute),
        signedBytes((trend.bytesPerMinute * trend.spanSeconds) / 60),
        String(trend.count),
        formatDuration(trend.spanSeconds * 1000),
      ]];
    }),
    numeric: [1, 2, 3, 4],
  };
}
