import { describe, expect, it } from 'vitest';
import { diffMetrics, evaluateRegression, parseRegressionLimit, renderRegressionSummary } from '../../../src/scenario/index.ts';

describe('parseRegressionLimit', () => {
  it('reads the sign as the direction and percentages as relative limits', () => {
    expect(parseRegressionLimit('+20%')).toEqual({ text: '+20%', direction: 'increase', amount: 0.2, relative: true, unit: 'ratio' });
    expect(parseRegressionLimit('-10%')).toMatchObject({ direction: 'decrease', amount: 0.1, relative: true });
    expect(parseRegressionLimit('±5%')).toMatchObject({ direction: 'either', amount: 0.05 });
    expect(parseRegressionLimit('+-5%')).toMatchObject({ direction: 'either' });
    expect(parseRegressionLimit('+5s')).toMatchObject({ direction: 'increase', amount: 5, relative: false, unit: 'seconds' });
    expect(parseRegressionLimit('+64Mi')).toMatchObject({ amount: 64 * 1024 ** 2, relative: false });
    expect(parseRegressionLimit('+0')).toMatchObject({ amount: 0, relative: false });
  });

  it('rejects unsigned or malformed limits, naming the allowed signs', () => {
    expect(() => parseRegressionLimit('20%')).toThrow('(allowed signs: +, -, ±)');
    expect(() => parseRegressionLimit('+lots')).toThrow('"lots" is not a number');
  });
});

describe('evaluateRegression', () => {
  const baseline = {
    'lag.applied.p95': 10,
    'memory.source-controller.max': 100 * 1024 ** 2,
    'memory.kustomize-controller.max': 200 * 1024 ** 2,
    'github.quota.min_remaining': 1000,
    'restarts.count': 0,
  };

  it('passes within the limit, including exactly at it', () => {
    const [result] = evaluateRegression(baseline, { ...baseline, 'lag.applied.p95': 12 }, { 'lag.applied.p95': '+20%' });
    expect(result).toMatchObject({ metric: 'lag.applied.p95', baseline: 10, current: 12, delta: 2, verdict: 'pass', ok: true });
    expect(result?.deltaPct).toBeCloseTo(20);
    expect(result?.message).toBe('lag.applied.p95: 10s → 12s (+2s, +20%) within +20%');
  });

  it('flags a regression beyond the limit', () => {
    const [result] = evaluateRegression(baseline, { ...baseline, 'lag.applied.p95': 12.5 }, { 'lag.applied.p95': '+20%' });
    expect(result).toMatchObject({ verdict: 'regression', ok: false, delta: 2.5, deltaPct: 25 });
    expect(result?.message).toBe('lag.applied.p95: 10s → 12.5s (+2.5s, +25%) exceeds +20%');
  });

  it('lets an increase-only limit ignore improvements and a decrease limit catch drops', () => {
    const current = { ...baseline, 'lag.applied.p95': 1, 'github.quota.min_remaining': 800 };
    const results = evaluateRegression(baseline, current, { 'lag.applied.p95': '+20%', 'github.quota.min_remaining': '-10%' });
    expect(results.map((result) => [result.metric, result.verdict])).toEqual([
      ['github.quota.min_remaining', 'regression'],
      ['lag.applied.p95', 'pass'],
    ]);
  });

  it('applies absolute limits in base units and either-way limits both ways', () => {
    const current = { ...baseline, 'memory.source-controller.max': 170 * 1024 ** 2, 'lag.applied.p95': 9 };
    const results = evaluateRegression(baseline, current, { 'memory.source-controller.max': '+64Mi', 'lag.applied.p95': '±5%' });
    expect(results.map((result) => [result.metric, result.verdict])).toEqual([
      ['lag.applied.p95', 'regression'],
      ['memory.source-controller.max', 'regression'],
    ]);
  });

  it('expands globs and lets the most specific limit win', () => {
    const current = { ...baseline, 'memory.source-controller.max': 125 * 1024 ** 2, 'memory.kustomize-controller.max': 220 * 1024 ** 2 };
    const results = evaluateRegression(baseline, current, { 'memory.*.max': '+15%', 'memory.source-controller.max': '+30%' });
    expect(results.map((result) => [result.metric, result.pattern, result.verdict])).toEqual([
      ['memory.kustomize-controller.max', 'memory.*.max', 'pass'],
      ['memory.source-controller.max', 'memory.source-controller.max', 'pass'],
    ]);
  });

  it('fails a metric missing from the current run and one no limit can find, but accepts a new metric', () => {
    const current = { 'lag.applied.p95': 10, 'memory.helm-controller.max': 50 };
    const results = evaluateRegression(baseline, current, { 'memory.*.max': '+15%', 'oom.*.count': '+0' });
    expect(results.map((result) => [result.metric, result.verdict, result.ok])).toEqual([
      ['oom.*.count', 'missing', false],
      ['memory.helm-controller.max', 'new', true],
      ['memory.kustomize-controller.max', 'missing', false],
      ['memory.source-controller.max', 'missing', false],
    ]);
  });

  it('treats growth from a zero baseline as infinite for relative limits', () => {
    const [result] = evaluateRegression(baseline, { ...baseline, 'restarts.count': 1 }, { 'restarts.count': '+50%' });
    expect(result).toMatchObject({ verdict: 'regression', deltaPct: Infinity });
    const [same] = evaluateRegression(baseline, baseline, { 'restarts.count': '+0%' });
    expect(same).toMatchObject({ verdict: 'pass', deltaPct: 0 });
  });
});

describe('diffMetrics and renderRegressionSummary', () => {
  it('lists every metric of either run with its change', () => {
    expect(diffMetrics({ a: 2, b: 1 }, { a: 3, c: 4 })).toEqual([
      { metric: 'a', baseline: 2, current: 3, delta: 1, deltaPct: 50 },
      { metric: 'b', baseline: 1, current: undefined, delta: undefined, deltaPct: undefined },
      { metric: 'c', baseline: undefined, current: 4, delta: undefined, deltaPct: undefined },
    ]);
  });

  it('prints one line per judged metric and a tally', () => {
    const text = renderRegressionSummary(
      evaluateRegression({ 'memory.source-controller.max': 100 * 1024 ** 2 }, { 'memory.source-controller.max': 150 * 1024 ** 2 }, { 'memory.*.max': '+15%' }),
    );
    expect(text.split('\n')).toEqual([
      'REGRESSION',
      '  ✗ memory.source-controller.max: 100Mi → 150Mi (+50Mi, +50%) exceeds +15%',
      '',
      '  1 checked: 0 passed, 1 failed',
      '',
    ]);
  });
});
