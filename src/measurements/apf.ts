/**
 * apf: API Priority and Fairness per priority level, from the API server's own metrics (see
 * src/metrics/apf.ts for the families): whether Flux's requests waited in APF's queues or were
 * refused, and how many seats each level had. A run on an API server without APF has no samples
 * and none of these metrics.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import { formatDuration } from '../util/units.ts';
import { defineMeasurement, type FlatMetrics, type MetricEntry, type ReportTable } from './types.ts';

export const apfLevelStatsSchema = z.object({
  priorityLevel: z.string(),
  /** Seats the level could use at the last scrape. */
  limitSeats: z.number().optional(),
  executingSeatsMax: z.number(),
  inqueueMax: z.number(),
  /** Largest per-interval p95 of the time requests waited before executing, seconds. */
  waitP95Max: z.number().optional(),
  dispatched: z.number(),
  rejected: z.number(),
});
export const apfStatsSchema = z.array(apfLevelStatsSchema);
export type ApfLevelStats = z.infer<typeof apfLevelStatsSchema>;

/** Kubernetes priority level names: DNS subdomain-like (`workload-low`, `global-default`). */
const levelPlaceholder = {
  level: { description: 'an APF priority level (workload-low, workload-high, global-default, system, ...)', free: /^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$/ },
};

const catalogue: MetricEntry[] = [
  { pattern: 'apf.rejected', unit: 'count', aggregation: 'sum', description: 'Requests API Priority and Fairness refused (HTTP 429), all priority levels' },
  { pattern: 'apf.inqueue.max', unit: 'count', aggregation: 'max', description: 'Most requests waiting in APF queues at one scrape, any priority level' },
  { pattern: 'apf.<level>.rejected', unit: 'count', aggregation: 'sum', description: 'Requests of one priority level refused by APF', placeholders: levelPlaceholder },
  { pattern: 'apf.<level>.dispatched', unit: 'count', aggregation: 'sum', description: 'Requests of one priority level executed during the run', placeholders: levelPlaceholder },
  { pattern: 'apf.<level>.inqueue.max', unit: 'count', aggregation: 'max', description: 'Most requests of one priority level waiting in its queues at one scrape', placeholders: levelPlaceholder },
  { pattern: 'apf.<level>.executing_seats.max', unit: 'count', aggregation: 'max', description: 'Most seats of one priority level in use at one scrape', placeholders: levelPlaceholder },
  {
    pattern: 'apf.<level>.wait_p95.max',
    unit: 'seconds',
    aggregation: 'max',
    description: 'Largest per-interval p95 of the time requests of one priority level waited in APF queues before executing',
    placeholders: levelPlaceholder,
  },
];

function analyzeApf(samples: readonly Sample[]): ApfLevelStats[] {
  const byLevel = new Map<string, ApfLevelStats>();
  for (const s of samples) {
    const name = s.labels?.priorityLevel;
    if (!name || typeof s.value !== 'number') continue;
    let level = byLevel.get(name);
    if (!level) {
      level = { priorityLevel: name, executingSeatsMax: 0, inqueueMax: 0, dispatched: 0, rejected: 0 };
      byLevel.set(name, level);
    }
    if (s.name === 'inqueue') level.inqueueMax = Math.max(level.inqueueMax, s.value);
    else if (s.name === 'executing_seats') level.executingSeatsMax = Math.max(level.executingSeatsMax, s.value);
    else if (s.name === 'limit_seats') level.limitSeats = s.value;
    else if (s.name === 'dispatched') level.dispatched += s.value;
    else if (s.name === 'rejected') level.rejected += s.value;
    else if (s.name === 'wait_p95') level.waitP95Max = Math.max(level.waitP95Max ?? 0, s.value);
  }
  // Busiest first: the level Flux's controllers land in (workload-low) is usually the top row.
  return [...byLevel.values()].sort((a, b) => b.dispatched - a.dispatched || a.priorityLevel.localeCompare(b.priorityLevel));
}

/** Waits this long or longer are worth a line in the verdict: they add to every reconcile. */
const notableWaitSeconds = 1;

export const apfMeasurement = defineMeasurement({
  name: 'apf',
  description: "every interval (at least 15 s), scrape the API server's /metrics for API Priority and Fairness per priority level",
  catalogue,
  analyze: (input) => ({ apf: analyzeApf(input.of('apf')) }),
  summarize: ({ apf }: { apf: ApfLevelStats[] }) => {
    if (apf.length === 0) return {};
    const out: FlatMetrics = {
      'apf.rejected': apf.reduce((sum, l) => sum + l.rejected, 0),
      'apf.inqueue.max': Math.max(...apf.map((l) => l.inqueueMax)),
    };
    for (const l of apf) {
      out[`apf.${l.priorityLevel}.rejected`] = l.rejected;
      out[`apf.${l.priorityLevel}.dispatched`] = l.dispatched;
      out[`apf.${l.priorityLevel}.inqueue.max`] = l.inqueueMax;
      out[`apf.${l.priorityLevel}.executing_seats.max`] = l.executingSeatsMax;
      out[`apf.${l.priorityLevel}.wait_p95.max`] = l.waitP95Max;
    }
    return out;
  },
  warnings: ({ apf }: { apf: ApfLevelStats[] }) => {
    const lines: string[] = [];
    for (const l of apf) {
      if (l.rejected > 0) lines.push(`API Priority and Fairness refused ${l.rejected} request(s) of priority level ${l.priorityLevel} (HTTP 429; clients retry): the API server, not the controllers, was the limit`);
      if ((l.waitP95Max ?? 0) >= notableWaitSeconds) {
        lines.push(`requests of priority level ${l.priorityLevel} waited in APF queues up to p95 ${formatDuration(l.waitP95Max! * 1000)} (${l.limitSeats ?? '?'} seats): the API server's concurrency was the queue`);
      }
    }
    return lines;
  },
  report: {
    id: 'apf',
    title: 'API Priority and Fairness',
    empty: 'No APF metrics (the API server has Priority and Fairness off, or was not scraped).',
    optional: true,
    table: (summary: Partial<{ apf: ApfLevelStats[] }>): ReportTable => ({
      header: ['Priority level', 'Seats (limit)', 'Seats in use (max)', 'In queue (max)', 'Wait p95 (max)', 'Dispatched', 'Rejected'],
      rows: (summary.apf ?? []).map((l) => [
        l.priorityLevel,
        l.limitSeats === undefined ? '—' : String(l.limitSeats),
        String(l.executingSeatsMax),
        String(l.inqueueMax),
        l.waitP95Max === undefined ? '—' : formatDuration(l.waitP95Max * 1000),
        String(l.dispatched),
        String(l.rejected),
      ]),
      numeric: [1, 2, 3, 4, 5, 6],
    }),
  },
  sampler: {
    create: async (ctx) => {
      if (!ctx.kubeConfig) return undefined;
      // Loaded on demand: reports and validation never need the sampler's HTTPS client.
      const { ApfSampler } = await import('../metrics/apf-sampler.ts');
      return new ApfSampler();
    },
  },
});
