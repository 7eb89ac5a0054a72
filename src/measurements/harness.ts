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
import { defineMeasurement, type FlatMetrics, type MetricEntry, type ReportTable } from './types.ts';

export const harnessStatsSchema = z.object({
  /** Whole-process CPU, cores: mean weighted by each interval's length, and the highest interval. */
  cpu: z.object({ avg: z.number(), max: z.number() }).optional(),
  /** The main thread's CPU alone (where /proc tells), cores. */
  mainThreadCpu: z.object({ avg: z.number(), max: z.number() }).optional(),
  /** Largest resident set size read, bytes. */
  memoryMaxBytes: z.number().optional(),
  /** The kernel's peak resident set size since the process started, bytes. */
  memoryPeakBytes: z.number().optional(),
  /** Largest V8 heap in use read, bytes. */
  heapMaxBytes: z.number().optional(),
});
export type HarnessStats = z.infer<typeof harnessStatsSchema>;

const catalogue: MetricEntry[] = [
  {
    pattern: 'harness.cpu.avg',
    unit: 'cores',
    aggregation: 'avg',
    description:
      "CPU of fluxbench's own process (every thread: samplers and watches, the in-process fake GitHub and registry gateway, V8's garbage collector and compiler), mean over the span the samplers ran (the settle phase to the teardown, the verdict's diagnosis included)",
  },
  { pattern: 'harness.cpu.max', unit: 'cores', aggregation: 'max', description: "Highest CPU of fluxbench's own process between two readings" },
  {
    pattern: 'harness.main_thread.cpu.avg',
    unit: 'cores',
    aggregation: 'avg',
    description: "CPU of fluxbench's main thread alone (its JavaScript; the rest of harness.cpu.avg is V8's and libuv's threads), mean over the same span; Linux only",
  },
  { pattern: 'harness.memory.max', unit: 'bytes', aggregation: 'max', description: "Largest resident set size of fluxbench's own process read while the samplers ran" },
  {
    pattern: 'harness.memory.peak',
    unit: 'bytes',
    aggregation: 'max',
    description: "The kernel's peak resident set size of fluxbench's own process since it started (getrusage), set-up phases included",
  },
  { pattern: 'harness.heap.max', unit: 'bytes', aggregation: 'max', description: "Largest V8 heap in use of fluxbench's own process read while the samplers ran" },
];

/**
 * Mean and max of a rate sampled per interval, the mean weighted by each interval's length (the
 * last one, cut short by the stop, counts for what it lasted). `readings` are the reading times
 * (epoch ms), the first one before any rate.
 */
function weightedRate(rates: readonly Sample[], readings: readonly number[]): { avg: number; max: number } | undefined {
  let weighted = 0;
  let span = 0;
  let max = -Infinity;
  for (const rate of rates) {
    if (typeof rate.value !== 'number') continue;
    const before = readings.filter((ts) => ts < rate.ts).at(-1);
    if (before === undefined) continue;
    weighted += rate.value * (rate.ts - before);
    span += rate.ts - before;
    max = Math.max(max, rate.value);
  }
  return span > 0 ? { avg: weighted / span, max } : undefined;
}

const largest = (samples: readonly Sample[], name: string): number | undefined => {
  const values = samples.filter((s) => s.name === name && typeof s.value === 'number').map((s) => s.value!);
  return values.length > 0 ? Math.max(...values) : undefined;
};

/** Pure: the `harness` samples of one run (oldest first) → its figures; undefined without any. */
export function analyzeHarness(samples: readonly Sample[]): HarnessStats | undefined {
  if (samples.length === 0) return undefined;
  // Every reading writes rss_bytes: its times are the readings'.
  const readings = samples.filter((s) => s.name === 'rss_bytes').map((s) => s.ts);
  const stats: HarnessStats = {};
  const cpu = weightedRate(
    samples.filter((s) => s.name === 'cpu_cores'),
    readings,
  );
  const mainThreadCpu = weightedRate(
    samples.filter((s) => s.name === 'main_thread_cpu_cores'),
    readings,
  );
  if (cpu) stats.cpu = cpu;
  if (mainThreadCpu) stats.mainThreadCpu = mainThreadCpu;
  const memoryMaxBytes = largest(samples, 'rss_bytes');
  const memoryPeakBytes = largest(samples, 'rss_peak_bytes');
  const heapMaxBytes = largest(samples, 'heap_used_bytes');
  if (memoryMaxBytes !== undefined) stats.memoryMaxBytes = memoryMaxBytes;
  if (memoryPeakBytes !== undefined) stats.memoryPeakBytes = memoryPeakBytes;
  if (heapMaxBytes !== undefined) stats.heapMaxBytes = heapMaxBytes;
  return stats;
}

function harnessMetrics(stats: HarnessStats): FlatMetrics {
  return {
    'harness.cpu.avg': stats.cpu?.avg,
    'harness.cpu.max': stats.cpu?.max,
    'harness.main_thread.cpu.avg': stats.mainThreadCpu?.avg,
    'harness.memory.max': stats.memoryMaxBytes,
    'harness.memory.peak': stats.memoryPeakBytes,
    'harness.heap.max': stats.heapMaxBytes,
  };
}

const bytes = (value: number | undefined): string => (value === undefined ? '—' : formatBytes(value));
const cores = (value: number | undefined): string => (value === undefined ? '—' : value.toFixed(3));

function harnessTable(stats: HarnessStats | undefined): ReportTable {
  if (!stats) return { header: [], rows: [] };
  return {
    header: ['CPU mean (cores)', 'CPU peak (cores)', 'Main thread CPU mean (cores)', 'Largest memory read (RSS)', 'Peak memory (since start)', 'Largest V8 heap'],
    rows: [[cores(stats.cpu?.avg), cores(stats.cpu?.max), cores(stats.mainThreadCpu?.avg), bytes(stats.memoryMaxBytes), bytes(stats.memoryPeakBytes), bytes(stats.heapMaxBytes)]],
    numeric: [0, 1, 2, 3, 4, 5],
  };
}

/** Absent in summaries written before this measurement, and in a run that sampled nothing. */
type HarnessAnalysis = { harness?: HarnessStats };

export const harnessMeasurement = defineMeasurement({
  name: 'harness',
  description: "every interval, read fluxbench's own process: CPU (process.cpuUsage, and the main thread's from /proc/thread-self/stat), resident and V8 heap memory",
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
