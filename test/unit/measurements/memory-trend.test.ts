/**
 * The memory trend as a pure function of synthetic samples: the measure phase's window out of
 * the phase samples, and the least-squares slope of memory inside it (bytes per minute).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { formatBytesPerMinute, memoryTrend, memoryTrendTable, MIN_TREND_PHASE_MS } from '../../../src/measurements/memory-trend.ts';
import { phaseWindow, type PhaseWindow } from '../../../src/measurements/phases.ts';
import type { TimePoint } from '../../../src/measurements/stats.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

const MiB = 2 ** 20;
const MINUTE = 60_000;
const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const tenMinutes: PhaseWindow = { startTs: T0, endTs: T0 + 10 * MINUTE };

/** Points every `everyMs` from `from` to `to` (both included), valued by `at`. */
function series(from: number, to: number, everyMs: number, at: (ts: number) => number): TimePoint[] {
  const out: TimePoint[] = [];
  for (let ts = from; ts <= to; ts += everyMs) out.push({ ts, value: at(ts) });
  return out;
}

/** Deterministic uniform noise in [-1, 1) (a 32-bit LCG), so the noisy case never flakes. */
function noise(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return (state / 2 ** 32) * 2 - 1;
  };
}

describe('phaseWindow', () => {
  const phase = (ts: number, name: string): Sample => ({ ts, kind: 'phase', name });

  it('runs from the measure phase sample to the next phase sample', () => {
    const phases = [phase(T0 - 5 * MINUTE, 'apply'), phase(T0 - MINUTE, 'settle'), phase(T0, 'measure'), phase(T0 + 10 * MINUTE, 'verdict'), phase(T0 + 11 * MINUTE, 'teardown')];
    expect(phaseWindow(phases, 'measure', T0 + 12 * MINUTE)).toEqual(tenMinutes);
    expect(phaseWindow(phases, 'settle', T0 + 12 * MINUTE)).toEqual({ startTs: T0 - MINUTE, endTs: T0 });
  });

  it('ends at the run’s last sample when the stream stops inside the phase, and is absent when the phase never started', () => {
    expect(phaseWindow([phase(T0, 'measure')], 'measure', T0 + 3 * MINUTE)).toEqual({ startTs: T0, endTs: T0 + 3 * MINUTE });
    expect(phaseWindow([phase(T0, 'settle')], 'measure', T0 + 3 * MINUTE)).toBeUndefined();
    expect(phaseWindow([], 'measure', undefined)).toBeUndefined();
  });
});

describe('memoryTrend', () => {
  it('is about 0 for flat memory', () => {
    const trend = memoryTrend(series(T0, T0 + 10 * MINUTE, 5_000, () => 200 * MiB), tenMinutes);
    expect(trend?.bytesPerMinute).toBeCloseTo(0, 6);
    expect(trend).toMatchObject({ count: 121, spanSeconds: 600 });
  });

  it('is 1 MiB per minute for memory growing 1 MiB a minute, epoch-millisecond timestamps and all', () => {
    const trend = memoryTrend(series(T0 + 3, T0 + 10 * MINUTE, 2_000, (ts) => 150 * MiB + ((ts - T0) / MINUTE) * MiB), tenMinutes);
    expect(trend!.bytesPerMinute / MiB).toBeCloseTo(1, 9);
  });

  it('finds the slope through noise of several MiB', () => {
    const rand = noise(7);
    const points = series(T0, T0 + 30 * MINUTE, 5_000, (ts) => 300 * MiB + ((ts - T0) / MINUTE) * MiB + rand() * 8 * MiB);
    const trend = memoryTrend(points, { startTs: T0, endTs: T0 + 30 * MINUTE });
    expect(Math.abs(trend!.bytesPerMinute / MiB - 1)).toBeLessThan(0.1);
  });

  it('is negative when memory shrinks', () => {
    const trend = memoryTrend(series(T0, T0 + 10 * MINUTE, 10_000, (ts) => 400 * MiB - ((ts - T0) / MINUTE) * 3 * MiB), tenMinutes);
    expect(trend!.bytesPerMinute / MiB).toBeCloseTo(-3, 9);
    expect(formatBytesPerMinute(trend!.bytesPerMinute)).toBe('-3Mi/min');
  });

  it('ignores samples outside the measure phase: the load during setup and settle, the drop after it', () => {
    const settle = series(T0 - 5 * MINUTE, T0 - 1, 5_000, (ts) => 100 * MiB + ((ts - T0 + 5 * MINUTE) / MINUTE) * 40 * MiB);
    const measure = series(T0, T0 + 10 * MINUTE, 5_000, () => 300 * MiB);
    const verdict = series(T0 + 10 * MINUTE + 1, T0 + 12 * MINUTE, 5_000, () => 20 * MiB);
    const trend = memoryTrend([...settle, ...measure, ...verdict], tenMinutes);
    expect(trend?.bytesPerMinute).toBeCloseTo(0, 6);
    expect(trend?.count).toBe(measure.length);
  });

  it('is absent, not 0, under a minute of measure phase, under 3 samples, or with every sample at one instant', () => {
    const growing = (window: PhaseWindow) => series(window.startTs, window.endTs, 1_000, (ts) => (ts - T0) * 1000);
    const short = { startTs: T0, endTs: T0 + MIN_TREND_PHASE_MS - 1 };
    expect(memoryTrend(growing(short), short)).toBeUndefined();
    expect(memoryTrend(growing({ startTs: T0, endTs: T0 + MIN_TREND_PHASE_MS }), { startTs: T0, endTs: T0 + MIN_TREND_PHASE_MS })).toBeDefined();
    expect(memoryTrend([{ ts: T0, value: MiB }, { ts: T0 + 5 * MINUTE, value: 2 * MiB }], tenMinutes)).toBeUndefined();
    expect(memoryTrend([1, 2, 3].map((v) => ({ ts: T0 + MINUTE, value: v * MiB })), tenMinutes)).toBeUndefined();
    expect(memoryTrend([], tenMinutes)).toBeUndefined();
    expect(memoryTrend(growing(tenMinutes), undefined)).toBeUndefined();
  });
});

describe('memoryTrend, property-based', () => {
  const runs = { numRuns: 500 };
  const MAX_PHASE_MS = 3 * 3_600_000;
  /** A measure phase of 1 minute to 3 hours, and at least 3 distinct sample offsets inside it. */
  const phaseAndOffsets = fc.integer({ min: MIN_TREND_PHASE_MS, max: MAX_PHASE_MS }).chain((lengthMs) =>
    fc.record({
      lengthMs: fc.constant(lengthMs),
      offsets: fc.uniqueArray(fc.integer({ min: 0, max: lengthMs }), { minLength: 3, maxLength: 200 }).map((o) => o.sort((a, b) => a - b)),
    }),
  );

  it('recovers the slope of any line, whatever the sampling times', () => {
    fc.assert(
      fc.property(phaseAndOffsets, fc.integer({ min: 0, max: 4 * 1024 }), fc.double({ min: -100, max: 100, noNaN: true }), ({ lengthMs, offsets }, baseMiB, slopeMiB) => {
        const window = { startTs: T0, endTs: T0 + lengthMs };
        const points = offsets.map((o) => ({ ts: T0 + o, value: baseMiB * MiB + (o / MINUTE) * slopeMiB * MiB }));
        const trend = memoryTrend(points, window);
        // Double rounding of values up to ~20 GiB over sample gaps as small as 1 ms.
        expect(Math.abs(trend!.bytesPerMinute - slopeMiB * MiB)).toBeLessThanOrEqual(1e-6 * (Math.abs(slopeMiB) + baseMiB) * MiB + 1);
        expect(trend!.count).toBe(offsets.length);
      }),
      runs,
    );
  });

  it('does not change with samples outside the measure phase', () => {
    const outside = fc.array(fc.record({ before: fc.boolean(), by: fc.integer({ min: 1, max: MAX_PHASE_MS }), value: fc.integer({ min: 0, max: 2 ** 34 }) }), { maxLength: 50 });
    fc.assert(
      fc.property(phaseAndOffsets, fc.array(fc.integer({ min: 0, max: 2 ** 34 }), { minLength: 200, maxLength: 200 }), outside, ({ lengthMs, offsets }, values, extra) => {
        const window = { startTs: T0, endTs: T0 + lengthMs };
        const inside = offsets.map((o, i) => ({ ts: T0 + o, value: values[i]! }));
        const beside = extra.map((e) => ({ ts: e.before ? T0 - e.by : T0 + lengthMs + e.by, value: e.value }));
        const merged = [...inside, ...beside].sort((a, b) => a.ts - b.ts);
        expect(memoryTrend(merged, window)).toEqual(memoryTrend(inside, window));
      }),
      runs,
    );
  });

  it('is a finite number or absent for any samples and window, never NaN', () => {
    const point = fc.record({ ts: fc.integer({ min: T0 - MAX_PHASE_MS, max: T0 + 2 * MAX_PHASE_MS }), value: fc.double({ min: 0, max: 2 ** 40, noNaN: true }) });
    fc.assert(
      fc.property(fc.array(point, { maxLength: 60 }), fc.integer({ min: 0, max: MAX_PHASE_MS }), (points, lengthMs) => {
        const trend = memoryTrend(points, { startTs: T0, endTs: T0 + lengthMs });
        if (trend !== undefined) expect(Number.isFinite(trend.bytesPerMinute)).toBe(true);
        if (lengthMs < MIN_TREND_PHASE_MS) expect(trend).toBeUndefined();
      }),
      runs,
    );
  });
});

describe('memoryTrendTable', () => {
  it('has a row per instance with a trend, signed per minute, and none for instances without one', () => {
    const table = memoryTrendTable([
      { instance: 'kustomize-controller', memoryTrend: { bytesPerMinute: 1.2 * MiB, count: 121, spanSeconds: 600 } },
      { instance: 'source-controller' },
      { instance: 'helm-controller', memoryTrend: { bytesPerMinute: 0, count: 31, spanSeconds: 150 } },
    ]);
    expect(table.rows).toEqual([
      ['kustomize-controller', '+1.2Mi/min', '+12Mi', '121', '10m'],
      ['helm-controller', '0B/min', '0B', '31', '2m30s'],
    ]);
  });
});

describe('memoryTrend across a restart', () => {
  it('fits only the process running after the last restart inside the measure phase', () => {
    // A leak of 4 MiB/min, OOM-killed at minute 4 and started again at 100 MiB: across both
    // processes a line would fit the sawtooth; after the restart the leak shows as it is.
    const restartAt = T0 + 4 * MINUTE;
    const leak = (start: number) => (ts: number) => 100 * MiB + (4 * MiB * (ts - start)) / MINUTE;
    const points = [...series(T0, restartAt - 5_000, 5_000, leak(T0)), ...series(restartAt, T0 + 10 * MINUTE, 5_000, leak(restartAt))];
    const trend = memoryTrend(points, tenMinutes, [restartAt])!;
    expect(trend.bytesPerMinute / MiB).toBeCloseTo(4, 6);
    expect(trend.spanSeconds).toBe(360);
    // Without the restart time the sawtooth's slope is another number altogether.
    expect(Math.abs(memoryTrend(points, tenMinutes)!.bytesPerMinute / MiB - 4)).toBeGreaterThan(0.5);
    // A restart before the phase changes nothing; one in its last minute leaves too little to fit.
    expect(memoryTrend(points.slice(48), tenMinutes, [T0 - MINUTE])!.count).toBe(points.length - 48);
    expect(memoryTrend(points, tenMinutes, [T0 + 9.5 * MINUTE])).toBeUndefined();
  });
});
