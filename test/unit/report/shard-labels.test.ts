import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/metrics/sample.ts';
import { analyzeSamples, controllerInstance, flatMetrics } from '../../../src/measurements/index.ts';
import { buildSummary } from '../../../src/report/index.ts';
import { syntheticRunMeta } from './synthetic-run.ts';

describe('controllerInstance', () => {
  it('names a shard "<controller>-shard<N>" whether the label is "1" or the supervisor\'s "shard1"', () => {
    expect(controllerInstance({ controller: 'kustomize-controller', shard: '1' })).toBe('kustomize-controller-shard1');
    expect(controllerInstance({ controller: 'kustomize-controller', shard: 'shard1' })).toBe('kustomize-controller-shard1');
    expect(controllerInstance({ controller: 'kustomize-controller' })).toBe('kustomize-controller');
  });
});

describe('flat metrics of a sharded controller', () => {
  it('keep the worst instance under the controller name when the main instance has no shard label', () => {
    const rss = (ts: number, value: number, shard?: string): Sample => ({
      ts,
      kind: 'controller',
      name: 'rss_bytes',
      value,
      labels: { controller: 'kustomize-controller', ...(shard ? { shard } : {}) },
    });
    const m = flatMetrics(analyzeSamples([rss(1_000, 100), rss(1_000, 300, 'shard1'), rss(2_000, 120), rss(2_000, 250, 'shard1')]));
    expect(m['memory.kustomize-controller.max']).toBe(300);
    expect(m['memory.kustomize-controller-shard1.max']).toBe(300);
  });
});

describe('restarts of a sharded controller', () => {
  it('count per instance in the controller table and per controller in the metrics', () => {
    const rss = (shard?: string): Sample => ({ ts: 1_000, kind: 'controller', name: 'rss_bytes', value: 100, labels: { controller: 'kustomize-controller', ...(shard ? { shard } : {}) } });
    const process = (name: string, shard?: string): Sample => ({ ts: 2_000, kind: 'process', name, labels: { controller: 'kustomize-controller', ...(shard ? { shard } : {}) } });
    const analysis = analyzeSamples([rss(), rss('shard1'), rss('shard2'), process('restart', 'shard1'), process('oom_killed', 'shard1'), process('restart', 'shard1'), process('restart', 'shard2')]);
    expect(analysis.restartsByInstance).toEqual({ 'kustomize-controller-shard1': 2, 'kustomize-controller-shard2': 1 });
    expect(analysis.oomsByInstance).toEqual({ 'kustomize-controller-shard1': 1 });
    expect(analysis.restartsByController['kustomize-controller']).toBe(3);
    expect(analysis.processEvents.map((e) => e.instance)).toEqual(['kustomize-controller-shard1', 'kustomize-controller-shard1', 'kustomize-controller-shard1', 'kustomize-controller-shard2']);
    expect(flatMetrics(analysis)['restarts.kustomize-controller.count']).toBe(3);
    const rows = buildSummary([rss(), rss('shard1'), rss('shard2'), process('restart', 'shard1'), process('oom_killed', 'shard1'), process('restart', 'shard2')], syntheticRunMeta()).controllers;
    expect(rows.map((c) => [c.instance, c.restarts, c.ooms])).toEqual([
      ['kustomize-controller', 0, 0],
      ['kustomize-controller-shard1', 1, 1],
      ['kustomize-controller-shard2', 1, 0],
    ]);
  });
});
