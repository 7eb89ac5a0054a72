import { describe, expect, it } from 'vitest';
import {
  counterIncrease,
  counterRates,
  distribution,
  EXACT_PERCENTILE_LIMIT,
  medianGap,
  percentileSorted,
  seriesStats,
} from '../../../src/measurements/stats.ts';

describe('percentileSorted (nearest rank)', () => {
  it('returns values from the list by rank', () => {
    const values = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentileSorted(values, 50)).toBe(5);
    expect(percentileSorted(values, 95)).toBe(10);
    expect(percentileSorted(values, 90)).toBe(9);
    expect(percentileSorted(values, 0)).toBe(1);
    expect(percentileSorted([7], 99)).toBe(7);
  });
  it('refuses an empty list', () => {
    expect(() => percentileSorted([], 50)).toThrow(/empty/);
  });
});

describe('distribution', () => {
  it('is exact for small samples and ignores non-finite values', () => {
    const d = distribution([3, 1, 2, NaN, 4, Infinity])!;
    expect(d).toEqual({ count: 4, min: 1, max: 4, mean: 2.5, p50: 2, p95: 4, p99: 4 });
  });
  it('is undefined without values', () => {
    expect(distribution([])).toBeUndefined();
    expect(distribution([NaN])).toBeUndefined();
  });
  it('uses an HDR histogram for large samples, within 0.1% of the exact percentiles', () => {
    const n = EXACT_PERCENTILE_LIMIT * 3;
    // A skewed, shuffled latency-like distribution in seconds.
    const values = Array.from({ length: n }, (_, i) => 0.05 + ((i * 7919) % n) ** 2 / n / 500);
    const d = distribution(values)!;
    const sorted = [...values].sort((a, b) => a - b);
    for (const [p, got] of [
      [50, d.p50],
      [95, d.p95],
      [99, d.p99],
    ] as const) {
      const exact = percentileSorted(sorted, p);
      expect(Math.abs(got - exact) / exact).toBeLessThan(0.001);
    }
    expect(d.max).toBe(sorted[sorted.length - 1]);
    expect(d.min).toBe(sorted[0]);
    expect(d.count).toBe(n);
  });
});

describe('series helpers', () => {
  it('seriesStats gives min/max/avg/last in time order', () => {
    expect(
      seriesStats([
        { ts: 1, value: 10 },
        { ts: 2, value: 30 },
        { ts: 3, value: 20 },
      ]),
    ).toEqual({ count: 3, min: 10, max: 30, avg: 20, last: 20 });
    expect(seriesStats([])).toBeUndefined();
  });
  it('counterIncrease counts the value after a reset in full', () => {
    const points = [5, 8, 12, 2, 6].map((value, i) => ({ ts: i, value }));
    // 3 + 4 (before the reset) + 2 (new process from 0) + 4
    expect(counterIncrease(points)).toBe(13);
  });
  it('counterRates turns a counter into a per-second rate, skipping resets', () => {
    const rates = counterRates([
      { ts: 0, value: 0 },
      { ts: 2_000, value: 1 },
      { ts: 4_000, value: 0.2 },
      { ts: 5_000, value: 0.7 },
    ]);
    expect(rates.map((r) => r.ts)).toEqual([2_000, 5_000]);
    expect(rates[0]!.value).toBeCloseTo(0.5, 9);
    expect(rates[1]!.value).toBeCloseTo(0.5, 9);
  });
  it('medianGap finds the sampling interval despite duplicates and jitter', () => {
    expect(medianGap([0, 0, 5_000, 10_010, 15_000, 20_000, 100_000])).toBe(5_000);
    expect(medianGap([1, 1])).toBeUndefined();
  });
});
