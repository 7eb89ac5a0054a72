import { describe, expect, it } from 'vitest';
import { analyzeSamples, findMetric, flatMetrics, formatMetricValue, limitUnitProblem, measurementWarnings, metricProblem, parseMetricValue } from '../../../src/measurements/index.ts';
import { expectedReadySample } from '../../../src/metrics/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary, renderMarkdown, type RunMeta } from '../../../src/report/index.ts';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (seconds: number) => T0 + seconds * 1000;

/** A `ready` sample as the lag measurement's watches write it. */
function ready(name: 'seen' | 'ready' | 'removed', id: string, seconds: number): Sample {
  const [kind, namespace, objectName] = id.split('/') as [string, string, string];
  return { ts: at(seconds), kind: 'ready', name, labels: { kind, namespace, name: objectName } };
}

/** The recorded shape of a run: phases, the runner's expected list, then each object seen and (maybe) Ready. */
function run(objects: Record<string, number | undefined>, options: { neverReady?: string[]; expected?: boolean } = {}): Sample[] {
  const samples: Sample[] = [
    { ts: at(-30), kind: 'phase', name: 'generate' },
    { ts: at(0), kind: 'phase', name: 'apply' },
    { ts: at(2), kind: 'phase', name: 'settle' },
  ];
  if (options.expected !== false) {
    samples.push(expectedReadySample(at(2), Object.keys(objects), (options.neverReady ?? []).map((object) => ({ object, cause: 'cycle' }))));
  }
  for (const [id, readyAfter] of Object.entries(objects)) {
    samples.push(ready('seen', id, 1));
    if (readyAfter !== undefined) samples.push(ready('ready', id, readyAfter));
  }
  // The per-interval counts the same watches write; time-to-Ready must not depend on them.
  samples.push({ ts: at(5), kind: 'objects', name: 'ready', value: 1, labels: { kind: 'Kustomization' } });
  return samples;
}

const meta = (thresholds: string[] = []): RunMeta => ({
  runId: 'r',
  scenarioName: 's',
  scenarioPath: '/s.yaml',
  startedAt: new Date(at(-60)).toISOString(),
  endedAt: new Date(at(120)).toISOString(),
  status: 'passed',
  provider: 'local',
  versions: { flux: '2.9.5', kubernetes: '1.35.0' },
  thresholds,
});

const allReady = {
  'GitRepository/flux-system/fleet': 3,
  'Kustomization/flux-system/fleet': 8,
  'Kustomization/apps/app-1': 20,
  'Kustomization/apps/app-2': 30,
  'Kustomization/apps/app-3': 40,
};

describe('the ready measurement on recorded sample streams', () => {
  it('gives all_after and the rate from the apply, overall and per kind, when everything got Ready', () => {
    const analysis = analyzeSamples(run(allReady));
    const metrics = flatMetrics(analysis);
    expect(metrics['ready.all_after']).toBe(40);
    expect(metrics['ready.rate']).toBeCloseTo(5 / 40);
    expect(metrics['ready.not_ready']).toBe(0);
    expect(metrics['ready.kustomization.all_after']).toBe(40);
    expect(metrics['ready.kustomization.rate']).toBeCloseTo(4 / 40);
    expect(metrics['ready.gitrepository.all_after']).toBe(3);
    expect(metrics['ready.gitrepository.rate']).toBeCloseTo(1 / 3);
    expect(metrics['ready.kustomization.not_ready']).toBe(0);
    // Every name is in the catalogue, once.
    const names = Object.keys(metrics).filter((n) => n.startsWith('ready.'));
    expect(names.filter((n) => findMetric(n).length !== 1)).toEqual([]);
    const stats = analysis.ready!;
    expect(stats.basis).toBe('expected');
    expect(stats.all).toMatchObject({ total: 5, ready: 5, after50: 20, after90: 40, allAfter: 40, notReady: [] });
    expect(stats.all.slowest[0]).toEqual({ object: 'Kustomization/apps/app-3', seconds: 40 });
    expect(stats.all.curve[0]).toEqual([0, 0]);
    expect(stats.all.curve.at(-1)).toEqual([40, 5]);
    expect(measurementWarnings(analysis)).toEqual([]);
  });

  it('says when one object never got Ready: not_ready 1, all_after absent, a verdict warning naming it, no failure', () => {
    const samples = run({ ...allReady, 'Kustomization/apps/app-3': undefined });
    const summary = buildSummary(samples, meta());
    expect(summary.metrics['ready.not_ready']).toBe(1);
    expect(summary.metrics['ready.kustomization.not_ready']).toBe(1);
    expect(summary.metrics['ready.gitrepository.not_ready']).toBe(0);
    expect(summary.metrics).not.toHaveProperty('ready.all_after');
    expect(summary.metrics).not.toHaveProperty('ready.kustomization.all_after');
    expect(summary.metrics['ready.gitrepository.all_after']).toBe(3);
    // The rate is over the objects that did get Ready, up to the last of them.
    expect(summary.metrics['ready.rate']).toBeCloseTo(4 / 30);
    expect(summary.verdict).toBe('passed');
    expect(summary.warnings).toHaveLength(1);
    const warning = summary.warnings![0]!;
    expect(warning).toContain('1 of 5 objects that can be Ready were never Ready after the apply (Kustomization 1): Kustomization/apps/app-3');
    expect(warning).toContain('the slowest that did: Kustomization/apps/app-2 after 30s');
    expect(warning).toContain('not_ready: 1');
    const markdown = renderMarkdown(summary);
    expect(markdown).toContain(`> **Warning:** ${warning}`);
    expect(markdown).toMatch(/\| all \| 5 \| 4 \| 20s \| — \| — \| 0\.13 \|/);
  });

  it('lets a threshold on ready.not_ready fail the run', () => {
    const summary = buildSummary(run({ ...allReady, 'Kustomization/apps/app-1': undefined }), meta(['ready.not_ready == 0', 'ready.all_after < 1m']));
    expect(summary.verdict).toBe('failed');
    expect(summary.thresholds.map((t) => [t.expression, t.ok, t.actual])).toEqual([
      ['ready.not_ready == 0', false, 1],
      ['ready.all_after < 1m', false, undefined],
    ]);
    expect(buildSummary(run(allReady), meta(['ready.not_ready == 0', 'ready.all_after < 1m'])).verdict).toBe('passed');
  });

  it('waits only for what can be Ready: the ground truth leaves cycles out, and lists them', () => {
    const samples = run(allReady, { neverReady: ['Kustomization/apps/app-4'] });
    // The cycle member is seen (and never Ready), but not waited for.
    samples.push(ready('seen', 'Kustomization/apps/app-4', 1));
    const summary = buildSummary(samples, meta());
    expect(summary.metrics['ready.all_after']).toBe(40);
    expect(summary.metrics['ready.not_ready']).toBe(0);
    expect(summary.warnings).toBeUndefined();
    expect(summary.ready!.neverReady).toEqual([{ object: 'Kustomization/apps/app-4', cause: 'cycle' }]);
    expect(renderMarkdown(summary)).toContain('| never Ready by design | 0 |');
  });

  it('counts an object expected but never even created as not Ready, with its kind from its id', () => {
    const samples = run(allReady);
    samples.push(expectedReadySample(at(2), [...Object.keys(allReady), 'HelmRelease/apps/web'], []));
    const metrics = flatMetrics(analyzeSamples(samples));
    expect(metrics['ready.not_ready']).toBe(1);
    expect(metrics['ready.helmrelease.not_ready']).toBe(1);
    expect(metrics).not.toHaveProperty('ready.helmrelease.all_after');
  });

  it('without the runner\'s list waits for every object seen, keeping only the first Ready and forgetting objects deleted before it', () => {
    const samples = run(allReady, { expected: false });
    samples.push(ready('ready', 'Kustomization/apps/app-1', 90)); // a later Ready again does not move the first one
    samples.push(ready('seen', 'Kustomization/apps/gone', 5), ready('removed', 'Kustomization/apps/gone', 6));
    const stats = analyzeSamples(samples).ready!;
    expect(stats.basis).toBe('seen');
    expect(stats.all).toMatchObject({ total: 5, ready: 5, allAfter: 40 });
  });

  it('checks threshold names and limits against the catalogue: kinds lower-cased, rates as plain numbers per second', () => {
    expect(metricProblem('ready.kustomization.all_after')).toBeUndefined();
    expect(metricProblem('ready.*.not_ready')).toBeUndefined();
    expect(metricProblem('ready.Kustomization.all_after')).toMatch(/did you mean "ready\.kustomization\.all_after"/);
    expect(limitUnitProblem('ready.rate', parseMetricValue('2.5'))).toBeUndefined();
    expect(limitUnitProblem('ready.rate', parseMetricValue('30s'))).toBe('"ready.rate" is a rate per second, but the limit 30s is a duration; write a plain number per second such as "2.5"');
    expect(limitUnitProblem('ready.all_after', parseMetricValue('1m'))).toBeUndefined();
    expect(formatMetricValue('ready.all_after', 95)).toBe('1m35s');
    expect(formatMetricValue('ready.rate', 2.5)).toBe('2.5');
  });

  it('produces nothing without an apply phase (runs recorded before it, synthetic streams)', () => {
    const samples = run(allReady).filter((s) => !(s.kind === 'phase' && s.name === 'apply'));
    const analysis = analyzeSamples(samples);
    expect(analysis.ready).toBeUndefined();
    expect(Object.keys(flatMetrics(analysis)).filter((n) => n.startsWith('ready.'))).toEqual([]);
  });
});

describe('Ready again after churn bursts', () => {
  const shaA = 'a'.repeat(40);
  const shaB = 'b'.repeat(40);
  const shaC = 'c'.repeat(40);
  /** A lag sample as the lag measurement writes it: at the moment reached, valued at seconds since the push. */
  const lag = (stage: 'applied' | 'ready', object: string, sha: string, pushedAt: number, reachedAt: number): Sample => ({
    ts: at(reachedAt),
    kind: 'lag',
    name: stage,
    value: reachedAt - pushedAt,
    labels: { object, repo: 'fleet/apps', commit: sha, stage },
  });
  const churnStart = (seconds: number): Sample => ({ ts: at(seconds), kind: 'fault', name: 'start', labels: { fault: 'churn.start', target: 'all repos' }, detail: { action: 'churn.start', index: 0 } });

  it('times each burst from its last push until every object that applied one of its commits is Ready at its newest', () => {
    const samples = run(allReady);
    samples.push(churnStart(60));
    // Burst 1: commits A (pushed at 61 s) and B (at 66 s); app-1 reaches B at 70 s, app-2 only at 80 s.
    samples.push(lag('applied', 'Kustomization/apps/app-1', shaA, 61, 64), lag('ready', 'Kustomization/apps/app-1', shaA, 61, 65));
    samples.push(lag('applied', 'Kustomization/apps/app-1', shaB, 66, 69), lag('ready', 'Kustomization/apps/app-1', shaB, 66, 70));
    samples.push(lag('applied', 'Kustomization/apps/app-2', shaA, 61, 78), lag('ready', 'Kustomization/apps/app-2', shaA, 61, 80));
    samples.push(lag('applied', 'Kustomization/apps/app-2', shaB, 66, 78), lag('ready', 'Kustomization/apps/app-2', shaB, 66, 80));
    // Burst 2: commit C at 101 s; app-1 applies it but never gets Ready at it.
    samples.push(churnStart(100), lag('applied', 'Kustomization/apps/app-1', shaC, 101, 104));
    const summary = buildSummary(samples, meta());
    const [first, second] = summary.ready!.bursts;
    expect(first).toMatchObject({ commits: 2, firstPushAt: at(61), lastPushAt: at(66), touched: 2, readyAgain: 2, allAfter: 14, notReady: [] });
    expect(first!.slowest[0]).toEqual({ object: 'Kustomization/apps/app-2', seconds: 14 });
    expect(second).toMatchObject({ commits: 1, touched: 1, readyAgain: 0, notReady: ['Kustomization/apps/app-1'] });
    expect(second).not.toHaveProperty('allAfter');
    // One burst never settled: the slowest burst has no time, and says how many it left behind.
    expect(summary.metrics).not.toHaveProperty('ready.churn.all_after');
    expect(summary.metrics['ready.churn.not_ready']).toBe(1);
    const settled = buildSummary([...samples, lag('ready', 'Kustomization/apps/app-1', shaC, 101, 110)], meta());
    expect(settled.metrics['ready.churn.all_after']).toBe(14);
    expect(settled.metrics['ready.churn.not_ready']).toBe(0);
    expect(renderMarkdown(settled)).toMatch(/## Ready again after churn bursts[\s\S]*\| churn\.start \| \+1m after the apply \| 2 \| 5s \| 2 \| 2 \| 14s \|/);
  });
});
