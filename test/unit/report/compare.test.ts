import { describe, expect, it } from 'vitest';
import { buildSummary, compareSummaries, defaultLimits, parseLimitsOption, renderComparison, type Summary } from '../../../src/report/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';
import { syntheticRunMeta, syntheticSamples } from './synthetic-run.ts';

const baseline = buildSummary(syntheticSamples(1), syntheticRunMeta({ runId: 'base' }));

function withMetrics(summary: Summary, changes: Record<string, number | undefined>, runId = 'cur'): Summary {
  const metrics = { ...summary.metrics };
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete metrics[k];
    else metrics[k] = v;
  }
  return { ...summary, run: { ...summary.run, runId }, metrics };
}

describe('compareSummaries', () => {
  it('flags a metric that grew beyond its limit and passes one within', () => {
    const lag = baseline.metrics['lag.applied.p95']!;
    const mem = baseline.metrics['memory.source-controller.max']!;
    const current = withMetrics(baseline, { 'lag.applied.p95': lag * 1.25, 'memory.source-controller.max': mem * 1.1 });
    const comparison = compareSummaries(baseline, current, { 'lag.applied.p95': '+20%', 'memory.*.max': '+15%' });
    expect(comparison.regressed).toBe(true);
    const byMetric = Object.fromEntries(comparison.results.map((r) => [r.metric, r]));
    expect(byMetric['lag.applied.p95']).toMatchObject({ verdict: 'regression', ok: false });
    expect(byMetric['memory.source-controller.max']).toMatchObject({ verdict: 'pass', ok: true });
    const lagDelta = comparison.deltas.find((d) => d.metric === 'lag.applied.p95')!;
    expect(lagDelta.deltaPct).toBeCloseTo(25, 6);
  });

  it('is not a regression when every limit holds, and a limit on a vanished metric fails', () => {
    expect(compareSummaries(baseline, withMetrics(baseline, {}), { 'lag.*.p95': '+0%' }).regressed).toBe(false);
    const gone = compareSummaries(baseline, withMetrics(baseline, { 'lag.ready.p95': undefined }), { 'lag.ready.p95': '+10%' });
    expect(gone.regressed).toBe(true);
    expect(gone.results[0]).toMatchObject({ metric: 'lag.ready.p95', verdict: 'missing' });
  });

  it('renders a table with both values, the change and the verdict line', () => {
    const lag = baseline.metrics['lag.applied.p95']!;
    const current = withMetrics(baseline, { 'lag.applied.p95': lag * 2 });
    const text = renderComparison(compareSummaries(baseline, current, { 'lag.applied.p95': '+20%' }), 'option');
    const row = text.split('\n').find((line) => line.startsWith('lag.applied.p95 '))!;
    expect(row).toMatch(/\+100%\s+\+20%\s+✗ regression$/);
    expect(text).toContain('baseline: base (synthetic, failed)');
    expect(text).toContain('limits:   from --limits');
    expect(text.trimEnd().endsWith('REGRESSION: 1 of 1 limits failed')).toBe(true);
    const ok = renderComparison(compareSummaries(baseline, baseline, {}), 'none');
    expect(ok.trimEnd().endsWith('NO LIMITS: nothing judged')).toBe(true);
  });
});

describe('defaultLimits', () => {
  it("prefers the current run's scenario limits, then the baseline's", () => {
    const none = { ...baseline, regression: undefined };
    expect(defaultLimits(baseline, { ...baseline, regression: { 'a.b': '+1%' } })).toEqual({ limits: { 'a.b': '+1%' }, source: 'current' });
    expect(defaultLimits(baseline, none)).toEqual({ limits: baseline.regression, source: 'baseline' });
    expect(defaultLimits(none, none)).toEqual({ limits: {}, source: 'none' });
  });
});

describe('parseLimitsOption', () => {
  it('parses metric=limit pairs with globs', () => {
    expect(parseLimitsOption('lag.applied.p95=+20%, memory.*.max=+64Mi,objects.ready.last=-5%')).toEqual({
      'lag.applied.p95': '+20%',
      'memory.*.max': '+64Mi',
      'objects.ready.last': '-5%',
    });
  });
  it('rejects malformed pairs and limits with errors naming the option', () => {
    expect(() => parseLimitsOption('lag.applied.p95')).toThrow(UsageError);
    expect(() => parseLimitsOption('lag.applied.p95')).toThrow(/--limits: "lag.applied.p95" must be <metric>=<limit>/);
    expect(() => parseLimitsOption('lag.applied.p95=20%')).toThrow(/--limits: .*allowed signs: \+, -, ±/);
    expect(() => parseLimitsOption('lag applied=+1')).toThrow(/--limits: metric "lag applied"/);
  });
});

describe('compare --limits against the metric catalogue', () => {
  it('refuses an unknown metric at once, with the nearest name', () => {
    expect(() => parseLimitsOption('lag.aplied.p95=+20%')).toThrow(/--limits: unknown metric "lag\.aplied\.p95"; did you mean "lag\.applied\.p95"\?/);
    expect(parseLimitsOption('lag.applied.p95=+20%,memory.*.max=+15%')).toEqual({ 'lag.applied.p95': '+20%', 'memory.*.max': '+15%' });
  });
});
