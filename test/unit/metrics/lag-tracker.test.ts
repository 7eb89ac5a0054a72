import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LagTracker } from '../../../src/metrics/lag-tracker.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { FakeKubeApi, gitRepositoriesPath, gitRepository, kustomization, kustomizationsPath } from './support/fake-kube-api.ts';
import { until } from './support/until.ts';

const sha0 = '0'.repeat(40);
const sha1 = '1'.repeat(40);
const sha2 = '2'.repeat(40);

describe('LagTracker against a fake API server (real client-node informers)', () => {
  const api = new FakeKubeApi();
  beforeAll(async () => {
    await api.start();
  });
  afterAll(async () => {
    await api.stop();
  });

  it('turns watch events into lag, readiness and stall samples, and survives dropped watches and a late CRD', async () => {
    api.upsert(gitRepositoriesPath, gitRepository('flux-system', 'app', 'acme/app', sha0));
    for (const name of ['a', 'b']) api.upsert(kustomizationsPath, kustomization('team', name, 'app', { applied: sha0, ready: 'True' }));
    // HelmReleases are not served yet, as when the CRD is missing.
    const samples: Sample[] = [];
    const logs: string[] = [];
    const tracker = new LagTracker({ stalls: { dependencyNotReadyAfterMs: 300 } });
    await tracker.start({ kubeConfig: api.kubeConfig(), sink: { write: (s) => samples.push(s) }, controllers: [], interval: 100, log: (m) => logs.push(m) });
    try {
      await until(() => tracker.snapshots().size === 3, 'the initial list');
      await until(() => api.watcherCount(kustomizationsPath) === 1 && api.watcherCount(gitRepositoriesPath) === 1, 'the watches');

      const pushedAt = Date.now();
      tracker.recordPush({ repo: 'acme/app', sha: sha1, pushedAt });
      api.upsert(gitRepositoriesPath, gitRepository('flux-system', 'app', 'acme/app', sha1));
      await until(() => samples.some((s) => s.kind === 'lag' && s.name === 'artifact'), 'the artifact stage');

      // The API server ends the watch: the informer re-watches from its resourceVersion.
      api.dropWatches();
      api.upsert(kustomizationsPath, kustomization('team', 'a', 'app', { applied: sha1, ready: 'Unknown' }));
      api.upsert(kustomizationsPath, kustomization('team', 'a', 'app', { applied: sha1, ready: 'True' }));
      await until(() => samples.filter((s) => s.kind === 'lag' && s.labels!.object === 'Kustomization/team/a').length === 2, 'a applied and ready');

      // b jumps to a newer commit: sha1 and sha2 both complete for it.
      tracker.recordPush({ repo: 'acme/app', sha: sha2, pushedAt: Date.now() });
      api.upsert(kustomizationsPath, kustomization('team', 'b', 'app', { applied: sha2, ready: 'True' }));
      await until(() => samples.filter((s) => s.kind === 'lag' && s.labels!.object === 'Kustomization/team/b').length === 4, 'b applied and ready for both commits');

      // A dependency that stays not ready becomes a stall sample.
      api.upsert(kustomizationsPath, kustomization('team', 'c', 'app', { ready: 'False', reason: 'DependencyNotReady' }));
      await until(() => samples.some((s) => s.kind === 'stall' && s.labels!.object === 'Kustomization/team/c'), 'a dependency stall');

      // The HelmRelease CRD appears; the informer retries and lists it.
      api.upsert('/apis/helm.toolkit.fluxcd.io/v2/helmreleases', {
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { namespace: 'apps', name: 'web' },
        spec: { chart: { spec: { chart: './chart', sourceRef: { kind: 'GitRepository', name: 'app', namespace: 'flux-system' } } } },
        status: { conditions: [{ type: 'Ready', status: 'True' }] },
      });
      await until(() => tracker.snapshots().has('HelmRelease/apps/web'), 'the HelmRelease after its CRD appeared', 8_000);

      api.remove(kustomizationsPath, 'team', 'c');
      await until(() => !tracker.snapshots().has('Kustomization/team/c'), 'the deletion');
      const readyCountAt = samples.length;
      await until(() => samples.slice(readyCountAt).some((s) => s.kind === 'objects' && s.labels!.kind === 'HelmRelease' && s.name === 'ready' && s.value === 1), 'readiness with the HelmRelease');
    } finally {
      await tracker.stop();
    }

    const lag = samples.filter((s) => s.kind === 'lag');
    const keys = lag.map((s) => `${s.name} ${s.labels!.object} ${s.labels!.commit!.slice(0, 1)}`).sort();
    expect(keys).toEqual([
      'applied Kustomization/team/a 1',
      'applied Kustomization/team/b 1',
      'applied Kustomization/team/b 2',
      'artifact GitRepository/flux-system/app 1',
      'ready Kustomization/team/a 1',
      'ready Kustomization/team/b 1',
      'ready Kustomization/team/b 2',
    ]);
    for (const sample of lag) {
      expect(sample.value).toBeGreaterThanOrEqual(0);
      expect(sample.value).toBeLessThan(20);
      expect(sample.labels!.repo).toBe('acme/app');
    }
    // Readiness of a kind starts with its first list: never a 0/0 before the CRD appeared.
    const totals = (kind: string) => samples.filter((s) => s.kind === 'objects' && s.name === 'total' && s.labels!.kind === kind).map((s) => s.value);
    expect(totals('HelmRelease').length).toBeGreaterThan(0);
    expect(totals('HelmRelease').every((v) => v === 1)).toBe(true);
    expect(totals('Kustomization').every((v) => v! >= 2)).toBe(true);
    // The missing CRD was logged, once (rate-limited), and named.
    expect(logs.filter((m) => m.includes('helmreleases.helm.toolkit.fluxcd.io'))).toHaveLength(1);
    // After stop, no watch is left open.
    await until(() => api.watcherCount() === 0, `watches closed after stop (open: ${api.watcherCount(gitRepositoriesPath)} ${api.watcherCount(kustomizationsPath)}, requests ${api.requests.slice(-8).join(' ')})`);
  });

  it('leaves no watch open when stopped while its first list is in flight', async () => {
    api.listDelayMs = 400;
    const tracker = new LagTracker({ resources: [{ kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' }] });
    try {
      await tracker.start({ kubeConfig: api.kubeConfig(), sink: { write() {} }, controllers: [], interval: 1000, log: () => {} });
      await new Promise((r) => setTimeout(r, 100));
      await tracker.stop();
      await new Promise((r) => setTimeout(r, 300));
      expect(api.watcherCount()).toBe(0);
    } finally {
      api.listDelayMs = 0;
    }
  });
});
