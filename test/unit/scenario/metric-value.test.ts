import { describe, expect, it } from 'vitest';
import { formatMetricValue, matchMetricNames, metricGlobToRegExp, parseMetricValue } from '../../../src/scenario/index.ts';

describe('parseMetricValue', () => {
  it.each([
    ['0', 0, 'number'],
    ['-2.5', -2.5, 'number'],
    ['1e3', 1000, 'number'],
    ['250ms', 0.25, 'seconds'],
    ['1h2m3s', 3723, 'seconds'],
    ['64Ki', 65_536, 'bytes'],
    ['1.5Gi', 1.5 * 1024 ** 3, 'bytes'],
    ['2M', 2_000_000, 'quantity'],
    ['12.5%', 0.125, 'ratio'],
  ])('%s → %d (%s)', (text, value, unit) => {
    expect(parseMetricValue(text)).toEqual({ value, unit });
  });

  it('rejects text that is none of those', () => {
    expect(() => parseMetricValue('fast')).toThrow('invalid value "fast"');
    expect(() => parseMetricValue('1Qi')).toThrow('invalid value "1Qi"');
  });
});

describe('metric globs', () => {
  it('escapes regex characters and keeps * within one segment', () => {
    expect(metricGlobToRegExp('memory.*.max').source).toBe('^memory\\.[^.]*\\.max$');
    const names = ['memory.source-controller.max', 'memory.source-controller.avg', 'memoryXsourceXmax', 'cpu.source-controller.max'];
    expect(matchMetricNames('memory.*.max', names)).toEqual(['memory.source-controller.max']);
    expect(matchMetricNames('*.source-controller.max', names)).toEqual(['cpu.source-controller.max', 'memory.source-controller.max']);
    expect(matchMetricNames('memory.source-controller.max', names)).toEqual(['memory.source-controller.max']);
    expect(matchMetricNames('memory.nothing.max', names)).toEqual([]);
  });
});

describe('formatMetricValue', () => {
  it('prints lag in durations, memory in binary bytes and counts as numbers', () => {
    expect(formatMetricValue('lag.applied.p95', 75)).toBe('1m15s');
    expect(formatMetricValue('lag.applied.count', 7)).toBe('7');
    expect(formatMetricValue('memory.source-controller.max', 1536 * 1024 ** 2)).toBe('1.5Gi');
    expect(formatMetricValue('etcd.db_bytes.max', 2048)).toBe('2Ki');
    expect(formatMetricValue('restarts.count', 3)).toBe('3');
  });
});
