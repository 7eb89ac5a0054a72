import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lagSubsets, metricProblem, parseLagSubsetMetric } from '../../../src/measurements/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { buildSummary } from '../../../src/report/summary.ts';
import { renderMarkdown } from '../../../src/report/markdown.ts';
import { thresholdExpressionSchema } from '../../../src/scenario/expression-schemas.ts';
import { syntheticRunMeta } from '../report/synthetic-run.ts';

const lag = (object: string, seconds: number, stage = 'applied', repo = 'fleet/mono'): Sample => ({
  ts: 1_700_000_000_000 + seconds * 1000,
  kind: 'lag',
  name: stage,
  value: seconds,
  labels: { object, repo, commit: 'c1', stage },
});

// Ten healthy apps that apply in seconds, two broken ones whose applies wait minutes behind them.
const samples: Sample[] = [
  ...Array.from({ length: 10 }, (_, i) => lag(`Kustomization/team-1/app-0${i}`, 5 + i)),
  lag('Kustomization/team-1/broken-1', 240),
  lag('Kustomization/team-1/broken-2', 250),
  lag('GitRepository/team-1/mono', 3, 'artifact'),
];

describe('lag of a subset of objects', () => {
  it('computes each subset from the samples of the objects its selector matches', () => {
    const { metrics, subsets } = lagSubsets(samples, [
      'lag.applied{name=app-0*}.max',
      'lag.applied{name!=broken-*}.count',
      'lag.applied{name=broken-*,namespace=team-1}.p50',
      'lag.applied{kind=HelmRelease}.count',
      'lag.applied{kind=HelmRelease}.p95',
      'lag.artifact{repo=fleet/*}.max',
    ]);
    expect(metrics['lag.applied{name=app-0*}.max']).toBe(14);
    expect(metrics['lag.applied{name!=broken-*}.count']).toBe(10);
    expect(metrics['lag.applied{name=broken-*,namespace=team-1}.p50']).toBeGreaterThanOrEqual(240);
    // Nothing matched: count is 0, a percentile has no data.
    expect(metrics['lag.applied{kind=HelmRelease}.count']).toBe(0);
    expect(metrics).not.toHaveProperty('lag.applied{kind=HelmRelease}.p95');
    expect(metrics['lag.artifact{repo=fleet/*}.max']).toBe(3);
    expect(subsets.map((s) => `${s.stage} {${s.selector}} ${s.distribution?.count ?? 0}`)).toEqual([
      'applied {name=app-0*} 10',
      'applied {name!=broken-*} 10',
      'applied {name=broken-*,namespace=team-1} 2',
      'applied {kind=HelmRelease} 0',
      'artifact {repo=fleet/*} 1',
    ]);
  });

  it('judges thresholds on a subset and shows it in the lag table', () => {
    const summary = buildSummary(samples, syntheticRunMeta({ thresholds: ['lag.applied{name=app-0*}.p95 < 30s', 'lag.applied.p95 < 30s'] }));
    expect(summary.thresholds.map((t) => [t.metric, t.ok])).toEqual([
      ['lag.applied{name=app-0*}.p95', true],
      ['lag.applied.p95', false],
    ]);
    expect(renderMarkdown(summary)).toMatch(/\| applied \{name=app-0\*\} \| 10 \|/);
  });

  it('names the wrong part of a malformed subset before a run', () => {
    expect(metricProblem('lag.applied{app=app-0*}.p95')).toMatch(/unknown selector key "app" \(allowed: kind, namespace, name, repo\)/);
    expect(metricProblem('memory.kustomize-controller{name=a}.max')).toMatch(/selectors are allowed on lag.<stage> only/);
    expect(metricProblem('lag.applied{name=a*}.mean')).toMatch(/ends in one of p50, p95, p99, max, count/);
    expect(metricProblem('lag.applied{name}.p95')).toMatch(/selector term "name" is not <key>=<glob>/);
    expect(metricProblem('lag.applied{name=a*}.p95')).toBeUndefined();
    expect(thresholdExpressionSchema.safeParse('lag.applied{name=app-0*}.p95 < 30s').success).toBe(true);
    const wrongUnit = thresholdExpressionSchema.safeParse('lag.applied{name=app-0*}.p95 < 1Gi');
    expect(wrongUnit.success).toBe(false);
    expect(wrongUnit.error?.issues[0]?.message).toMatch(/seconds/);
  });

  it('a subset selecting everything equals the whole, and complementary subsets partition it', () => {
    const object = fc.constantFrom('app-01', 'app-02', 'web-1', 'broken-1');
    fc.assert(
      fc.property(fc.array(fc.tuple(object, fc.integer({ min: 0, max: 600 })), { minLength: 1, maxLength: 40 }), (pairs) => {
        const run = pairs.map(([name, s]) => lag(`Kustomization/apps/${name}`, s));
        const { metrics } = lagSubsets(run, ['lag.applied{name=*}.count', 'lag.applied{name=app-*}.count', 'lag.applied{name!=app-*}.count', 'lag.applied{name=*}.max']);
        expect(metrics['lag.applied{name=*}.count']).toBe(run.length);
        expect(metrics['lag.applied{name=app-*}.count']! + metrics['lag.applied{name!=app-*}.count']!).toBe(run.length);
        expect(metrics['lag.applied{name=*}.max']).toBe(Math.max(...pairs.map(([, s]) => s)));
      }),
    );
  });

  it('keeps the name as written, without spaces, as the metric key', () => {
    expect(parseLagSubsetMetric('lag.applied{ name=app-0* , namespace=a }.p95').name).toBe('lag.applied{name=app-0*,namespace=a}.p95');
  });
});
