import type { KubernetesObject } from '@kubernetes/client-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fluxResources } from '../../../src/metrics/flux-objects.ts';
import { watchResource } from '../../../src/metrics/informers.ts';
import { FakeKubeApi, kustomization, kustomizationsPath } from './support/fake-kube-api.ts';
import { until } from './support/until.ts';

describe('watchResource against a fake API server', () => {
  const api = new FakeKubeApi();
  beforeAll(async () => {
    await api.start();
  });
  afterAll(async () => {
    await api.stop();
  });

  it('hands over listed and watched objects without their managedFields, everything else intact', async () => {
    api.upsert(kustomizationsPath, kustomization('team', 'listed', 'app', { ready: 'True', managedFieldsBytes: 500 }));
    const seen: KubernetesObject[] = [];
    const resource = fluxResources.find((r) => r.kind === 'Kustomization')!;
    const watch = watchResource(api.kubeConfig(), resource, { upsert: (o) => seen.push(o), remove: () => undefined, error: (err) => seen.push({ kind: `error ${String(err)}` }) });
    try {
      await until(() => api.watcherCount(kustomizationsPath) === 1, 'the watch');
      api.upsert(kustomizationsPath, kustomization('team', 'watched', 'app', { ready: 'False', managedFieldsBytes: 500 }));
      await until(() => seen.length === 2, 'the watched object');
    } finally {
      await watch.stop();
    }
    expect(seen.map((o) => o.metadata?.name)).toEqual(['listed', 'watched']);
    for (const o of seen) {
      expect(o.metadata).not.toHaveProperty('managedFields');
      expect(o.metadata?.resourceVersion).toMatch(/^\d+$/);
      expect((o as { status?: { conditions?: unknown[] } }).status?.conditions).toHaveLength(1);
    }
  });
});
