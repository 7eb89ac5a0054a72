import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiHealthSampler, etcdDbBytes, listSizes, managedFieldsBytes, type SizeCache } from '../../../src/metrics/api-health.ts';
import { analyzeSamples, flatMetrics } from '../../../src/measurements/index.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { FakeKubeApi, FakeMetricsEndpoint, gitRepositoriesPath, gitRepository, kustomization, kustomizationsPath } from './support/fake-kube-api.ts';

describe('API health helpers', () => {
  it('sums managedFields JSON bytes', () => {
    const managed = [{ manager: 'kustomize-controller', fieldsV1: { 'f:status': {} } }];
    expect(managedFieldsBytes([{ metadata: { managedFields: managed } }, { metadata: {} }, undefined])).toBe(JSON.stringify(managed).length);
  });

  it('reuses the byte count of objects whose resourceVersion did not change', () => {
    const cache = new Map<string, { resourceVersion: string; bytes: number }>();
    const obj = (rv: string, pad: number) => ({ metadata: { uid: 'u1', resourceVersion: rv, managedFields: [{ pad: 'x'.repeat(pad) }] } });
    const first = managedFieldsBytes([obj('1', 10)], cache);
    // Same resourceVersion: the cached count stands even though the (impossible) content differs.
    expect(managedFieldsBytes([obj('1', 500)], cache)).toBe(first);
    expect(managedFieldsBytes([obj('2', 500)], cache)).toBe(first + 490);
    // An object no longer listed leaves the cache.
    managedFieldsBytes([], cache);
    expect(cache.size).toBe(0);
  });

  it('finds the largest object of a list as JSON, measured once per resourceVersion', () => {
    const cache: SizeCache = new Map();
    const obj = (uid: string, rv: string, pad: number) => ({ metadata: { uid, name: `hr-${uid}`, namespace: 'apps', resourceVersion: rv }, status: { history: 'x'.repeat(pad) } });
    const small = obj('1', '1', 10);
    const big = obj('2', '1', 5000);
    expect(listSizes([small, big], cache).largest).toEqual({ name: 'apps/hr-2', bytes: JSON.stringify(big).length });
    // A retry loop grows the status: a new resourceVersion is measured again.
    const bigger = obj('1', '2', 9000);
    expect(listSizes([bigger, big], cache).largest).toEqual({ name: 'apps/hr-1', bytes: JSON.stringify(bigger).length });
    expect(listSizes([], cache).largest).toBeUndefined();
  });

  it('reads the etcd DB size under the current and the old metric name', () => {
    expect(etcdDbBytes('# TYPE etcd_mvcc_db_total_size_in_bytes gauge\netcd_mvcc_db_total_size_in_bytes 2.097152e+06\n')).toBe(2097152);
    expect(etcdDbBytes('etcd_debugging_mvcc_db_total_size_in_bytes 4096\n')).toBe(4096);
    expect(etcdDbBytes('other 1\n')).toBeUndefined();
  });
});

describe('ApiHealthSampler', () => {
  const api = new FakeKubeApi();
  const etcd = new FakeMetricsEndpoint();
  beforeAll(async () => {
    await Promise.all([api.start(), etcd.start()]);
  });
  afterAll(async () => {
    await Promise.all([api.stop(), etcd.stop()]);
  });

  it('times the Kustomization list, counts objects, sums managedFields and reads etcd size', async () => {
    api.upsert(gitRepositoriesPath, gitRepository('flux-system', 'app', 'acme/app', 'a'.repeat(40)));
    for (let i = 0; i < 25; i += 1) api.upsert(kustomizationsPath, kustomization('team', `ks-${i}`, 'app', { managedFieldsBytes: 1000 }));
    etcd.body = 'etcd_mvcc_db_total_size_in_bytes 123456\n';
    const samples: Sample[] = [];
    const logs: string[] = [];
    const sampler = new ApiHealthSampler({ minIntervalMs: 0 });
    await sampler.start({ kubeConfig: api.kubeConfig(), etcdMetricsUrl: etcd.url, sink: { write: (s) => samples.push(s) }, controllers: [], interval: 200, log: (m) => logs.push(m) });
    try {
      await new Promise((r) => setTimeout(r, 700));
    } finally {
      await sampler.stop();
    }
    const named = (name: string) => samples.filter((s) => s.name === name);
    expect(named('list_kustomizations_seconds').length).toBeGreaterThanOrEqual(3);
    for (const s of named('list_kustomizations_seconds')) expect(s.value!).toBeGreaterThan(0);
    const counts = named('object_count');
    expect(counts.filter((s) => s.labels!.resource === 'kustomizations').every((s) => s.value === 25)).toBe(true);
    expect(counts.filter((s) => s.labels!.resource === 'gitrepositories').every((s) => s.value === 1)).toBe(true);
    // HelmReleases are not served (no CRD): skipped and logged once.
    expect(counts.some((s) => s.labels!.resource === 'helmreleases')).toBe(false);
    expect(logs.filter((m) => m.includes('helmreleases'))).toHaveLength(1);
    const fields = named('managed_fields_bytes');
    expect(fields.length).toBeGreaterThanOrEqual(3);
    // 25 objects with a 1000-character pad each, plus the JSON around it
    expect(fields[0]!.value!).toBeGreaterThan(25_000);
    expect(fields[0]!.value!).toBeLessThan(30_000);
    expect(named('etcd_db_bytes').map((s) => s.value)).toContain(123456);
    const largest = named('object_bytes').filter((s) => s.labels!.resource === 'kustomizations');
    expect(largest.length).toBeGreaterThanOrEqual(3);
    expect(largest[0]!.value!).toBeGreaterThan(1000);
    expect(largest[0]!.detail!.name).toMatch(/^team\/ks-\d+$/);
    const metrics = flatMetrics(analyzeSamples(samples));
    expect(metrics['api.object_bytes.kustomizations.max']).toBe(Math.max(...largest.map((s) => s.value!)));
    expect(metrics['api.object_bytes.max']).toBeGreaterThanOrEqual(metrics['api.object_bytes.kustomizations.max']!);
    expect(samples.every((s) => s.kind === 'api')).toBe(true);
    expect(api.requests.filter((r) => r === `GET ${kustomizationsPath}`).length).toBe(named('list_kustomizations_seconds').length);
  });

  it('lists at most once per 15 s by default, however short the sampling interval', async () => {
    const samples: Sample[] = [];
    const sampler = new ApiHealthSampler();
    const before = api.requests.filter((r) => r === `GET ${kustomizationsPath}`).length;
    await sampler.start({ kubeConfig: api.kubeConfig(), sink: { write: (s) => samples.push(s) }, controllers: [], interval: 100, log: () => {} });
    try {
      await new Promise((r) => setTimeout(r, 600));
    } finally {
      await sampler.stop();
    }
    expect(samples.filter((s) => s.name === 'list_kustomizations_seconds')).toHaveLength(1);
    expect(api.requests.filter((r) => r === `GET ${kustomizationsPath}`).length - before).toBe(1);
  });
});
