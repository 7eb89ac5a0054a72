/**
 * harness: what fluxbench's own process costs while it measures — its samplers and watches, the
 * fake GitHub and registry gateway it serves in-process, and V8's garbage collector and compiler
 * threads — so every report says how much of the machine the harness took from what it measured.
 * The samples cover the span the samplers run: from the settle phase to the teardown (the
 * verdict's diagnosis, a list of every Flux object, included).
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { formatBytes } from '../util/units.ts';
import { counterRates, namedPoints, percentileSorted, seriesStats, seriesStatsSchema, type TimePoint } from './stats.ts';
import { defineMeasurement, type FlatMetrics, type MetricEntry, type ReportTable } from './types.ts';

/** CPU over the span, cores: the counter's growth over the whole span, and the busiest interval. */
const cpuStatsSchema = z.object({ avg: z.number(), max: z.number() });

export const harnessStatsSchema = z.object({
  /** The whole process, every thread. */
  cpu: cpuStatsSchema.optional(),
  /** The main thread alone (where /proc tells). */
  mainThreadCpu: cpuStatsSchema.optional(),
  /** Resident set size readings, bytes. */
  memory: seriesStatsSchema.optional(),
  /** The kernel's peak resident set size over the process's life, bytes. */
  rssPeakBytes: z.number().optional(),
  /** V8 heap in use readings, bytes. */
  heap: seriesStatsSchema.optional(),
});
export type HarnessStats = z.infer<typeof harnessStatsSchema>;

const catalogue: MetricEntry[] = [
  {
    pattern: 'harness.cpu.avg',
    unit: 'cores',
    aggregation: 'avg',
    description:
      "CPU of fluxbench's own process (every thread: samplers and watches, the in-process fake GitHub and registry gateway, V8's garbage collector and compiler; not its child processes), its growth from the first reading to the last over that span: the settle phase to the teardown, the verdict's diagnosis included",
  },
  { pattern: 'harness.cpu.max', unit: 'cores', aggregation: 'max', description: "Highest CPU of fluxbench's own process between two readings (intervals shorter than half the usual one left out)" },
  {
    pattern: 'harness.main_thread.cpu.avg',
    unit: 'cores',
    aggregation: 'avg',
    description:
      "CPU of fluxbench's main thread alone over the same span (its JavaScript, with the garbage collection, TLS and HTTP parsing done on that thread; the rest of harness.cpu.avg is V8's and libuv's threads); Linux only",
  },
  { pattern: 'harness.main_thread.cpu.max', unit: 'cores', aggregation: 'max', description: "Highest CPU of fluxbench's main thread between two readings (as harness.cpu.max)" },
  { pattern: 'harness.memory.max', unit: 'bytes', aggregation: 'max', description: "Largest resident set size of fluxbench's own process read while the samplers ran" },
  { pattern: 'harness.memory.avg', unit: 'bytes', aggregation: 'avg', description: "Mean of the resident set sizes of fluxbench's own process read while the samplers ran" },
  {
    pattern: 'harness.memory.peak',
    unit: 'bytes',
    aggregation: 'max',
    description:
      "The kernel's peak resident set size of fluxbench's own process over its life (getrusage): set-up phases included, and earlier runs of the same process too (fluxbench ab, bench:mttp --repeat)",
  },
  { pattern: 'harness.heap.max', unit: 'bytes', aggregation: 'max', description: "Largest V8 heap in use of fluxbench's own process read while the samplers ran" },
];

/**
 * CPU from a cumulative counter (seconds, oldest first): the mean is its growth over the whole
 * span; the max is the busiest interval among those at least half the median interval long (the
 * last one, cut short by the stop, may last a few ms, and the main thread's counter moves in 10 ms
 * ticks). A counter that went backwards (it cannot, in one process) leaves that interval out.
 */
export function counterCpu(points: readonly TimePoint[]): { avg: number; max: number } | undefined {
  const rates = counterRates(points);
  if (rates.length === 0) return undefined;
  // Each rate is stamped at the later reading of its interval: the earlier one gives its length.
  const startOf = new Map(points.slice(1).map((p, i) => [p.ts, points[i]!.ts]));
  const intervals = rates.map((rate) => ({ rate: rate.value, ms: rate.ts - startOf.get(rate.ts)! }));
  const median = percentileSorted(
    intervals.map((x) => x.ms).sort((a, b) => a - b),
    50,
  );
  const spanMs = intervals.reduce((sum, x) => sum + x.ms, 0);
  const cpuSeconds = intervals.reduce((sum, x) => sum + x.rate * (x.ms / 1000), 0);
  const max = Math.max(...intervals.filter((x) => x.ms >= median / 2).map((x) => x.rate));
  return { avg: cpuSeconds / (spanMs / 1000), max };
}

/** Pure: the `harness` samples of one run (oldest first) → its figures; undefined without any. */
export function analyzeHarness(samples: readonly Sample[]): HarnessStats | undefined {
  if (samples.length === 0) return undefined;
  const stats: HarnessStats = {};
  const cpu = counterCpu(namedPoints(samples, 'cpu_seconds_total'));
  const mainThreadCpu = counterCpu(namedPoints(samples, 'main_thread_cpu_seconds_total'));
  const memory = seriesStats(namedPoints(samples, 'rss_bytes'));
  const peaks = namedPoints(samples, 'rss_peak_bytes');
  const heap = seriesStats(namedPoints(samples, 'heap_used_bytes'));
  if (cpu) stats.cpu = cpu;
  if (mainThreadCpu) stats.mainThreadCpu = mainThreadCpu;
  if (memory) stats.memory = memory;
  if (peaks.length > 0) stats.rssPeakBytes = Math.max(...peaks.map((p) => p.value));
  if (heap) stats.heap = heap;
  return stats;
}

function harnessMetrics(stats: HarnessStats): FlatMetrics {
  return {
    'harness.cpu.avg': stats.cpu?.avg,
    'harness.cpu.max': stats.cpu?.max,
    'harness.main_thread.cpu.avg': stats.mainThreadCpu?.avg,
    'harness.main_thread.cpu.max': stats.mainThreadCpu?.max,
    'harness.memory.max': stats.memory?.max,
    'harness.memory.avg': stats.memory?.avg,
    'harness.memory.peak': stats.rssPeakBytes,
    'harness.heap.max': stats.heap?.max,
  };
}

const bytes = (value: number | undefined): string => (value === undefined ? '—' : formatBytes(value));
const cores = (value: number | undefined): string => (value === undefined ? '—' : value.toFixed(3));

function harnessTable(stats: HarnessStats | undefined): ReportTable {
  if (!stats) return { header: [], rows: [] };
  return {
    header: ['CPU mean (cores)', 'CPU peak (cores)', 'Main thread CPU mean (cores)', 'Largest memory read (RSS)', "Peak memory (the process's life)", 'Largest V8 heap'],
    rows: [[cores(stats.cpu?.avg), cores(stats.cpu?.max), cores(stats.mainThreadCpu?.avg), bytes(stats.memory?.max), bytes(stats.rssPeakBytes), bytes(stats.heap?.max)]],
    numeric: [0, 1, 2, 3, 4, 5],
  };
}

/** Absent in summaries written before this measurement, and in a run that sampled nothing. */
type HarnessAnalysis = { harness?: HarnessStats };

export const harnessMeasurement = defineMeasurement({
  name: 'harness',
  description: "every interval and at stop, read fluxbench's own process: CPU counters (process.cpuUsage, and the main thread's from /proc/thread-self/stat), resident and V8 heap memory",
  catalogue,
  analyze: (input): HarnessAnalysis => {
    const harness = analyzeHarness(input.of('harness'));
    return harness ? { harness } : {};
  },
  summarize: ({ harness }: HarnessAnalysis) => (harness ? harnessMetrics(harness) : {}),
  sampler: {
    create: async (_ctx, _settings: Record<string, never>) => {
      const { HarnessSampler } = await import('../metrics/harness-sampler.ts');
      return new HarnessSampler();
    },
  },
  report: {
    id: 'harness',
    title: "fluxbench's own process (settle to teardown)",
    empty: "No readings of fluxbench's own process.",
    optional: true,
    table: ({ harness }: Partial<HarnessAnalysis>) => harnessTable(harness),
  },
});
