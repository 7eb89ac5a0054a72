import { describe, expect, it } from 'vitest';
import { evaluateThresholds, parseThreshold, renderThresholdSummary } from '../../../src/scenario/index.ts';
import { UsageError } from '../../../src/util/exit-codes.ts';

describe('parseThreshold', () => {
  it('parses durations to seconds', () => {
    expect(parseThreshold('lag.applied.p95 < 60s')).toEqual({
      expression: 'lag.applied.p95 < 60s',
      metric: 'lag.applied.p95',
      op: '<',
      value: 60,
      unit: 'seconds',
    });
    expect(parseThreshold('lag.ready.max<=1m30s')).toMatchObject({ op: '<=', value: 90 });
    expect(parseThreshold('api.list_kustomizations.p95 < 250ms')).toMatchObject({ value: 0.25, unit: 'seconds' });
  });

  it('parses binary quantities to bytes and decimal suffixes to plain numbers', () => {
    expect(parseThreshold('memory.source-controller.max < 1Gi')).toMatchObject({ value: 1024 ** 3, unit: 'bytes' });
    expect(parseThreshold('etcd.db_bytes.max <= 512Mi')).toMatchObject({ value: 512 * 1024 ** 2, unit: 'bytes' });
    expect(parseThreshold('github.requests.count < 5k')).toMatchObject({ value: 5000, unit: 'quantity' });
  });

  it('parses plain numbers, percentages and every operator', () => {
    expect(parseThreshold('stalled.count == 0')).toMatchObject({ op: '==', value: 0, unit: 'number' });
    expect(parseThreshold('cpu.kustomize-controller.avg != 1.5')).toMatchObject({ op: '!=', value: 1.5 });
    expect(parseThreshold('github.quota.min_remaining >= 10%')).toMatchObject({ op: '>=', value: 0.1, unit: 'ratio' });
    expect(parseThreshold('objects.ready.last > 499')).toMatchObject({ op: '>', value: 499 });
  });

  it('rejects bad expressions with a UsageError naming what is allowed', () => {
    expect(() => parseThreshold('stalled.count = 0')).toThrow(UsageError);
    expect(() => parseThreshold('stalled.count = 0')).toThrow('(allowed ops: <, <=, >, >=, ==, !=)');
    expect(() => parseThreshold('memory.x.max < 1Qi')).toThrow('limit "1Qi" is not a number');
    expect(() => parseThreshold('memory..max < 1Gi')).toThrow('must be dot-separated names');
    expect(() => parseThreshold('< 5')).toThrow('expected "<metric> <op> <value>"');
  });
});

describe('evaluateThresholds', () => {
  const metrics = {
    'lag.applied.p95': 12.5,
    'memory.source-controller.max': 300 * 1024 ** 2,
    'memory.kustomize-controller.max': 1.5 * 1024 ** 3,
    'stalled.count': 0,
    'restarts.count': 2,
  };

  it('passes and fails by comparing in base units', () => {
    const [lag, restarts] = evaluateThresholds(['lag.applied.p95 < 60s', 'restarts.count == 0'], metrics);
    expect(lag).toMatchObject({ metric: 'lag.applied.p95', actual: 12.5, limit: 60, ok: true, message: 'lag.applied.p95 = 12.5s (< 1m)' });
    expect(restarts).toMatchObject({ actual: 2, ok: false, message: 'restarts.count = 2, expected == 0' });
  });

  it('expands a glob to one result per matching metric', () => {
    const results = evaluateThresholds(['memory.*.max < 1Gi'], metrics);
    expect(results.map((result) => [result.metric, result.ok])).toEqual([
      ['memory.kustomize-controller.max', false],
      ['memory.source-controller.max', true],
    ]);
    expect(results[0]?.message).toBe('memory.kustomize-controller.max = 1.5Gi, expected < 1Gi');
  });

  it('fails a threshold whose metric has no data instead of passing silently', () => {
    const results = evaluateThresholds(['lag.ready.p95 < 60s', 'oom.*.count == 0'], { ...metrics, 'lag.ready.p95': Number.NaN });
    expect(results).toEqual([
      expect.objectContaining({ metric: 'lag.ready.p95', actual: undefined, ok: false, message: 'no data for lag.ready.p95' }),
      expect.objectContaining({ metric: 'oom.*.count', actual: undefined, ok: false, message: 'no data for oom.*.count (no metric matches)' }),
    ]);
  });

  it('does not let a glob star cross a dot', () => {
    const results = evaluateThresholds(['memory.*.max < 1Gi'], { 'memory.a.b.max': 1 });
    expect(results).toEqual([expect.objectContaining({ ok: false, actual: undefined })]);
  });

  it('treats ratios as fractions', () => {
    expect(evaluateThresholds(['error.ratio < 5%'], { 'error.ratio': 0.04 })[0]?.ok).toBe(true);
    expect(evaluateThresholds(['error.ratio < 5%'], { 'error.ratio': 0.06 })[0]?.ok).toBe(false);
  });
});

describe('renderThresholdSummary', () => {
  it('prints a k6-like ✓/✗ line per result in the unit of the limit, then a tally', () => {
    const text = renderThresholdSummary(
      evaluateThresholds(['lag.applied.p95 < 60s', 'memory.*.max < 1Gi', 'stalled.count == 0'], {
        'lag.applied.p95': 75,
        'memory.source-controller.max': 512 * 1024 ** 2,
      }),
    );
    expect(text.split('\n')).toEqual([
      'THRESHOLDS',
      '  ✗ lag.applied.p95 < 1m ................. 1m15s',
      '  ✓ memory.source-controller.max < 1Gi ... 512Mi',
      '  ✗ stalled.count == 0 ................... no data',
      '',
      '  3 checked: 1 passed, 2 failed',
      '',
    ]);
  });

  it('says when no thresholds are defined', () => {
    expect(renderThresholdSummary([])).toContain('(none defined)');
  });
});
