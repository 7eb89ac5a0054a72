import { describe, expect, it } from 'vitest';
import { analyzeSamples, flatMetrics, limitUnitProblem, measurementWarnings, metricProblem, parseMetricValue } from '../../../src/measurements/index.ts';
import { workersMeasurement } from '../../../src/measurements/workers.ts';
import { controllerSamples, scrapedFamilies, selectControllerFamilies } from '../../../src/metrics/controller-scraper.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary, judgeThresholds, parseSummary, renderMarkdown } from '../../../src/report/index.ts';
import { syntheticRunMeta } from '../report/synthetic-run.ts';

/**
 * A trimmed scrape of kustomize-controller's /metrics on controller-runtime v0.24 (Flux 2.9): the
 * priority queue splits workqueue_depth by priority, the workqueue families carry both `name` and
 * `controller`, and the families the workers measurement does not read sit in between.
 */
const kustomizeControllerText = `# HELP controller_runtime_active_workers Number of currently used workers per controller
# TYPE controller_runtime_active_workers gauge
controller_runtime_active_workers{controller="kustomization"} 4
# HELP controller_runtime_max_concurrent_reconciles Maximum number of concurrent reconciles per controller
# TYPE controller_runtime_max_concurrent_reconciles gauge
controller_runtime_max_concurrent_reconciles{controller="kustomization"} 4
# HELP controller_runtime_reconcile_total Total number of reconciliations per controller
# TYPE controller_runtime_reconcile_total counter
controller_runtime_reconcile_total{controller="kustomization",result="error"} 31
controller_runtime_reconcile_total{controller="kustomization",result="requeue"} 0
controller_runtime_reconcile_total{controller="kustomization",result="requeue_after"} 402
controller_runtime_reconcile_total{controller="kustomization",result="success"} 0
# HELP process_resident_memory_bytes Resident memory size in bytes.
# TYPE process_resident_memory_bytes gauge
process_resident_memory_bytes 1.4274560e+08
# HELP workqueue_adds_total Total number of adds handled by workqueue
# TYPE workqueue_adds_total counter
workqueue_adds_total{controller="kustomization",name="kustomization"} 689
# HELP workqueue_depth Current depth of workqueue by workqueue and priority
# TYPE workqueue_depth gauge
workqueue_depth{controller="kustomization",name="kustomization",priority="-100"} 3
workqueue_depth{controller="kustomization",name="kustomization",priority="0"} 14
# HELP workqueue_longest_running_processor_seconds How many seconds has the longest running processor for workqueue been running.
# TYPE workqueue_longest_running_processor_seconds gauge
workqueue_longest_running_processor_seconds{controller="kustomization",name="kustomization"} 212.480151377
# HELP workqueue_unfinished_work_seconds How many seconds of work has been done that is in progress and hasn't been observed by work_duration. Large values indicate stuck threads. One can deduce the number of stuck threads by observing the rate at which this increases.
# TYPE workqueue_unfinished_work_seconds gauge
workqueue_unfinished_work_seconds{controller="kustomization",name="kustomization"} 689.3
`;

/** The same of source-controller: five reconcilers of its own, and one no report needs (a made-up `receiver`). */
const sourceControllerText = `# HELP controller_runtime_active_workers Number of currently used workers per controller
# TYPE controller_runtime_active_workers gauge
controller_runtime_active_workers{controller="bucket"} 0
controller_runtime_active_workers{controller="gitrepository"} 1
controller_runtime_active_workers{controller="helmchart"} 0
controller_runtime_active_workers{controller="helmrepository"} 0
controller_runtime_active_workers{controller="ocirepository"} 0
controller_runtime_active_workers{controller="receiver"} 0
# HELP controller_runtime_max_concurrent_reconciles Maximum number of concurrent reconciles per controller
# TYPE controller_runtime_max_concurrent_reconciles gauge
controller_runtime_max_concurrent_reconciles{controller="bucket"} 2
controller_runtime_max_concurrent_reconciles{controller="gitrepository"} 2
controller_runtime_max_concurrent_reconciles{controller="helmchart"} 2
controller_runtime_max_concurrent_reconciles{controller="helmrepository"} 2
controller_runtime_max_concurrent_reconciles{controller="ocirepository"} 2
controller_runtime_max_concurrent_reconciles{controller="receiver"} 2
# HELP workqueue_longest_running_processor_seconds How many seconds has the longest running processor for workqueue been running.
# TYPE workqueue_longest_running_processor_seconds gauge
workqueue_longest_running_processor_seconds{controller="bucket",name="bucket"} 0
workqueue_longest_running_processor_seconds{controller="gitrepository",name="gitrepository"} 0.84
workqueue_longest_running_processor_seconds{controller="helmchart",name="helmchart"} 0
workqueue_longest_running_processor_seconds{controller="helmrepository",name="helmrepository"} 0
workqueue_longest_running_processor_seconds{controller="ocirepository",name="ocirepository"} 0
workqueue_longest_running_processor_seconds{controller="receiver",name="receiver"} 0
`;

/** What the controller scraper writes for one scrape of `text`, with the workers measurement's samples. */
function scrapeOf(text: string, target: { controller: string; shard?: string }, ts: number): Sample[] {
  const families = selectControllerFamilies(text, [...scrapedFamilies, ...(workersMeasurement.scrape ?? []).flatMap((s) => s.families)]);
  return controllerSamples(families, target, ts, undefined, workersMeasurement.scrape).samples;
}

const START = Date.parse('2026-12-01T10:00:00Z');
const INTERVAL = 10_000;

interface Round {
  active: number;
  depth: number;
  longest?: number;
}

/** Scrapes of one reconciler, one per interval, as the scraper writes them: worker gauges and the per-queue depth. */
function reconcilerScrapes(controller: string, reconciler: string, max: number, rounds: readonly Round[], firstRound = 0): Sample[] {
  return rounds.flatMap((round, i) => {
    const ts = START + (firstRound + i) * INTERVAL;
    const labels = { controller, reconciler };
    const samples: Sample[] = [
      { ts, kind: 'controller', name: 'active_workers', value: round.active, labels },
      { ts, kind: 'controller', name: 'max_concurrent_reconciles', value: max, labels },
      { ts, kind: 'controller', name: 'workqueue_depth', value: round.depth, labels: { controller, queue: reconciler } },
    ];
    if (round.longest !== undefined) samples.push({ ts, kind: 'controller', name: 'longest_running_processor_seconds', value: round.longest, labels });
    return samples;
  });
}

const phases = (measureRound: number, endRound: number): Sample[] => [
  { ts: START - 1, kind: 'phase', name: 'settle' },
  { ts: START + measureRound * INTERVAL - 1, kind: 'phase', name: 'measure' },
  { ts: START + endRound * INTERVAL - 1, kind: 'phase', name: 'verdict' },
];

const stall = (object: string, name: string, seconds: number, round: number): Sample => ({
  ts: START + round * INTERVAL + 3_000,
  kind: 'stall',
  name,
  value: seconds,
  labels: { object },
});

const busy = (n: number, longest = 240): Round[] => Array.from({ length: n }, () => ({ active: 4, depth: 20, longest }));
const idle = (n: number): Round[] => Array.from({ length: n }, () => ({ active: 1, depth: 0, longest: 2 }));

describe('workers measurement: reading the scrape', () => {
  it("turns controller-runtime's worker and workqueue families into one sample per family and reconciler", () => {
    const samples = scrapeOf(kustomizeControllerText, { controller: 'kustomize-controller' }, START);
    const workers = samples.filter((s) => s.labels?.reconciler !== undefined);
    expect(workers).toEqual([
      { ts: START, kind: 'controller', name: 'active_workers', value: 4, labels: { controller: 'kustomize-controller', reconciler: 'kustomization' } },
      { ts: START, kind: 'controller', name: 'max_concurrent_reconciles', value: 4, labels: { controller: 'kustomize-controller', reconciler: 'kustomization' } },
      { ts: START, kind: 'controller', name: 'longest_running_processor_seconds', value: 212.480151377, labels: { controller: 'kustomize-controller', reconciler: 'kustomization' } },
    ]);
    // The depth is the scraper's own sample, one per priority series; the analysis sums them.
    expect(samples.filter((s) => s.name === 'workqueue_depth' && s.labels?.queue === 'kustomization').map((s) => s.value)).toEqual([3, 14]);
    const row = analyzeSamples(samples).workers.reconcilers[0];
    expect(row).toMatchObject({ instance: 'kustomize-controller', reconciler: 'kustomization', maxConcurrent: 4, activeMax: 4, queueMax: 17, saturated: 1 });
  });

  it("samples only Flux's reconcilers, each apart, and labels shards", () => {
    const samples = scrapeOf(sourceControllerText, { controller: 'source-controller', shard: '1' }, START);
    const active = samples.filter((s) => s.name === 'active_workers');
    expect(active.map((s) => s.labels?.reconciler)).toEqual(['gitrepository', 'ocirepository', 'helmchart', 'helmrepository', 'bucket']);
    expect(active.find((s) => s.labels?.reconciler === 'gitrepository')).toMatchObject({ value: 1, labels: { controller: 'source-controller', shard: '1' } });
    expect(samples.some((s) => s.labels?.reconciler === 'receiver')).toBe(false);
    expect(samples.filter((s) => s.labels?.reconciler !== undefined)).toHaveLength(15);
  });

  it('writes nothing of its own for a controller without the worker families', () => {
    const text = kustomizeControllerText.split('\n').filter((line) => !/controller_runtime_(active_workers|max_concurrent)|longest_running/.test(line)).join('\n');
    const samples = scrapeOf(text, { controller: 'helm-controller' }, START);
    expect(samples.filter((s) => s.labels?.reconciler !== undefined)).toEqual([]);
    expect(samples.some((s) => s.name === 'workqueue_depth')).toBe(true);
  });
});

describe('workers measurement: saturation', () => {
  // 6 settle rounds, then 20 measure rounds: 14 saturated (70%), then 6 with workers to spare.
  const kustomize = reconcilerScrapes('kustomize-controller', 'kustomization', 4, [...busy(6), ...busy(14), ...idle(6)]);
  const holders = Array.from({ length: 12 }, (_, i) => stall(`Kustomization/apps/broken-${String(i + 1).padStart(2, '0')}`, 'attempted_ne_applied', 600 + i * 10, 12));
  const saturatedRun: Sample[] = [
    ...phases(6, 26),
    ...kustomize,
    ...holders,
    stall('HelmRelease/apps/other', 'attempted_ne_applied', 900, 12),
    stall('Kustomization/apps/long-ago', 'attempted_ne_applied', 9_000, 2),
    stall('Kustomization/apps/waiting', 'dependency_not_ready', 900, 12),
  ];

  it("counts only the measure phase's scrapes, and names the saturated controller, its fixes and the likely holders", () => {
    const analysis = analyzeSamples(saturatedRun);
    expect(analysis.workers.window).toBe('measure');
    const [row] = analysis.workers.reconcilers;
    expect(row).toMatchObject({ instance: 'kustomize-controller', reconciler: 'kustomization', scrapes: 20, saturatedScrapes: 14, saturated: 0.7, activeMax: 4, queueMax: 20, longestRunningMax: 240 });
    expect(row!.holders).toHaveLength(10);
    expect(row!.holders![0]).toBe('Kustomization/apps/broken-12');
    expect(row!.holdersTotal).toBe(12);

    const metrics = flatMetrics(analysis);
    expect(metrics['workers.kustomize-controller.saturated']).toBe(0.7);
    expect(metrics['workers.kustomize-controller.longest_running.max']).toBe(240);

    const warnings = measurementWarnings(analysis).filter((w) => w.startsWith('kustomize-controller:'));
    expect(warnings).toHaveLength(1);
    const [warning] = warnings;
    expect(warning).toContain("all 4 kustomization workers were busy with work waiting in 70% of the measure phase's scrapes (up to 20 waiting, a reconcile running for up to 4m)");
    expect(warning).toContain('the likely cause of the lag of its other objects');
    expect(warning).toContain('a shorter `spec.timeout` on the Kustomizations with health checks (`wait: true` or `healthChecks`)');
    expect(warning).toContain('more workers (`controllers.kustomize.concurrent`, `--concurrent`, now 4)');
    expect(warning).toContain('fixing the failing health checks');
    expect(warning).toContain('Kustomization/apps/broken-12, Kustomization/apps/broken-11');
    expect(warning).toContain('and 2 more.');
    expect(warning).not.toMatch(/HelmRelease\/apps\/other|long-ago|apps\/waiting|broken-01\b/);
  });

  it('names the holders from the reconciles that ran while the workers were full, before any stall says so', () => {
    const at = (round: number) => START + round * INTERVAL;
    const progressing = (object: string, round: number, value: 0 | 1): Sample => ({ ts: at(round), kind: 'reconcile', name: 'progressing', value, labels: { object } });
    const run = [
      ...saturatedRun.filter((s) => s.kind !== 'stall'),
      // Two health checks holding workers across the saturation, one short reconcile, one of another kind.
      progressing('Kustomization/apps/slow-a', 3, 1),
      progressing('Kustomization/apps/slow-a', 9, 0),
      progressing('Kustomization/apps/slow-b', 4, 1),
      progressing('Kustomization/apps/quick', 5, 1),
      progressing('Kustomization/apps/quick', 5.5, 0),
      progressing('HelmRelease/apps/hr', 3, 1),
      progressing('HelmRelease/apps/hr', 12, 0),
    ].sort((a, b) => a.ts - b.ts);
    const [row] = analyzeSamples(run).workers.reconcilers;
    // slow-b never ended: it holds its worker until the run's last sample.
    expect(row!.holders).toEqual(['Kustomization/apps/slow-b', 'Kustomization/apps/slow-a']);
    expect(row!.holdersTotal).toBe(2);
    expect(row!.holdersFrom).toBe('reconciles');
    expect(measurementWarnings(analyzeSamples(run)).join('\n')).toContain('The reconciles that held workers longest while they were full: Kustomization/apps/slow-b, Kustomization/apps/slow-a.');
  });

  it('renders the Workers section and the sentence in the report, and round-trips through summary.json', () => {
    const summary = buildSummary(saturatedRun, syntheticRunMeta({ thresholds: ['workers.kustomize-controller.saturated < 0.5'] }));
    const report = renderMarkdown(summary);
    const section = report.slice(report.indexOf('## Workers'));
    expect(section).toContain('| Controller | Reconciler | Max concurrent | Peak active | Saturated with work waiting (measure phase) | Deepest queue | Longest-running reconcile |');
    expect(section).toContain('| kustomize-controller | kustomization | 4 | 4 | 70% (14 of 20) | 20 | 4m |');
    expect(report).toContain('> **Warning:** kustomize-controller: all 4 kustomization workers');
    expect(summary.thresholds).toMatchObject([{ metric: 'workers.kustomize-controller.saturated', actual: 0.7, ok: false }]);
    expect(parseSummary(JSON.parse(JSON.stringify(summary))).workers).toEqual(summary.workers);
  });

  it('is not saturated with workers to spare, nor with every worker busy and nothing waiting', () => {
    const samples = [
      ...phases(0, 10),
      ...reconcilerScrapes('kustomize-controller', 'kustomization', 4, Array.from({ length: 10 }, () => ({ active: 4, depth: 0, longest: 30 }))),
      ...reconcilerScrapes('helm-controller', 'helmrelease', 2, Array.from({ length: 10 }, () => ({ active: 1, depth: 9 }))),
    ];
    const analysis = analyzeSamples(samples);
    expect(analysis.workers.reconcilers.map((r) => [r.instance, r.saturated, r.holders])).toEqual([
      ['helm-controller', 0, undefined],
      ['kustomize-controller', 0, undefined],
    ]);
    expect(flatMetrics(analysis)).toMatchObject({ 'workers.kustomize-controller.saturated': 0, 'workers.helm-controller.saturated': 0 });
    expect(measurementWarnings(analysis).filter((w) => w.includes('workers were busy'))).toEqual([]);
    expect(judgeThresholds(['workers.kustomize-controller.saturated < 50%'], flatMetrics(analysis))[0]).toMatchObject({ ok: true, actual: 0 });
  });

  it('gives the share but no sentence below a quarter of the scrapes', () => {
    const samples = [...phases(0, 10), ...reconcilerScrapes('kustomize-controller', 'kustomization', 4, [...busy(2), ...idle(8)])];
    const analysis = analyzeSamples(samples);
    expect(flatMetrics(analysis)['workers.kustomize-controller.saturated']).toBe(0.2);
    expect(measurementWarnings(analysis).filter((w) => w.includes('workers were busy'))).toEqual([]);
  });

  it('counts a controller running several reconcilers as its worst, and says when the samples cannot name the holders', () => {
    const samples = [
      ...reconcilerScrapes('source-controller', 'gitrepository', 2, [...busy(3, 60), ...idle(7)]),
      ...reconcilerScrapes('source-controller', 'helmchart', 2, [...busy(6, 30), ...idle(4)]),
    ];
    const analysis = analyzeSamples(samples);
    expect(analysis.workers.window).toBe('run');
    expect(flatMetrics(analysis)).toMatchObject({ 'workers.source-controller.saturated': 0.6, 'workers.source-controller.longest_running.max': 60 });
    const warnings = measurementWarnings(analysis).filter((w) => w.startsWith('source-controller:'));
    expect(warnings).toHaveLength(2);
    expect(warnings[1]).toContain("all 2 helmchart workers were busy with work waiting in 60% of the run's scrapes");
    expect(warnings[1]).toContain('`controllers.source.concurrent`');
    expect(warnings[1]).toContain('The samples do not name the objects that held the workers.');
  });

  it('has no rows, metrics, section or sentence for controllers without the worker families', () => {
    const samples: Sample[] = [
      ...phases(0, 5),
      ...Array.from({ length: 5 }, (_, i): Sample => ({ ts: START + i * INTERVAL, kind: 'controller', name: 'workqueue_depth', value: 50, labels: { controller: 'kustomize-controller', queue: 'kustomization' } })),
      ...reconcilerScrapes('source-controller', 'gitrepository', 2, idle(5)),
    ];
    const analysis = analyzeSamples(samples);
    expect(analysis.workers.reconcilers.map((r) => r.instance)).toEqual(['source-controller']);
    expect(Object.keys(flatMetrics(analysis)).filter((name) => name.startsWith('workers.kustomize-controller'))).toEqual([]);
    const empty = buildSummary(samples.filter((s) => s.labels?.controller === 'kustomize-controller' || s.kind === 'phase'), syntheticRunMeta({ thresholds: [] }));
    expect(empty.workers).toBeUndefined();
    expect(renderMarkdown(empty)).not.toContain('## Workers');
  });
});

describe('workers metrics in thresholds', () => {
  it('are catalogue names, with limits written as ratios or percentages and durations', () => {
    expect(metricProblem('workers.kustomize-controller.saturated')).toBeUndefined();
    expect(metricProblem('workers.kustomize-controller-shard2.longest_running.max')).toBeUndefined();
    expect(metricProblem('workers.*.saturated')).toBeUndefined();
    expect(metricProblem('workers.kustomize-controller.saturation')).toMatch(/did you mean "workers.kustomize-controller.saturated"/);
    expect(limitUnitProblem('workers.kustomize-controller.saturated', parseMetricValue('0.5'))).toBeUndefined();
    expect(limitUnitProblem('workers.kustomize-controller.saturated', parseMetricValue('25%'))).toBeUndefined();
    expect(limitUnitProblem('workers.kustomize-controller.saturated', parseMetricValue('30s'))).toMatch(/is a ratio/);
    expect(limitUnitProblem('workers.kustomize-controller.longest_running.max', parseMetricValue('2m'))).toBeUndefined();
  });
});
