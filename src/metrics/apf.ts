/**
 * API Priority and Fairness as the API server reports it on its own /metrics: per priority
 * level, the seats it may use, the seats in use, the requests waiting in its queues, how long
 * they waited and how many it refused. With APF on (production's default, and fluxbench's), a
 * busy API server makes clients wait here instead of in their own client-side limiter, so this
 * is where "the API server is the queue" shows.
 *
 * The families read (kube-apiserver 1.34, k8s.io/apiserver pkg/util/flowcontrol/metrics, labels
 * `priority_level` and `flow_schema`): apiserver_flowcontrol_current_inqueue_requests,
 * apiserver_flowcontrol_current_executing_seats, apiserver_flowcontrol_current_limit_seats
 * (nominal_limit_seats when absent), apiserver_flowcontrol_dispatched_requests_total,
 * apiserver_flowcontrol_rejected_requests_total and the histogram
 * apiserver_flowcontrol_request_wait_duration_seconds (its `execute="true"` series: requests
 * that ran after waiting). Pure: the sampler in apf-sampler.ts does the I/O.
 */
import { histogramQuantile, histogramSeries, mergeHistogramBuckets, subtractHistogramBuckets, type HistogramBucket, type MetricFamilies } from './prometheus.ts';
import type { Sample } from './sample.ts';

/** One priority level at one scrape. Counters are cumulative since the API server started. */
export interface ApfLevelReading {
  /** Requests waiting in the level's queues (gauge). */
  inqueue: number;
  /** Seats in use by executing requests (gauge). */
  executingSeats: number;
  /** Seats the level may use now (current_limit_seats, else nominal_limit_seats); undefined when neither is exposed. */
  limitSeats?: number;
  /** Requests dispatched (counter). */
  dispatched: number;
  /** Requests refused with 429 (counter). */
  rejected: number;
  /** Cumulative wait-time buckets of the requests that executed (counter). */
  waitBuckets: HistogramBucket[];
}

/** Priority level name → its reading; empty when the API server exposes no APF metrics (APF off). */
export type ApfReadings = Map<string, ApfLevelReading>;

const prefix = 'apiserver_flowcontrol_';

function sumByLevel(families: MetricFamilies, family: string, into: (level: string, value: number) => void, accept?: (labels: Record<string, string>) => boolean): void {
  for (const sample of families.get(prefix + family)?.samples ?? []) {
    const level = sample.labels.priority_level;
    if (!level || Number.isNaN(sample.value) || (accept && !accept(sample.labels))) continue;
    into(level, sample.value);
  }
}

/** The APF figures of one scrape of the API server's /metrics, by priority level. */
export function apfReadings(families: MetricFamilies): ApfReadings {
  const readings: ApfReadings = new Map();
  const level = (name: string): ApfLevelReading => {
    let reading = readings.get(name);
    if (!reading) {
      reading = { inqueue: 0, executingSeats: 0, dispatched: 0, rejected: 0, waitBuckets: [] };
      readings.set(name, reading);
    }
    return reading;
  };
  sumByLevel(families, 'current_inqueue_requests', (l, v) => (level(l).inqueue += v));
  sumByLevel(families, 'current_executing_seats', (l, v) => (level(l).executingSeats += v));
  sumByLevel(families, 'dispatched_requests_total', (l, v) => (level(l).dispatched += v));
  sumByLevel(families, 'rejected_requests_total', (l, v) => (level(l).rejected += v));
  const limits = new Map<string, number>();
  sumByLevel(families, 'nominal_limit_seats', (l, v) => limits.set(l, v));
  // The current limit moves with borrowing between levels; it is what bounds execution now.
  sumByLevel(families, 'current_limit_seats', (l, v) => limits.set(l, v));
  for (const [name, seats] of limits) level(name).limitSeats = seats;
  const wait = families.get(`${prefix}request_wait_duration_seconds`);
  if (wait) {
    const byLevel = new Map<string, HistogramBucket[][]>();
    for (const series of histogramSeries(wait)) {
      const name = series.labels.priority_level;
      if (!name || series.labels.execute === 'false') continue;
      byLevel.set(name, [...(byLevel.get(name) ?? []), series.buckets]);
    }
    for (const [name, sets] of byLevel) level(name).waitBuckets = mergeHistogramBuckets(sets);
  }
  return readings;
}

const emptyReading: ApfLevelReading = { inqueue: 0, executingSeats: 0, dispatched: 0, rejected: 0, waitBuckets: [] };

function counterDelta(after: number, before: number | undefined): number {
  if (before === undefined) return 0;
  // A restarted API server starts its counters again: what it counted since is the delta.
  return after >= before ? after - before : after;
}

/**
 * The samples of one scrape (`kind: 'apf'`, label `priorityLevel`): `inqueue` (requests),
 * `executing_seats` and `limit_seats` (seats) as gauges; `dispatched` and `rejected` as the
 * requests since `previous` (nothing on the first scrape, so traffic from before the run is
 * not counted; a level absent from `previous` counts from zero); `wait_p95` (seconds, PromQL-style estimate from the buckets) of the
 * requests that executed since `previous`, with their number in `detail.count`, when any did.
 * Levels that have never dispatched nor queued a request are left out (most of the built-in
 * ones, most of the time).
 */
export function apfSamples(current: ApfReadings, previous: ApfReadings | undefined, ts: number): Sample[] {
  const out: Sample[] = [];
  for (const [name, reading] of current) {
    // A level the API server creates mid-run (its first request) counts from zero, not from its first scrape.
    const before = previous ? (previous.get(name) ?? emptyReading) : undefined;
    if (reading.dispatched === 0 && reading.inqueue === 0 && reading.rejected === 0) continue;
    const labels = { priorityLevel: name };
    out.push({ ts, kind: 'apf', name: 'inqueue', value: reading.inqueue, labels });
    out.push({ ts, kind: 'apf', name: 'executing_seats', value: reading.executingSeats, labels });
    if (reading.limitSeats !== undefined) out.push({ ts, kind: 'apf', name: 'limit_seats', value: reading.limitSeats, labels });
    if (!before) continue;
    out.push({ ts, kind: 'apf', name: 'dispatched', value: counterDelta(reading.dispatched, before.dispatched), labels });
    out.push({ ts, kind: 'apf', name: 'rejected', value: counterDelta(reading.rejected, before.rejected), labels });
    const waited = subtractHistogramBuckets(reading.waitBuckets, before.waitBuckets);
    const count = waited.at(-1)?.count ?? 0;
    if (count > 0) {
      const p95 = histogramQuantile(waited, 0.95);
      if (Number.isFinite(p95)) out.push({ ts, kind: 'apf', name: 'wait_p95', value: p95, labels, detail: { count } });
    }
  }
  return out;
}
