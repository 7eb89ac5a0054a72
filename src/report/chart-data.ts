/**
 * The data behind report.html's charts, computed in Node so the page only draws. Time is in
 * seconds since the run's origin, series are aligned on one x array (null where a series has no
 * point), and long runs are downsampled to a bounded number of points (the max per bucket so peaks
 * stay visible, or the min where dips matter: quota left, objects Ready).
 */
import type { Sample } from '../metrics/sample.ts';
import { groupedBars, round3 } from './chart-bars.ts';
import { fleetCharts } from './fleet-charts.ts';
import {
  controllerSeries,
  cpuSeries,
  LAG_STAGES,
  lagValuesByStage,
  queueSeries,
  readyCurveSeries,
  registryQuotaSeries,
  registryStatusClass,
  registryStatusClasses,
  type FaultBand,
  type TimePoint,
} from '../measurements/index.ts';

export type { ChartData, ChartFault, ChartSeries, ChartSpec, ChartUnit } from './chart-types.ts';
import type { ChartData, ChartSeries, ChartSpec, ChartUnit } from './chart-types.ts';

export const MAX_POINTS_PER_CHART = 1_500;
const HISTOGRAM_BINS = 20;

/** Builds every chart of the report; a chart without data keeps empty `x`/`series`. */
export function buildChartData(samples: readonly Sample[], faults: readonly FaultBand[], originMs: number): ChartData {
  const sorted = [...samples].sort((a, b) => a.ts - b.ts);
  const lastTs = sorted[sorted.length - 1]?.ts ?? originMs;
  const endSeconds = Math.max(0, (lastTs - originMs) / 1000);
  const toSeconds = (ts: number) => (ts - originMs) / 1000;

  const memory = controllerSeries(sorted, 'rss_bytes');
  for (const [instance, points] of controllerSeries(sorted, 'resident_memory_bytes')) {
    if (!memory.has(instance)) memory.set(instance, points);
  }
  const charts: ChartSpec[] = [
    timeChart('memory', 'Memory (RSS) per controller', 'bytes', memory, toSeconds),
    timeChart('cpu', 'CPU per controller (cores)', 'cores', cpuSeries(sorted), toSeconds),
    timeChart('workqueue', 'Workqueue depth per controller', 'count', queueSeries(sorted), toSeconds),
    lagPercentileChart(sorted),
    ...lagHistogramCharts(sorted),
    timeChart('github-quota', 'GitHub quota remaining per identity', 'count', githubQuotaSeries(sorted), toSeconds, 'min'),
    githubErrorChart(sorted, toSeconds),
    ...registryCharts(sorted, toSeconds),
    timeChart('objects-ready', 'Objects Ready over time', 'count', objectsSeries(sorted), toSeconds, 'min'),
    ...readyCurveCharts(sorted, toSeconds),
    ...fleetCharts(sorted),
  ];
  return {
    originMs,
    endSeconds,
    charts,
    faults: faults.map((f) => ({
      label: f.target ? `${f.fault} (${f.target})` : f.fault,
      start: toSeconds(f.start),
      end: toSeconds(f.end ?? lastTs),
    })),
  };
}

/** How a downsampling bucket keeps its value: the peak, or the dip (quota left, objects Ready). */
export type BucketPick = 'max' | 'min';

/** Aligns named series on one x array of seconds, downsampled to `maxPoints` buckets. */
export function alignSeries(
  named: ReadonlyMap<string, readonly TimePoint[]>,
  toSeconds: (ts: number) => number,
  maxPoints = MAX_POINTS_PER_CHART,
  pick: BucketPick = 'max',
): { x: number[]; series: ChartSeries[] } {
  const entries = [...named.entries()].filter(([, points]) => points.length > 0).sort((a, b) => a[0].localeCompare(b[0]));
  if (entries.length === 0) return { x: [], series: [] };
  let min = Infinity;
  let max = -Infinity;
  for (const [, points] of entries) {
    for (const p of points) {
      const s = toSeconds(p.ts);
      if (s < min) min = s;
      if (s > max) max = s;
    }
  }
  // One bucket per second at least (scrapes of different controllers land milliseconds apart).
  const bucket = Math.max(1, Math.ceil((max - min) / maxPoints));
  const keyOf = (s: number) => Math.floor((s - min) / bucket);
  const keys = new Set<number>();
  const perSeries = entries.map(([label, points]) => {
    const byKey = new Map<number, number>();
    for (const p of points) {
      const key = keyOf(toSeconds(p.ts));
      keys.add(key);
      const kept = byKey.get(key);
      byKey.set(key, kept === undefined ? p.value : pick === 'max' ? Math.max(kept, p.value) : Math.min(kept, p.value));
    }
    return { label, byKey };
  });
  const sortedKeys = [...keys].sort((a, b) => a - b);
  return {
    x: sortedKeys.map((k) => round3(min + k * bucket)),
    series: perSeries.map(({ label, byKey }) => ({ label, values: sortedKeys.map((k) => byKey.get(k) ?? null) })),
  };
}

function timeChart(
  id: string,
  title: string,
  unit: ChartUnit,
  named: ReadonlyMap<string, readonly TimePoint[]>,
  toSeconds: (ts: number) => number,
  pick: BucketPick = 'max',
): ChartSpec {
  return { id, title, unit, xKind: 'time', style: 'line', ...alignSeries(named, toSeconds, MAX_POINTS_PER_CHART, pick) };
}

/** p50, p95, p99 and max of each lag stage, as grouped bars (one group a stage). */
function lagPercentileChart(sorted: readonly Sample[]): ChartSpec {
  const values = lagValuesByStage(sorted);
  const stages = LAG_STAGES.filter((stage) => values[stage].length > 0);
  const percentiles = [
    { label: 'p50', p: 50 },
    { label: 'p95', p: 95 },
    { label: 'p99', p: 99 },
    { label: 'max', p: 100 },
  ];
  const groups = stages.map((stage) => {
    const ordered = [...values[stage]].sort((a, b) => a - b);
    const rank = (p: number) => Math.min(ordered.length, Math.max(1, Math.ceil((p / 100) * ordered.length)));
    return { label: stage, values: percentiles.map((p) => ordered[rank(p.p) - 1]!) };
  });
  return {
    id: 'lag-percentiles',
    title: 'Lag percentiles per stage (push → stage)',
    unit: 'seconds',
    xKind: 'category',
    style: 'bars',
    barWidth: 0.9,
    ...groupedBars(groups, percentiles.map((p) => p.label)),
  };
}

/** One histogram per stage over shared bins (so the three read side by side). */
function lagHistogramCharts(sorted: readonly Sample[]): ChartSpec[] {
  const values = lagValuesByStage(sorted);
  const all = LAG_STAGES.flatMap((stage) => values[stage]);
  // A loop, not Math.max(...all): long runs have more values than a call's argument limit.
  const top = all.reduce((max, v) => (v > max ? v : max), 0);
  const width = top > 0 ? top / HISTOGRAM_BINS : 1;
  return LAG_STAGES.map((stage) => {
    const counts = new Array<number>(HISTOGRAM_BINS).fill(0);
    for (const v of values[stage]) counts[Math.min(HISTOGRAM_BINS - 1, Math.max(0, Math.floor(v / width)))]! += 1;
    const has = values[stage].length > 0;
    return {
      id: `lag-histogram-${stage}`,
      title: `Lag histogram: ${stage}`,
      unit: 'count',
      xKind: 'category',
      style: 'bars',
      barWidth: 0.9,
      note: has ? `${values[stage].length} commits, bins of ${round3(width)}s (x = bin start, seconds)` : undefined,
      x: has ? counts.map((_, i) => round3(i * width)) : [],
      series: has ? [{ label: stage, values: counts }] : [],
    } satisfies ChartSpec as ChartSpec;
  });
}

function githubQuotaSeries(sorted: readonly Sample[]): Map<string, TimePoint[]> {
  const out = new Map<string, TimePoint[]>();
  for (const s of sorted) {
    if (s.kind !== 'github' || s.name !== 'quota_remaining' || typeof s.value !== 'number') continue;
    const identity = s.labels?.identity ?? 'anonymous';
    let points = out.get(identity);
    if (!points) out.set(identity, (points = []));
    points.push({ ts: s.ts, value: s.value });
  }
  return out;
}

/** 403 and 429 responses per interval; the two series sit side by side within each interval. */
function githubErrorChart(sorted: readonly Sample[], toSeconds: (ts: number) => number): ChartSpec {
  const requests = sorted.filter((s) => s.kind === 'github' && s.name === 'request');
  const base: ChartSpec = { id: 'github-errors', title: 'GitHub 403 / 429 responses per interval', unit: 'count', xKind: 'time', style: 'bars', barWidth: 0.9, x: [], series: [] };
  return intervalBars(base, requests, ['403', '429'], (r) => r.labels?.status, toSeconds);
}

/**
 * The registry's pull quota per identity and its responses by status class per interval; none
 * in a run without a registry, so a Git run's report draws no empty registry charts.
 */
function registryCharts(sorted: readonly Sample[], toSeconds: (ts: number) => number): ChartSpec[] {
  const requests = sorted.filter((s) => s.kind === 'registry' && s.name === 'request');
  const quota = registryQuotaSeries(sorted);
  if (requests.length === 0 && quota.size === 0) return [];
  const base: ChartSpec = { id: 'registry-status', title: 'Registry responses by status per interval', unit: 'count', xKind: 'time', style: 'bars', barWidth: 0.9, x: [], series: [] };
  const seen = new Set(requests.map((r) => registryStatusClass(r.labels?.status)));
  return [
    timeChart('registry-quota', 'Registry pulls left per identity', 'count', quota, toSeconds, 'min'),
    intervalBars(base, requests, registryStatusClasses.filter((c) => seen.has(c)), (r) => registryStatusClass(r.labels?.status), toSeconds),
  ];
}

/**
 * Counts per interval of the samples in each group, the groups' bars side by side within each
 * interval (a series is null at the other groups' positions). About 60 intervals, 5 s at least.
 */
function intervalBars(
  base: ChartSpec,
  samples: readonly Sample[],
  groups: readonly string[],
  groupOf: (sample: Sample) => string | undefined,
  toSeconds: (ts: number) => number,
): ChartSpec {
  if (samples.length === 0 || groups.length === 0) return base;
  const first = toSeconds(samples[0]!.ts);
  const last = toSeconds(samples[samples.length - 1]!.ts);
  const interval = Math.max(5, Math.ceil((last - first) / 60));
  const buckets = Math.floor((last - first) / interval) + 1;
  const counts = groups.map(() => new Array<number>(buckets).fill(0));
  for (const s of samples) {
    const g = groups.indexOf(groupOf(s) ?? '');
    if (g >= 0) counts[g]![Math.floor((toSeconds(s.ts) - first) / interval)]! += 1;
  }
  const x: number[] = [];
  const values = groups.map((): (number | null)[] => []);
  for (let i = 0; i < buckets; i++) {
    const start = first + i * interval;
    groups.forEach((_, g) => {
      x.push(round3(start + (interval * (g + 0.5)) / groups.length));
      values.forEach((list, k) => list.push(k === g ? counts[k]![i]! : null));
    });
  }
  return { ...base, note: `${interval}s intervals`, x, series: groups.map((label, g) => ({ label, values: values[g]! })) };
}

/**
 * Time-to-Ready: objects Ready at least once since the apply, per kind and overall, from 0 at the
 * apply to the last first-Ready. None for a run without readiness samples (older runs).
 */
function readyCurveCharts(sorted: readonly Sample[], toSeconds: (ts: number) => number): ChartSpec[] {
  const series = readyCurveSeries(
    sorted.filter((s) => s.kind === 'ready'),
    sorted.filter((s) => s.kind === 'phase'),
  );
  const applied = series.get('all')?.[0]?.ts;
  if (applied === undefined) return [];
  const chart = timeChart('time-to-ready', 'Objects Ready since the apply (first Ready of each)', 'count', series, toSeconds);
  chart.note = `the apply at +${round3(Math.max(0, toSeconds(applied)))}s; each object counts once, at its first Ready`;
  return [chart];
}

/** Ready and total objects summed over kinds, at each sampling round. */
function objectsSeries(sorted: readonly Sample[]): Map<string, TimePoint[]> {
  const latest = { ready: new Map<string, number>(), total: new Map<string, number>() };
  const out = new Map<string, TimePoint[]>([
    ['ready', []],
    ['total', []],
  ]);
  for (const s of sorted) {
    if (s.kind !== 'objects' || typeof s.value !== 'number' || (s.name !== 'ready' && s.name !== 'total')) continue;
    latest[s.name].set(s.labels?.kind ?? 'all', s.value);
    const points = out.get(s.name)!;
    const sum = [...latest[s.name].values()].reduce((a, b) => a + b, 0);
    if (points.length > 0 && points[points.length - 1]!.ts === s.ts) points[points.length - 1]!.value = sum;
    else points.push({ ts: s.ts, value: sum });
  }
  return out;
}
