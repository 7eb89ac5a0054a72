/**
 * Worker saturation per reconciler, from the controller scrapes alone: each scrape's
 * controller-runtime gauges (active workers, max concurrent reconciles, the longest-running
 * reconcile) joined with the same scrape's workqueue depth. A reconciler is saturated at a scrape
 * when every worker is busy and work is waiting for one, which is how one slow object (a health
 * check waiting out its timeout) delays every other object of its kind. Pure.
 */
import { z } from 'zod';
import { reconcileSpans, type ReconcileSpan } from '../metrics/reconcile-progress.ts';
import type { Sample } from '../metrics/sample.ts';
import { assignDefined } from './collections.ts';
import { controllerInstance, type InstanceIdentity } from './controller-series.ts';
import { phaseWindow } from './phases.ts';
import { medianGap } from './stats.ts';

/** The names of the samples the workers measurement reads from each scrape (kind `controller`, label `reconciler`). */
export const WORKER_SAMPLES = {
  active: 'active_workers',
  max: 'max_concurrent_reconciles',
  longestRunning: 'longest_running_processor_seconds',
} as const;

/** At or above this share of saturated scrapes a reconciler is named as the likely cause of the others' lag. */
export const CAUSE_SHARE = 0.25;

/** At most this many objects are named as holding a saturated reconciler's workers. */
export const MAX_HOLDERS = 10;

/**
 * The kind each reconciler reconciles (controller-runtime names a controller after it, lower-cased),
 * and the stall that marks an object of that kind failing in a way that can keep a worker:
 * a Kustomization or HelmRelease whose revision was attempted but never applied (what a health
 * check that timed out leaves), a source that keeps failing (a clone or pull that hangs until its timeout).
 */
const reconcilerKinds: Record<string, { kind: string; stall: string }> = {
  kustomization: { kind: 'Kustomization', stall: 'attempted_ne_applied' },
  helmrelease: { kind: 'HelmRelease', stall: 'attempted_ne_applied' },
  gitrepository: { kind: 'GitRepository', stall: 'source_failing' },
  ocirepository: { kind: 'OCIRepository', stall: 'source_failing' },
  helmchart: { kind: 'HelmChart', stall: 'source_failing' },
};

export const workerStatsSchema = z.object({
  instance: z.string(),
  controller: z.string(),
  shard: z.string().optional(),
  /** controller-runtime's name of the reconciler, which also names its workqueue: `kustomization`, `gitrepository`, ... */
  reconciler: z.string(),
  /** controller_runtime_max_concurrent_reconciles at the window's last scrape (the --concurrent in effect). */
  maxConcurrent: z.number().optional(),
  /** Most workers busy at one scrape. */
  activeMax: z.number().optional(),
  /** Scrapes in the window carrying both worker gauges. */
  scrapes: z.number(),
  /** Of those, the scrapes with every worker busy and work waiting in the queue. */
  saturatedScrapes: z.number(),
  /** saturatedScrapes / scrapes, 0–1; absent without scrapes. */
  saturated: z.number().optional(),
  /** Deepest workqueue at one scrape (items waiting for a worker, summed over priorities). */
  queueMax: z.number().optional(),
  /** Longest time one reconcile had been running at a scrape, in seconds. */
  longestRunningMax: z.number().optional(),
  /** Epoch ms of the first and last saturated scrape. */
  saturatedFrom: z.number().optional(),
  saturatedTo: z.number().optional(),
  /**
   * When saturated for at least CAUSE_SHARE: the objects of its kind whose reconciles held a
   * worker longest meanwhile (from the `reconcile`/`progressing` spans; in older runs, the objects
   * stuck failing meanwhile, see reconcilerKinds), at most MAX_HOLDERS; `holdersTotal` counts them all.
   */
  holders: z.array(z.string()).optional(),
  holdersTotal: z.number().optional(),
  /** What named the holders: the reconcile spans, or (older runs) the stall samples. */
  holdersFrom: z.enum(['reconciles', 'stalls']).optional(),
});
export type WorkerStats = z.infer<typeof workerStatsSchema>;

export const workersStatsSchema = z.object({
  /** What the shares are of: the measure phase's scrapes, or the whole run's when it has no measure phase. */
  window: z.enum(['measure', 'run']),
  /** One row per controller instance and reconciler exposing the worker gauges, sorted. */
  reconcilers: z.array(workerStatsSchema),
});
export type WorkersStats = z.infer<typeof workersStatsSchema>;

interface ScrapePoint {
  active?: number;
  max?: number;
  longestRunning?: number;
}

interface ReconcilerSeries {
  identity: InstanceIdentity;
  reconciler: string;
  /** One point per scrape: every sample of a scrape carries the scrape's timestamp. */
  byTs: Map<number, ScrapePoint>;
}

const pointField: Record<string, keyof ScrapePoint> = {
  [WORKER_SAMPLES.active]: 'active',
  [WORKER_SAMPLES.max]: 'max',
  [WORKER_SAMPLES.longestRunning]: 'longestRunning',
};

function identityOf(labels: Record<string, string>, instance: string): InstanceIdentity {
  const controller = labels.controller!;
  return labels.shard ? { instance, controller, shard: labels.shard } : { instance, controller };
}

/**
 * The worker gauges per (instance, reconciler) and scrape, and the workqueue depth per
 * (instance, queue) and scrape: the scraper writes one `workqueue_depth` sample per series, and
 * controller-runtime's priority queue has one series per priority, so they are summed.
 */
function scrapeSeries(controllerSamples: readonly Sample[]): { series: Map<string, ReconcilerSeries>; depth: Map<string, Map<number, number>> } {
  const series = new Map<string, ReconcilerSeries>();
  const depth = new Map<string, Map<number, number>>();
  for (const s of controllerSamples) {
    if (s.kind !== 'controller' || typeof s.value !== 'number' || !s.labels) continue;
    const instance = controllerInstance(s.labels);
    if (!instance) continue;
    if (s.name === 'workqueue_depth') {
      if (s.labels.queue === undefined) continue;
      const key = `${instance}\u0000${s.labels.queue}`;
      let byTs = depth.get(key);
      if (!byTs) depth.set(key, (byTs = new Map()));
      byTs.set(s.ts, (byTs.get(s.ts) ?? 0) + s.value);
      continue;
    }
    const field = pointField[s.name];
    const reconciler = s.labels.reconciler;
    if (field === undefined || reconciler === undefined) continue;
    const key = `${instance}\u0000${reconciler}`;
    let entry = series.get(key);
    if (!entry) series.set(key, (entry = { identity: identityOf(s.labels, instance), reconciler, byTs: new Map() }));
    const point = entry.byTs.get(s.ts) ?? {};
    point[field] = s.value;
    entry.byTs.set(s.ts, point);
  }
  return { series, depth };
}

const maxOf = (values: readonly number[]): number | undefined => (values.length > 0 ? Math.max(...values) : undefined);

/** One reconciler's row over the scrapes inside [from, to]. */
function reconcilerStats(entry: ReconcilerSeries, depthByTs: ReadonlyMap<number, number> | undefined, from: number, to: number): WorkerStats {
  const inside = [...entry.byTs].filter(([ts]) => ts >= from && ts <= to).sort((a, b) => a[0] - b[0]);
  const stats: WorkerStats = { ...entry.identity, reconciler: entry.reconciler, scrapes: 0, saturatedScrapes: 0 };
  const saturatedAt: number[] = [];
  for (const [ts, point] of inside) {
    if (point.active === undefined || point.max === undefined) continue;
    stats.scrapes += 1;
    // No depth sample at a scrape is an empty queue: the priority queue creates its series on the first add.
    const waiting = depthByTs?.get(ts) ?? 0;
    if (point.max > 0 && point.active >= point.max && waiting > 0) saturatedAt.push(ts);
  }
  stats.saturatedScrapes = saturatedAt.length;
  const defined = (field: keyof ScrapePoint) => inside.map(([, p]) => p[field]).filter((v): v is number => v !== undefined);
  assignDefined(stats, {
    maxConcurrent: defined('max').at(-1),
    activeMax: maxOf(defined('active')),
    saturated: stats.scrapes > 0 ? stats.saturatedScrapes / stats.scrapes : undefined,
    queueMax: maxOf(inside.map(([ts]) => depthByTs?.get(ts)).filter((v): v is number => v !== undefined)),
    longestRunningMax: maxOf(defined('longestRunning')),
    saturatedFrom: saturatedAt[0],
    saturatedTo: saturatedAt.at(-1),
  });
  return stats;
}

/**
 * The objects of the reconciler's kind that held a worker while it was saturated (the span of its
 * saturated scrapes, widened by one scrape interval each side: objects are watched on their own
 * clock): those whose reconciles ran longest then, from the reconcile spans; in runs recorded
 * before those, the ones with a failing-stall sample meanwhile, longest stuck first. For a shard
 * these may include objects of another shard: the samples do not say which shard reconciles an object.
 */
function holdersOf(
  stats: WorkerStats,
  stallSamples: readonly Sample[],
  spans: readonly ReconcileSpan[],
  scrapeGapMs: number,
): { holders: string[]; holdersTotal: number; holdersFrom: 'reconciles' | 'stalls' } | undefined {
  const spec = reconcilerKinds[stats.reconciler];
  if (!spec || stats.saturatedFrom === undefined || stats.saturatedTo === undefined) return undefined;
  const from = stats.saturatedFrom - scrapeGapMs;
  const to = stats.saturatedTo + scrapeGapMs;
  // First choice: the reconciles that were running while the workers were full, by how long they
  // ran then. A reconcile of a few seconds is the normal work the others wait for; one that held
  // a worker across several scrapes (a health check waiting for its timeout) is the cause.
  const minHeldMs = Math.max(2 * scrapeGapMs, 10_000);
  const held = new Map<string, number>();
  for (const span of spans) {
    if (!span.object.startsWith(`${spec.kind}/`) || span.endTs - span.startTs < minHeldMs) continue;
    const overlap = Math.min(span.endTs, to) - Math.max(span.startTs, from);
    if (overlap > 0) held.set(span.object, (held.get(span.object) ?? 0) + overlap);
  }
  // Only runs recorded before the reconcile spans existed name the objects stuck failing meanwhile:
  // in a newer run, no long reconcile means the workers were full of short ones.
  const holdersFrom = spans.length > 0 ? 'reconciles' : 'stalls';
  if (holdersFrom === 'stalls') {
    for (const s of stallSamples) {
      const object = s.labels?.object;
      if (s.name !== spec.stall || !object?.startsWith(`${spec.kind}/`) || s.ts < from || s.ts > to) continue;
      held.set(object, Math.max(held.get(object) ?? 0, typeof s.value === 'number' ? s.value : 0));
    }
  }
  const ranked = [...held].sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0])).map(([object]) => object);
  return { holders: ranked.slice(0, MAX_HOLDERS), holdersTotal: ranked.length, holdersFrom };
}

/**
 * Worker saturation per controller instance and reconciler over the measure phase (the whole run
 * when it has none). Rows exist only for reconcilers whose scrapes carried the worker gauges, so a
 * controller without them (an older controller-runtime) has none. `controllerSamples`,
 * `phaseSamples` and `stallSamples` are time-ordered; `lastTs` is the run's last sample.
 */
export function analyzeWorkers(
  controllerSamples: readonly Sample[],
  phaseSamples: readonly Sample[],
  stallSamples: readonly Sample[],
  lastTs: number | undefined,
  reconcileSamples: readonly Sample[] = [],
): WorkersStats {
  const spans = reconcileSpans(reconcileSamples, lastTs ?? 0);
  const measure = phaseWindow(phaseSamples, 'measure', lastTs);
  const from = measure?.startTs ?? -Infinity;
  const to = measure?.endTs ?? Infinity;
  const { series, depth } = scrapeSeries(controllerSamples);
  const reconcilers: WorkerStats[] = [];
  for (const [key, entry] of series) {
    const stats = reconcilerStats(entry, depth.get(key), from, to);
    if ((stats.saturated ?? 0) >= CAUSE_SHARE) {
      const gap = medianGap([...entry.byTs.keys()]) ?? 0;
      assignDefined(stats, holdersOf(stats, stallSamples, spans, gap) ?? {});
    }
    reconcilers.push(stats);
  }
  reconcilers.sort((a, b) => a.instance.localeCompare(b.instance) || a.reconciler.localeCompare(b.reconciler));
  return { window: measure ? 'measure' : 'run', reconcilers };
}
