/**
 * go-process: goroutines and open file descriptors per controller instance. Flux controllers are
 * Go programs whose /metrics carry the Prometheus Go client's standard Go and process collectors
 * (`go_goroutines`, `process_open_fds`, `process_max_fds`); the controller scraper reads them in
 * the scrape it already makes, so this measurement adds no request. A goroutine or descriptor
 * count that only grows is how a leak shows before memory does.
 */
import { z } from 'zod';
import { familySample } from '../metrics/controller-scraper.ts';
import type { Sample } from '../metrics/sample.ts';
import { assignDefined } from './collections.ts';
import { controllerPlaceholder, controllerSeries, instanceIdentities, perControllerMetrics, worstOf } from './controller-series.ts';
import { seriesStats, seriesStatsSchema } from './stats.ts';
import { defineMeasurement, type MetricEntry, type ReportTable } from './types.ts';

export const goProcessStatsSchema = z.object({
  instance: z.string(),
  controller: z.string(),
  shard: z.string().optional(),
  goroutines: seriesStatsSchema.optional(),
  openFds: seriesStatsSchema.optional(),
  /** The descriptor limit (process_max_fds) at the last scrape. */
  maxFds: z.number().optional(),
});
export type GoProcessStats = z.infer<typeof goProcessStatsSchema>;

export interface GoProcessAnalysis {
  goProcess: GoProcessStats[];
}

const placeholders = { controller: controllerPlaceholder };
const catalogue: MetricEntry[] = [
  { pattern: 'goroutines.<controller>.max', unit: 'count', aggregation: 'max', description: 'Most goroutines at one scrape (go_goroutines)', placeholders },
  { pattern: 'fds.<controller>.max', unit: 'count', aggregation: 'max', description: 'Most open file descriptors at one scrape (process_open_fds)', placeholders },
];

function analyzeGoProcess(sorted: readonly Sample[]): GoProcessStats[] {
  const goroutines = controllerSeries(sorted, 'goroutines');
  const openFds = controllerSeries(sorted, 'open_fds');
  const maxFds = controllerSeries(sorted, 'max_fds');
  const out: GoProcessStats[] = [];
  for (const id of instanceIdentities(sorted)) {
    if (!goroutines.has(id.instance) && !openFds.has(id.instance)) continue;
    const stats: GoProcessStats = { ...id };
    assignDefined(stats, {
      goroutines: seriesStats(goroutines.get(id.instance) ?? []),
      openFds: seriesStats(openFds.get(id.instance) ?? []),
      maxFds: maxFds.get(id.instance)?.at(-1)?.value,
    });
    out.push(stats);
  }
  return out;
}

const dash = '—';
const whole = (value: number | undefined) => (value === undefined ? dash : String(Math.round(value)));

function goProcessTable(stats: readonly GoProcessStats[]): ReportTable {
  return {
    header: ['Controller', 'Goroutines max', 'Goroutines last', 'Open FDs max', 'Open FDs last', 'FD limit', 'FD limit used, max'],
    rows: stats.map((s) => [
      s.instance,
      whole(s.goroutines?.max),
      whole(s.goroutines?.last),
      whole(s.openFds?.max),
      whole(s.openFds?.last),
      whole(s.maxFds),
      s.openFds && s.maxFds ? `${Math.round((s.openFds.max / s.maxFds) * 1000) / 10}%` : dash,
    ]),
    numeric: [1, 2, 3, 4, 5, 6],
  };
}

export const goProcessMeasurement = defineMeasurement({
  name: 'go-process',
  description: "read from each controller scrape: the Go client's go_goroutines, process_open_fds and process_max_fds",
  catalogue,
  scrape: [
    familySample('goroutines', 'go_goroutines'),
    familySample('open_fds', 'process_open_fds'),
    familySample('max_fds', 'process_max_fds'),
  ],
  analyze: (input): GoProcessAnalysis => ({ goProcess: analyzeGoProcess(input.of('controller')) }),
  summarize: (analysis: GoProcessAnalysis) =>
    perControllerMetrics(analysis.goProcess, (name, list) => ({
      [`goroutines.${name}.max`]: worstOf(list, (s) => s.goroutines?.max),
      [`fds.${name}.max`]: worstOf(list, (s) => s.openFds?.max),
    })),
  report: {
    id: 'go-process',
    title: 'Goroutines and open file descriptors',
    empty: 'No goroutine or file descriptor samples.',
    table: (summary) => goProcessTable(summary.goProcess ?? []),
  },
});
