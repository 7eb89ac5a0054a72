/** Distributions and time-series stats of sample values; their shapes are summary.json's too. */
import { build } from 'hdr-histogram-js';
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';

/** Below this many values percentiles are computed exactly; above, with an HDR histogram. */
export const EXACT_PERCENTILE_LIMIT = 5_000;

/** HDR histogram resolution: values are recorded in microseconds, 3 significant digits. */
const HDR_UNITS_PER_SECOND = 1_000_000;

export const distributionSchema = z.object({
  count: z.number(),
  min: z.number(),
  max: z.number(),
  mean: z.number(),
  p50: z.number(),
  p95: z.number(),
  p99: z.number(),
});
export type Distribution = z.infer<typeof distributionSchema>;

/**
 * Nearest-rank percentile over sorted values (the value below which `p`% of the values fall,
 * always one of the values themselves), so small samples give answers a reader can verify.
 */
export function percentileSorted(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) throw new Error('percentile of an empty list');
  if (p <= 0) return sorted[0]!;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

/**
 * p50/p95/p99/max of non-negative seconds. Exact for small n; for large n an HDR histogram
 * keeps memory flat and is accurate to 3 significant digits (max and min stay exact).
 */
export function distribution(values: readonly number[]): Distribution | undefined {
  const finite = values.filter((v) => Number.isFinite(v));
  if (finite.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const v of finite) {
    if (v < min) min = v;
    if (v > max) max = v;
    sum += v;
  }
  const base = { count: finite.length, min, max, mean: sum / finite.length };
  if (finite.length <= EXACT_PERCENTILE_LIMIT || min < 0) {
    const sorted = [...finite].sort((a, b) => a - b);
    return { ...base, p50: percentileSorted(sorted, 50), p95: percentileSorted(sorted, 95), p99: percentileSorted(sorted, 99) };
  }
  const histogram = build({ bitBucketSize: 64, numberOfSignificantValueDigits: 3, useWebAssembly: false });
  try {
    for (const v of finite) histogram.recordValue(Math.round(v * HDR_UNITS_PER_SECOND));
    // The histogram reports a bucket's upper equivalent value; it can never exceed the real max.
    const at = (p: number) => Math.min(max, histogram.getValueAtPercentile(p) / HDR_UNITS_PER_SECOND);
    return { ...base, p50: at(50), p95: at(95), p99: at(99) };
  } finally {
    histogram.destroy();
  }
}

export const seriesStatsSchema = z.object({ count: z.number(), min: z.number(), max: z.number(), avg: z.number(), last: z.number() });
export type SeriesStats = z.infer<typeof seriesStatsSchema>;

/** Stats of a time series; `points` must be in time order (`last` is the latest value). */
export function seriesStats(points: readonly TimePoint[]): SeriesStats | undefined {
  if (points.length === 0) return undefined;
  let min = Infinity;
  let max = -Infinity;
  let sum = 0;
  for (const p of points) {
    if (p.value < min) min = p.value;
    if (p.value > max) max = p.value;
    sum += p.value;
  }
  return { count: points.length, min, max, avg: sum / points.length, last: points[points.length - 1]!.value };
}

export interface TimePoint {
  ts: number;
  value: number;
}

/** The numeric samples named `name` among `samples`, as time points in their order. */
export function namedPoints(samples: readonly Sample[], name: string): TimePoint[] {
  return samples.filter((s) => s.name === name && typeof s.value === 'number').map((s) => ({ ts: s.ts, value: s.value! }));
}

/**
 * How much a monotonic counter grew over the series. A drop means the process restarted and
 * its counter began again from zero, so the value after a drop counts in full.
 */
export function counterIncrease(points: readonly TimePoint[]): number {
  let total = 0;
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1]!.value;
    const cur = points[i]!.value;
    total += cur >= prev ? cur - prev : cur;
  }
  return total;
}

/**
 * Per-second rate between consecutive scrapes of a counter (e.g. CPU seconds → cores). Pairs
 * across a counter reset or without elapsed time are skipped; the point is stamped at the later scrape.
 */
export function counterRates(points: readonly TimePoint[]): TimePoint[] {
  const out: TimePoint[] = [];
  for (let i = 1; i < points.length; i++) {
    const prev = points[i - 1]!;
    const cur = points[i]!;
    const seconds = (cur.ts - prev.ts) / 1000;
    if (seconds <= 0 || cur.value < prev.value) continue;
    out.push({ ts: cur.ts, value: (cur.value - prev.value) / seconds });
  }
  return out;
}

/** Median of the gaps between consecutive distinct timestamps, or undefined with fewer than two. */
export function medianGap(timestamps: readonly number[]): number | undefined {
  const distinct = [...new Set(timestamps)].sort((a, b) => a - b);
  if (distinct.length < 2) return undefined;
  const gaps: number[] = [];
  for (let i = 1; i < distinct.length; i++) gaps.push(distinct[i]! - distinct[i - 1]!);
  gaps.sort((a, b) => a - b);
  return gaps[Math.floor((gaps.length - 1) / 2)]!;
}
