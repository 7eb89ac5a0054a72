import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FluxObjectSnapshot } from '../../../src/metrics/flux-objects.ts';
import { LagTracker } from '../../../src/metrics/lag-tracker.ts';
import { ReadinessLog } from '../../../src/metrics/ready-state.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { FakeKubeApi, gitRepositoriesPath, gitRepository, kustomization, kustomizationsPath } from './support/fake-kube-api.ts';
import { until } from './support/until.ts';

function snapshot(name: string, ready?: 'True' | 'False' | 'Unknown'): FluxObjectSnapshot {
  return { kind: 'Kustomization', namespace: 'apps', name, key: `Kustomization/apps/${name}`, dependsOn: [], suspended: false, ...(ready ? { ready: { status: ready } } : {}) };
}

const names = (samples: Sample[]) => samples.map((s) => `${s.name} ${s.labels!.name} ${s.ts}`);

describe('ReadinessLog', () => {
  it('writes one seen and one first-Ready sample per object, labelled {kind, namespace, name}', () => {
    const log = new ReadinessLog();
    expect(names(log.observe(snapshot('a'), 1))).toEqual(['seen a 1']);
    expect(log.observe(snapshot('a', 'Unknown'), 2)).toEqual([]);
    expect(log.observe(snapshot('a', 'True'), 3)).toEqual([{ ts: 3, kind: 'ready', name: 'ready', labels: { kind: 'Kustomization', namespace: 'apps', name: 'a' } }]);
    // Reconciling again (Ready=Unknown) and Ready again later do not move the first Ready.
    expect(log.observe(snapshot('a', 'Unknown'), 4)).toEqual([]);
    expect(log.observe(snapshot('a', 'True'), 5)).toEqual([]);
    // Already Ready when first seen (listed after it got there): both at once.
    expect(names(log.observe(snapshot('b', 'True'), 6))).toEqual(['seen b 6', 'ready b 6']);
    expect(log.entries().get('Kustomization/apps/a')).toEqual({ kind: 'Kustomization', namespace: 'apps', name: 'a', seenAt: 1, readyAt: 3 });
  });

  it('forgets an object deleted before it was ever Ready, and keeps the first Ready of one deleted after', () => {
    const log = new ReadinessLog();
    log.observe(snapshot('never'), 1);
    log.observe(snapshot('was', 'True'), 1);
    expect(names(log.remove('Kustomization/apps/never', 2))).toEqual(['removed never 2']);
    expect(log.remove('Kustomization/apps/was', 2)).toEqual([]);
    expect(log.remove('Kustomization/apps/unknown', 2)).toEqual([]);
    expect([...log.entries().keys()]).toEqual(['Kustomization/apps/was']);
    // Created again: a new first sight.
    expect(names(log.observe(snapshot('never'), 3))).toEqual(['seen never 3']);
  });
});

describe('LagTracker ready samples against a fake API server (real client-node informers)', () => {
  const api = new FakeKubeApi();
  beforeAll(async () => {
    await api.start();
  });
  afterAll(async () => {
    await api.stop();
  });

  it('streams the first sight and first Ready of each watched object, and knows its watched kinds', async () => {
    api.upsert(gitRepositoriesPath, gitRepository('flux-system', 'app', 'acme/app', '0'.repeat(40)));
    api.upsert(kustomizationsPath, kustomization('team', 'slow', 'app', { ready: 'Unknown' }));
    const samples: Sample[] = [];
    const tracker = new LagTracker({
      stalls: false,
      resources: [
        { kind: 'GitRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' },
        { kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
      ],
    });
    expect(tracker.watchedKinds()).toEqual(['GitRepository', 'Kustomization']);
    await tracker.start({ kubeConfig: api.kubeConfig(), sink: { write: (s) => samples.push(s) }, controllers: [], interval: 100, log: () => {} });
    try {
      const ready = () => samples.filter((s) => s.kind === 'ready');
      await until(() => ready().length >= 3, 'both objects seen and the GitRepository Ready');
      const before = Date.now();
      api.upsert(kustomizationsPath, kustomization('team', 'slow', 'app', { applied: '0'.repeat(40), ready: 'True' }));
      await until(() => tracker.firstReady().get('Kustomization/team/slow')?.readyAt !== undefined, 'the Kustomization Ready');
      const readyAt = tracker.firstReady().get('Kustomization/team/slow')!.readyAt!;
      expect(readyAt).toBeGreaterThanOrEqual(before);
      expect(ready().map((s) => `${s.name} ${s.labels!.kind}/${s.labels!.namespace}/${s.labels!.name}`).sort()).toEqual([
        'ready GitRepository/flux-system/app',
        'ready Kustomization/team/slow',
        'seen GitRepository/flux-system/app',
        'seen Kustomization/team/slow',
      ]);
      expect(ready().find((s) => s.name === 'ready' && s.labels!.name === 'slow')!.ts).toBe(readyAt);
    } finally {
      await tracker.stop();
    }
  });
});
