/**
 * controllers: memory, CPU, workqueue and reconcile figures per controller instance, from each
 * controller's /metrics (the scraper) and /proc (see proc.ts, whose RSS takes precedence).
 */
import { z } from 'zod';
import { ControllerScraper, type ControllerScraperOptions } from '../metrics/controller-scraper.ts';
import type { Sample } from '../metrics/sample.ts';
import { assignDefined, groupBy } from './collections.ts';
import {
  controllerPlaceholder,
  controllerSeries,
  cpuSeries,
  instanceIdentities,
  perControllerMetrics,
  queueSeries,
  totalOf,
  worstOf,
} from './controller-series.ts';
import { counterIncrease, seriesStats, seriesStatsSchema, type TimePoint } from './stats.ts';
import { defineMeasurement, type MetricEntry } from './types.ts';

export const controllerStatsSchema = z.object({
  /** `<controller>` or `<controller>-shard<N>` when the controller runs sharded. */
  instance: z.string(),
  controller: z.string(),
  shard: z.string().optional(),
  /** From rss_bytes (/proc VmRSS), else resident_memory_bytes (the controller's own gauge). */
  memory: seriesStatsSchema.optional(),
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

function analyzeControllers(sorted: readonly Sample[]): ControllerStats[] {
  const byName = groupBy(sorted, (s) => s.name);
  const series = (name: string) => controllerSeries(byName.get(name) ?? [], name);
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
    assignDefined(stats, {
      // Without /proc (kind, existing clusters) the controller's own RSS gauge stands in.
      memory: seriesStats(rss.get(instance) ?? resident.get(instance) ?? []),
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
  analyze: (input) => ({ controllers: analyzeControllers(input.of('controller')) }),
  summarize: (analysis: { controllers: ControllerStats[] }) =>
    perControllerMetrics(analysis.controllers, (name, list) => ({
      [`memory.${name}.max`]: worstOf(list, (c) => c.memory?.max),
      [`memory.${name}.avg`]: worstOf(list, (c) => c.memory?.avg),
      [`memory.${name}.last`]: worstOf(list, (c) => c.memory?.last),
      [`cpu.${name}.avg`]: worstOf(list, (c) => c.cpu?.avg),
      [`cpu.${name}.max`]: worstOf(list, (c) => c.cpu?.max),
      [`queue.${name}.max`]: worstOf(list, (c) => c.queue?.max),
      [`reconcile.${name}.errors`]: totalOf(list, (c) => c.reconcileErrors),
    })),
  sampler: {
    create: (_ctx, settings: ControllerScraperOptions, build) =>
      new ControllerScraper(build.scrapedSamples.length > 0 ? { ...settings, extraSamples: build.scrapedSamples } : settings),
  },
});
