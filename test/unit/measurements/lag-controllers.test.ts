import { describe, expect, it } from 'vitest';
import { analyzeSamples, controllersLagValues, findMetric, flatMetrics } from '../../../src/measurements/index.ts';
import { toSnapshot } from '../../../src/metrics/flux-objects.ts';
import { LagStateMachine } from '../../../src/metrics/lag-state.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { gitRepository, kustomization } from '../metrics/support/fake-kube-api.ts';

const sha0 = '0'.repeat(40);
const sha1 = 'a'.repeat(40);
const sha2 = 'b'.repeat(40);

describe('lag.controllers: artifact → applied of the same commit on the object’s source', () => {
  it('pairs each applied sample with the artifact of its own source, from the lag tracker’s samples', () => {
    // Two GitRepositories on the same Git repository, polled at different moments.
    const m = new LagStateMachine();
    const samples: Sample[] = [];
    const observe = (kind: 'GitRepository' | 'Kustomization', object: ReturnType<typeof gitRepository>, ts: number) => samples.push(...m.observe(toSnapshot(kind, object), ts));
    observe('GitRepository', gitRepository('flux-system', 'early', 'acme/fleet', sha0), 0);
    observe('GitRepository', gitRepository('flux-system', 'late', 'acme/fleet', sha0), 0);
    observe('Kustomization', kustomization('team', 'a', 'early', { applied: sha0, ready: 'True' }), 0);
    observe('Kustomization', kustomization('team', 'b', 'late', { applied: sha0, ready: 'True' }), 0);
    samples.push(...m.recordPush({ repo: 'acme/fleet', sha: sha1, pushedAt: 10_000 }));
    observe('GitRepository', gitRepository('flux-system', 'early', 'acme/fleet', sha1), 12_000);
    observe('Kustomization', kustomization('team', 'a', 'early', { applied: sha1, ready: 'True' }), 15_000);
    observe('GitRepository', gitRepository('flux-system', 'late', 'acme/fleet', sha1), 70_000);
    observe('Kustomization', kustomization('team', 'b', 'late', { applied: sha1, ready: 'True' }), 71_000);

    const applied = samples.filter((s) => s.name === 'applied');
    expect(applied.map((s) => [s.labels!.object, s.labels!.source, s.value])).toEqual([
      ['Kustomization/team/a', 'GitRepository/flux-system/early', 5],
      ['Kustomization/team/b', 'GitRepository/flux-system/late', 61],
    ]);
    // a: 5s − 2s; b: 61s − 60s. Paired by repo alone, b would get 61s − 2s.
    expect(controllersLagValues(samples).sort((x, y) => x - y)).toEqual([1, 3]);
    const metrics = flatMetrics(analyzeSamples(samples));
    expect(metrics['lag.controllers.p50']).toBe(1);
    expect(metrics['lag.controllers.p95']).toBe(3);
    expect(metrics['lag.controllers.max']).toBe(3);
    expect(metrics['lag.applied.p95']).toBe(61);
    expect(metrics['lag.artifact.p95']).toBe(60);
  });

  const lag = (name: string, value: number, labels: Record<string, string>): Sample => ({ ts: 0, kind: 'lag', name, value, labels: { stage: name, ...labels } });

  it('pairs samples written before the source label by repo and commit, with the earliest artifact', () => {
    const samples = [
      lag('artifact', 4, { object: 'GitRepository/x/one', repo: 'o/r', commit: sha1 }),
      lag('artifact', 2, { object: 'GitRepository/x/two', repo: 'o/r', commit: sha1 }),
      lag('artifact', 1, { object: 'GitRepository/x/three', repo: 'o/other', commit: sha1 }),
      lag('applied', 9, { object: 'Kustomization/x/k', repo: 'o/r', commit: sha1 }),
    ];
    expect(controllersLagValues(samples)).toEqual([7]);
  });

  it('gives nothing for an applied commit whose artifact was never seen, and never less than zero', () => {
    const samples = [
      lag('applied', 9, { object: 'Kustomization/x/k', repo: 'o/r', commit: sha2, source: 'GitRepository/x/one' }),
      lag('artifact', 3.002, { object: 'GitRepository/x/one', repo: 'o/r', commit: sha1 }),
      lag('applied', 3, { object: 'Kustomization/x/k', repo: 'o/r', commit: sha1, source: 'GitRepository/x/one' }),
    ];
    expect(controllersLagValues(samples)).toEqual([0]);
    const metrics = flatMetrics(analyzeSamples(samples.slice(0, 1)));
    expect(metrics['lag.controllers.p95']).toBeUndefined();
    expect(Object.keys(metrics).filter((name) => name.startsWith('lag.controllers.'))).toEqual([]);
  });

  it('is in the catalogue, so thresholds on it are checked before a run', () => {
    for (const name of ['lag.controllers.p50', 'lag.controllers.p95', 'lag.controllers.max']) {
      expect(findMetric(name).map((entry) => [entry.measurement, entry.unit])).toEqual([['lag', 'seconds']]);
    }
    expect(findMetric('lag.controllers.p99')).toEqual([]);
  });
});
