/**
 * controllers: memory, CPU, workqueue and reconcile figures per controller instance, from each
 * controller's /metrics (the scraper) and /proc (see proc.ts, whose RSS takes precedence), and the
 * memory trend over the measure phase (memory-trend.ts).
 */
import { z } from 'zod';
import { ControllerScraper, type ControllerScraperOptions } from '../metrics/controller-scraper.ts';
import { assignDefined, groupBy } from './collections.ts';
import type { Sample } from '../metrics/sample.ts';
import {
  controllerInstance,
  controllerPlaceholder,
  controllerSeries,
  cpuSeries,
  instanceIdentities,
  perControllerMetrics,
  queueSeries,
  totalOf,
  worstOf,
} from './controller-series.ts';
import { memoryTrend, memoryTrendSchema, memoryTrendTable, MIN_TREND_SAMPLES } from './memory-trend.ts';
import { phaseWindow } from './phases.ts';
import { counterIncrease, seriesStats, seriesStatsSchema, type TimePoint } from './stats.ts';
import { type AnalysisInput, defineMeasurement, type MetricEntry } from './types.ts';

export const controllerStatsSchema = z.object({
  /** `<controller>` or `<controller>-shard<N>` when the controller runs sharded. */
  instance: z.string(),
  controller: z.string(),
  shard: z.string().optional(),
  /** From rss_bytes (/proc VmRSS), else resident_memory_bytes (the controller's own gauge). */
  memory: seriesStatsSchema.optional(),
  /** Slope of the same memory series over the measure phase; absent under a minute or 3 samples. */
  memoryTrend: memoryTrendSchema.optional(),
  rssPeakBytes: z.number().optional(),
  residentMemoryMaxBytes: z.number().optional(),
  heapInuseMaxBytes: z.number().optional(),
  /** Cores, from cpu_cores, or derived from cpu_seconds_total when no rate was streamed. */
  cpu: seriesStatsSchema.optional(),
  queue: seriesStatsSchema.optional(),
  reconciles: z.number().optional(),
  reconcileErrors: z.number().optional(),
  reconcileP95MaxSeconds: z.number().optional(),
  restClientRequests: z.number().optional(),
});
export type ControllerStats = z.infer<typeof controllerStatsSchema>;

const placeholders = { controller: controllerPlaceholder };
const memorySource = 'rss_bytes (/proc VmRSS), or resident_memory_bytes where /proc is out of reach (kind, existing clusters)';
const catalogue: MetricEntry[] = [
  { pattern: 'memory.<controller>.max', unit: 'bytes', aggregation: 'max', description: `Peak memory: ${memorySource}`, placeholders },
  { pattern: 'memory.<controller>.avg', unit: 'bytes', aggregation: 'avg', description: 'Average memory over the run, same source', placeholders },
  { pattern: 'memory.<controller>.last', unit: 'bytes', aggregation: 'last', description: 'Memory at the last sample, same source', placeholders },
  {
    pattern: 'memory.<controller>.slope',
    unit: 'bytes_per_minute',
    aggregation: 'slope',
    description:
      `Memory trend: least-squares slope of the same memory samples over the measure phase only (not setup or settle), bytes per minute, negative when memory shrank; after a restart inside the phase only the samples of the new process count; absent (not 0) when the measure phase lasted under a minute or holds fewer than ${MIN_TREND_SAMPLES} samples. A limit is written like bytes: \`< 1Mi\` is 1 MiB per minute`,
    placeholders,
  },
  { pattern: 'cpu.<controller>.avg', unit: 'cores', aggregation: 'avg', description: 'CPU: cpu_cores, or the rate of cpu_seconds_total when no rate was streamed', placeholders },
  { pattern: 'cpu.<controller>.max', unit: 'cores', aggregation: 'max', description: 'Highest CPU rate between two samples, same source', placeholders },
  { pattern: 'queue.<controller>.max', unit: 'count', aggregation: 'max', description: 'Deepest workqueue_depth (the total, or per-queue samples summed per scrape)', placeholders },
  {
    pattern: 'reconcile.<controller>.errors',
    unit: 'count',
    aggregation: 'increase',
    description: 'Increase of reconcile_errors_total over the run (counter resets after a restart are counted)',
    placeholders,
  },
];

/** Instance → the times its process was restarted (supervisor `process`/`restart` samples). */
function restartTimes(events: readonly Sample[]): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (const s of events) {
    const instance = s.name === 'restart' ? controllerInstance(s.labels) : undefined;
    if (instance) out.set(instance, [...(out.get(instance) ?? []), s.ts]);
  }
  return out;
}

function analyzeControllers(input: AnalysisInput): ControllerStats[] {
  const sorted = input.of('controller');
  const measure = phaseWindow(input.of('phase'), 'measure', input.lastTs);
  const byName = groupBy(sorted, (s) => s.name);
  const series = (name: string) => controllerSeries(byName.get(name) ?? [], name);
  const restarts = restartTimes(input.of('process'));
  const rss = series('rss_bytes');
  const rssPeak = series('rss_peak_bytes');
  const resident = series('resident_memory_bytes');
  const heap = series('go_heap_inuse_bytes');
  const reconciles = series('reconcile_total');
  const errors = series('reconcile_errors_total');
  const durations = series('reconcile_duration_p95_seconds');
  const rest = series('rest_client_requests_total');
  const cpu = cpuSeries(sorted);
  const queue = queueSeries(sorted);
  const maxOf = (points: TimePoint[] | undefined) => (points && points.length > 0 ? seriesStats(points)!.max : undefined);
  const increaseOf = (points: TimePoint[] | undefined) => (points && points.length > 0 ? counterIncrease(points) : undefined);

  return instanceIdentities(sorted).map((id) => {
    const { instance } = id;
    const stats: ControllerStats = { ...id };
    // Without /proc (kind, existing clusters) the controller's own RSS gauge stands in.
    const memory = rss.get(instance) ?? resident.get(instance) ?? [];
    assignDefined(stats, {
      memory: seriesStats(memory),
      memoryTrend: memoryTrend(memory, measure, restarts.get(instance)),
      rssPeakBytes: maxOf(rssPeak.get(instance)),
      residentMemoryMaxBytes: maxOf(resident.get(instance)),
      heapInuseMaxBytes: maxOf(heap.get(instance)),
      cpu: seriesStats(cpu.get(instance) ?? []),
      queue: seriesStats(queue.get(instance) ?? []),
      reconciles: increaseOf(reconciles.get(instance)),
      reconcileErrors: increaseOf(errors.get(instance)),
      reconcileP95MaxSeconds: maxOf(durations.get(instance)),
      restClientRequests: increaseOf(rest.get(instance)),
    });
    return stats;
  });
}

export const controllersMeasurement = defineMeasurement({
  name: 'controllers',
  description: "every interval, GET each controller's /metrics (2 s deadline, all controllers in parallel)",
  catalogue,
  analyze: (input) => ({ controllers: analyzeControllers(input) }),
  summarize: (analysis: { controllers: ControllerStats[] }) =>
    perControllerMetrics(analysis.controllers, (name, list) => ({
      [`memory.${name}.max`]: worstOf(list, (c) => c.memory?.max),
      [`memory.${name}.avg`]: worstOf(list, (c) => c.memory?.avg),
      [`memory.${name}.last`]: worstOf(list, (c) => c.memory?.last),
      [`memory.${name}.slope`]: worstOf(list, (c) => c.memoryTrend?.bytesPerMinute),
      [`cpu.${name}.avg`]: worstOf(list, (c) => c.cpu?.avg),
      [`cpu.${name}.max`]: worstOf(list, (c) => c.cpu?.max),
      [`queue.${name}.max`]: worstOf(list, (c) => c.queue?.max),
      [`reconcile.${name}.errors`]: totalOf(list, (c) => c.reconcileErrors),
    })),
  report: {
    id: 'memory-trend',
    title: 'Controller memory trend',
    empty: `No memory trend: the measure phase lasted under a minute or holds fewer than ${MIN_TREND_SAMPLES} memory samples.`,
    // Short runs have no trend; the controllers table above already shows their memory.
    optional: true,
    table: (summary) => memoryTrendTable(summary.controllers ?? []),
  },
  sampler: {
    create: (_ctx, settings: ControllerScraperOptions, build) =>
      new ControllerScraper(build.scrapedSamples.length > 0 ? { ...settings, extraSamples: build.scrapedSamples } : settings),
  },
});
