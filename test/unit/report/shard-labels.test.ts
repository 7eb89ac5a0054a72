import { describe, expect, it } from 'vitest';
import type { Sample } from '../../../src/metrics/sample.ts';
import { analyzeSamples, controllerInstance, flatMetrics } from '../../../src/report/metrics-from-samples.ts';

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
