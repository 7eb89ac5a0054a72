/**
 * workers: whether a controller ran out of workers. controller-runtime gives each reconciler
 * (`kustomization`, `gitrepository`, ...) its own pool of --concurrent workers and exposes how
 * many are busy; when all are busy while work waits in the queue, every object of that kind waits
 * for the slowest ones, e.g. Kustomizations whose health checks can never pass, each holding a
 * worker for its whole `spec.timeout`. Read from the controller scrape the run already makes (no
 * request of its own); the workqueue depth is the scraper's own per-queue sample.
 */
import type { ScrapedSample } from '../metrics/controller-scraper.ts';
import { formatDuration } from '../util/units.ts';
import { groupBy } from './collections.ts';
import { controllerPlaceholder, perControllerMetrics, worstOf } from './controller-series.ts';
import { defineMeasurement, type FlatMetrics, type MetricEntry, type ReportTable } from './types.ts';
import { analyzeWorkers, CAUSE_SHARE, WORKER_SAMPLES, type WorkerStats, type WorkersStats } from './workers-analysis.ts';

export { CAUSE_SHARE, MAX_HOLDERS, workerStatsSchema, workersStatsSchema, type WorkerStats, type WorkersStats } from './workers-analysis.ts';

export interface WorkersAnalysis {
  workers: WorkersStats;
}

/**
 * The reconcilers whose workers are sampled, by the name controller-runtime gives each (the kind
 * it reconciles, lower-cased): Flux's, and only those, so a scrape adds at most three samples per
 * reconciler a controller runs.
 */
export const SAMPLED_RECONCILERS = ['kustomization', 'helmrelease', 'gitrepository', 'ocirepository', 'helmchart', 'helmrepository', 'bucket'] as const;

/**
 * One reconciler's series of a family, as a sample labelled `reconciler`. controller-runtime
 * labels its own gauges by `controller` and the workqueue's by `name`, both the reconciler's name.
 */
function reconcilerSample(name: string, family: string, label: 'controller' | 'name', reconciler: string): ScrapedSample {
  return {
    name,
    families: [family],
    labels: { reconciler },
    read: (families) => {
      let value: number | undefined;
      for (const s of families.get(family)?.samples ?? []) {
        if (s.labels[label] === reconciler && !Number.isNaN(s.value)) value = Math.max(value ?? -Infinity, s.value);
      }
      return value;
    },
  };
}

const scrape: readonly ScrapedSample[] = SAMPLED_RECONCILERS.flatMap((reconciler) => [
  reconcilerSample(WORKER_SAMPLES.active, 'controller_runtime_active_workers', 'controller', reconciler),
  reconcilerSample(WORKER_SAMPLES.max, 'controller_runtime_max_concurrent_reconciles', 'controller', reconciler),
  reconcilerSample(WORKER_SAMPLES.longestRunning, 'workqueue_longest_running_processor_seconds', 'name', reconciler),
]);

const placeholders = { controller: controllerPlaceholder };
const catalogue: MetricEntry[] = [
  {
    pattern: 'workers.<controller>.saturated',
    unit: 'ratio',
    aggregation: 'avg',
    description: "Share (0–1) of the measure phase's scrapes with every worker of a reconciler busy and work waiting in its queue; its worst reconciler",
    placeholders,
  },
  {
    pattern: 'workers.<controller>.longest_running.max',
    unit: 'seconds',
    aggregation: 'max',
    description: 'Longest time one reconcile had been running at a scrape of the measure phase (workqueue_longest_running_processor_seconds)',
    placeholders,
  },
];

function summarizeWorkers({ workers }: WorkersAnalysis): FlatMetrics {
  // A controller runs several reconcilers (source-controller five): an instance counts as its worst.
  const instances = [...groupBy(workers.reconcilers, (s) => s.instance).values()].map((list) => ({
    instance: list[0]!.instance,
    controller: list[0]!.controller,
    saturated: worstOf(list, (s) => s.saturated),
    longestRunning: worstOf(list, (s) => s.longestRunningMax),
  }));
  return perControllerMetrics(instances, (name, list) => ({
    [`workers.${name}.saturated`]: worstOf(list, (s) => s.saturated),
    [`workers.${name}.longest_running.max`]: worstOf(list, (s) => s.longestRunning),
  }));
}

const percent = (share: number) => `${Math.round(share * 1000) / 10}%`;
const seconds = (value: number) => formatDuration(value * 1000);

/** What keeps a worker of each reconciler busy for long, and what to do about it, as a user would write it. */
function fixesFor(reconciler: string): { shorterTimeout: string; fix: string; stuck: string } {
  switch (reconciler) {
    case 'kustomization':
      return {
        shorterTimeout: 'a shorter `spec.timeout` on the Kustomizations with health checks (`wait: true` or `healthChecks`), each failing one holding a worker for all of it',
        fix: 'fixing the failing health checks',
        stuck: 'Kustomizations stuck meanwhile with a revision attempted but not applied (what a failed health check leaves)',
      };
    case 'helmrelease':
      return {
        shorterTimeout: 'a shorter `spec.timeout` on the HelmReleases (Helm waits up to it for their resources unless `disableWait`)',
        fix: 'fixing the releases that never become ready',
        stuck: 'HelmReleases stuck meanwhile with a revision attempted but not applied',
      };
    default:
      return {
        shorterTimeout: 'a shorter `spec.timeout` on the objects that hang (a clone, pull or health check waits up to it)',
        fix: 'fixing the failing objects',
        stuck: 'Sources failing meanwhile',
      };
  }
}

/** The scenario field that sets a controller's --concurrent, for the Flux controllers a scenario configures. */
function concurrentField(controller: string): string | undefined {
  const short = /^(source|kustomize|helm|notification)-controller$/.exec(controller)?.[1];
  return short ? `controllers.${short}.concurrent` : undefined;
}

/**
 * The sentence naming a saturated reconciler as the likely cause of everyone else's lag, with
 * what a user would try, and the objects that likely held its workers when the samples name them.
 */
export function saturationWarning(s: WorkerStats, window: WorkersStats['window']): string {
  const scrapes = window === 'measure' ? "the measure phase's scrapes" : "the run's scrapes";
  const workers = s.maxConcurrent !== undefined ? `all ${s.maxConcurrent} ${s.reconciler} workers` : `every ${s.reconciler} worker`;
  const detail = [
    s.queueMax !== undefined ? `up to ${s.queueMax} waiting` : undefined,
    s.longestRunningMax !== undefined ? `a reconcile running for up to ${seconds(s.longestRunningMax)}` : undefined,
  ].filter((part) => part !== undefined);
  const fixes = fixesFor(s.reconciler);
  const field = concurrentField(s.controller);
  const now = s.maxConcurrent !== undefined ? `, now ${s.maxConcurrent}` : '';
  const moreWorkers = `more workers (${field ? `\`${field}\`, ` : ''}\`--concurrent\`${now})`;
  const holders = s.holders ?? [];
  const more = (s.holdersTotal ?? 0) > holders.length ? ` and ${(s.holdersTotal ?? 0) - holders.length} more` : '';
  const named =
    holders.length > 0
      ? s.holdersFrom === 'reconciles'
        ? `The reconciles that held workers longest while they were full: ${holders.join(', ')}${more}.`
        : `${fixes.stuck}, likely the ones holding the workers: ${holders.join(', ')}${more}.`
      : 'The samples do not name the objects that held the workers.';
  return (
    `${s.instance}: ${workers} were busy with work waiting in ${percent(s.saturated ?? 0)} of ${scrapes}${detail.length > 0 ? ` (${detail.join(', ')})` : ''}, ` +
    `the likely cause of the lag of its other objects. Try ${fixes.shorterTimeout}; ${moreWorkers}; or ${fixes.fix}. ${named}`
  );
}

const dash = '—';

function workersTable(workers: WorkersStats | undefined): ReportTable {
  const window = workers?.window === 'run' ? 'whole run' : 'measure phase';
  return {
    header: ['Controller', 'Reconciler', 'Max concurrent', 'Peak active', `Saturated with work waiting (${window})`, 'Deepest queue', 'Longest-running reconcile'],
    rows: (workers?.reconcilers ?? []).map((s) => [
      s.instance,
      s.reconciler,
      s.maxConcurrent === undefined ? dash : String(s.maxConcurrent),
      s.activeMax === undefined ? dash : String(s.activeMax),
      s.saturated === undefined ? dash : `${percent(s.saturated)} (${s.saturatedScrapes} of ${s.scrapes})`,
      s.queueMax === undefined ? dash : String(s.queueMax),
      s.longestRunningMax === undefined ? dash : seconds(s.longestRunningMax),
    ]),
    numeric: [2, 3, 4, 5, 6],
  };
}

export const workersMeasurement = defineMeasurement({
  name: 'workers',
  description: "read from each controller scrape: controller-runtime's active and maximum workers and longest-running reconcile per reconciler, beside its workqueue depth",
  catalogue,
  scrape,
  analyze: (input): WorkersAnalysis => ({ workers: analyzeWorkers(input.of('controller'), input.of('phase'), input.of('stall'), input.lastTs, input.of('reconcile')) }),
  summarize: summarizeWorkers,
  warnings: ({ workers }: WorkersAnalysis) =>
    workers.reconcilers.filter((s) => (s.saturated ?? 0) >= CAUSE_SHARE).map((s) => saturationWarning(s, workers.window)),
  report: {
    id: 'workers',
    title: 'Workers',
    empty: 'No worker samples (controller_runtime_active_workers).',
    optional: true,
    table: (summary) => workersTable(summary.workers),
  },
});
