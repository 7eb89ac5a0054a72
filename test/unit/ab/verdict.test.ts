import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { abVerdict, chanceOfSeparation, separation } from '../../../src/ab/verdict.ts';

const runs = (metric: string, values: number[]) => values.map((v) => ({ [metric]: v }));

describe('A/B verdict', () => {
  it('finds no difference between samples of one distribution', () => {
    // Three runs a side, interleaved values as two noisy runs of the same setup give.
    const v = abVerdict(runs('lag.applied.p95', [2.1, 2.6, 2.3]), runs('lag.applied.p95', [2.4, 2.0, 2.5]), { 'lag.applied.p95': '+20%' });
    expect(v.metrics).toMatchObject([{ metric: 'lag.applied.p95', verdict: 'no difference', medianA: 2.3, medianB: 2.4, limit: '+20%' }]);
    expect(v.regressed).toBe(false);
    expect(v.metrics[0]!.message).toContain('the ranges overlap');
  });

  it('calls a clear shift a regression when it is beyond the limit, in the direction the limit guards', () => {
    const v = abVerdict(runs('lag.applied.p95', [2.0, 2.2, 2.1]), runs('lag.applied.p95', [3.0, 3.4, 3.1]), { 'lag.applied.p95': '+20%' });
    expect(v.metrics[0]).toMatchObject({ verdict: 'regression', limit: '+20%', medianA: 2.1, medianB: 3.1 });
    expect(v.metrics[0]!.change).toBeCloseTo(1 / 2.1, 6);
    expect(v.regressed).toBe(true);
  });

  it('calls the same shift the other way an improvement, and a separated shift within the limit just higher', () => {
    const better = abVerdict(runs('memory.kustomize-controller.max', [300, 310, 305]), runs('memory.kustomize-controller.max', [200, 210, 205]), { 'memory.*.max': '+25%' });
    expect(better.metrics[0]).toMatchObject({ verdict: 'improvement', limit: '+25%' });
    expect(better.regressed).toBe(false);
    const within = abVerdict(runs('lag.applied.p95', [2.0, 2.1, 2.05]), runs('lag.applied.p95', [2.2, 2.3, 2.25]), { 'lag.applied.p95': '+50%' });
    expect(within.metrics[0]).toMatchObject({ verdict: 'higher', limit: '+50%' });
    expect(within.regressed).toBe(false);
  });

  it('calls no separated change an improvement when the limit guards both directions', () => {
    const v = abVerdict(runs('ready.rate', [2.0, 2.1, 2.05]), runs('ready.rate', [1.9, 1.95, 1.92]), { 'ready.rate': '±20%' });
    expect(v.metrics[0]).toMatchObject({ verdict: 'lower', limit: '±20%' });
  });

  it('never calls a metric without a limit a regression, and says which side lacks a value', () => {
    const v = abVerdict([{ 'x.count': 1, 'only.a': 1 }, { 'x.count': 2 }], [{ 'x.count': 10 }, { 'x.count': 12 }]);
    expect(v.metrics.map((m) => [m.metric, m.verdict])).toEqual([
      ['only.a', 'missing'],
      ['x.count', 'higher'],
    ]);
    expect(v.regressed).toBe(false);
  });

  it('knows the chance of a false call: 2 / C(2n, n)', () => {
    expect(chanceOfSeparation(3, 3)).toBeCloseTo(0.1, 10);
    expect(chanceOfSeparation(4, 4)).toBeCloseTo(2 / 70, 10);
    expect(chanceOfSeparation(5, 5)).toBeCloseTo(2 / 252, 10);
    expect(chanceOfSeparation(1, 1)).toBe(1);
    expect(abVerdict(runs('m', [1, 2, 3]), runs('m', [1, 2, 3])).falseCallChance).toBeCloseTo(0.1, 10);
  });

  it('separates only when every value of one side lies beyond every value of the other', () => {
    fc.assert(
      fc.property(fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 8 }), fc.array(fc.double({ noNaN: true, min: -1e6, max: 1e6 }), { minLength: 1, maxLength: 8 }), (a, b) => {
          const side = separation(a, b);
          if (side === 'higher') expect(b.every((x) => a.every((y) => x > y))).toBe(true);
          else if (side === 'lower') expect(b.every((x) => a.every((y) => x < y))).toBe(true);
          else expect(b.some((x) => a.some((y) => x <= y)) && b.some((x) => a.some((y) => x >= y))).toBe(true);
          // A side against a reordering of itself never separates.
          expect(separation(a, [...a].reverse())).toBeUndefined();
        }),
    );
  });

  it('calls a shift of one run-to-run spread or less no difference far more often than not (simulated noise)', () => {
    // Deterministic pseudo-noise: 200 trials of 3 vs 3 from one distribution; about 10 % separate.
    let seed = 7;
    const noise = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    let called = 0;
    for (let t = 0; t < 200; t += 1) {
      const a = [noise(), noise(), noise()];
      const b = [noise(), noise(), noise()];
      if (separation(a, b)) called += 1;
    }
    expect(called / 200).toBeGreaterThan(0.03);
    expect(called / 200).toBeLessThan(0.2);
  });
});
