import { describe, expect, it } from 'vitest';
import { waitsOnHealthCheck, objectRefsInMessage, parseInventoryEntry, toFluxNode } from '../../../src/diagnose/node.ts';
import { diagnose, producerHintsFromManifests } from '../../../src/diagnose/index.ts';

describe('toFluxNode', () => {
  it('reads a HelmRepository of type oci, which source-controller keeps static without a status, as Ready; an HTTP one without conditions is not', () => {
    const repository = (type?: string) => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'charts', namespace: 'flux-system', creationTimestamp: '2026-12-01T00:00:00Z' },
      spec: { interval: '10m', url: type ? 'oci://127.0.0.1:5000/fluxbench/charts' : 'http://127.0.0.1:8080/pages/charts/', ...(type ? { type } : {}) },
      status: {},
    });
    expect(toFluxNode(repository('oci')).ready).toBe('True');
    expect(toFluxNode(repository()).ready).toBe('None');
    // Hours later, the static one is still no finding: nothing to reconcile, not "never reconciled".
    const state = { objects: [repository('oci')], events: [], related: [], relatedMissing: [], notes: [] } as unknown as Parameters<typeof diagnose>[0];
    expect(diagnose(state, new Date('2026-12-02T00:00:00Z')).findings).toEqual([]);
  });

  it('defaults dependsOn to the object’s own kind and namespace, and honours explicit ones', () => {
    const node = toFluxNode({
      apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
      kind: 'Kustomization',
      metadata: { name: 'web', namespace: 'apps' },
      spec: { interval: '10m', dependsOn: [{ name: 'db' }, { name: 'net', namespace: 'infra' }], sourceRef: { kind: 'GitRepository', name: 'repo', namespace: 'flux-system' } },
    });
    expect(node.dependsOn).toEqual(['Kustomization/apps/db', 'Kustomization/infra/net']);
    expect(node.sourceRef).toBe('GitRepository/flux-system/repo');
    expect(node.intervalMs).toBe(600_000);
    expect(node.ready).toBe('None');
  });

  it('reads a HelmRelease: its generated HelmChart, valuesFrom and the revision v2 keeps in history', () => {
    const node = toFluxNode({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      metadata: { name: 'api', namespace: 'apps' },
      spec: { interval: '5m', valuesFrom: [{ kind: 'ConfigMap', name: 'vals' }, { kind: 'Secret', name: 'creds', optional: true }], chart: { spec: { chart: 'x', sourceRef: { kind: 'HelmRepository', name: 'r' } } } },
      status: {
        helmChart: 'flux-system/apps-api',
        lastAttemptedRevision: '2.0.0',
        history: [
          { chartVersion: '2.0.0', status: 'failed' },
          { chartVersion: '1.9.0', status: 'deployed' },
        ],
      },
    });
    expect(node.sourceRef).toBe('HelmChart/flux-system/apps-api');
    expect(node.configRefs).toEqual([
      { kind: 'ConfigMap', namespace: 'apps', name: 'vals', optional: false },
      { kind: 'Secret', namespace: 'apps', name: 'creds', optional: true },
    ]);
    expect([node.lastAttemptedRevision, node.lastAppliedRevision]).toEqual(['2.0.0', '1.9.0']);
  });

  it('falls back to chartRef and then chart.spec.sourceRef when the HelmChart is not known yet', () => {
    const base = { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', metadata: { name: 'api', namespace: 'apps' } };
    expect(toFluxNode({ ...base, spec: { chartRef: { kind: 'OCIRepository', name: 'oci' } } }).sourceRef).toBe('OCIRepository/apps/oci');
    expect(toFluxNode({ ...base, spec: { chart: { spec: { sourceRef: { kind: 'HelmRepository', name: 'r', namespace: 'x' } } } } }).sourceRef).toBe('HelmRepository/x/r');
  });
});

describe('parsers', () => {
  it('parses inventory ids, core and grouped, namespaced and cluster-scoped', () => {
    expect(parseInventoryEntry({ id: 'apps_cm__ConfigMap', v: 'v1' })).toEqual({ id: 'ConfigMap/apps/cm', kind: 'ConfigMap', namespace: 'apps', name: 'cm', apiVersion: 'v1' });
    expect(parseInventoryEntry({ id: 'apps_web_apps_Deployment', v: 'v1' })!.apiVersion).toBe('apps/v1');
    expect(parseInventoryEntry({ id: '_fast_storage.k8s.io_StorageClass', v: 'v1' })!.id).toBe('StorageClass/fast');
    expect(parseInventoryEntry({ id: 'garbage' })).toBeUndefined();
  });

  it('treats helm-controller wait failures that name a resource as health-check failures', () => {
    const release = (message: string) =>
      toFluxNode({
        apiVersion: 'helm.toolkit.fluxcd.io/v2',
        kind: 'HelmRelease',
        metadata: { name: 'web', namespace: 'apps' },
        status: { conditions: [{ type: 'Ready', status: 'False', reason: 'InstallFailed', message }] },
      });
    expect(waitsOnHealthCheck(release('Helm install failed: resource Deployment/apps/web not ready. status: InProgress, message: waiting'))).toBe(true);
    expect(waitsOnHealthCheck(release('Helm install failed: chart requires kubeVersion >=1.30'))).toBe(false);
  });

  it('finds the objects a health-check message names', () => {
    expect(
      objectRefsInMessage("health check failed after 5m0s: timeout waiting for: [Deployment/apps/web status: 'InProgress', PersistentVolumeClaim/storage/pvc-x status: 'InProgress', StorageClass/fast status: 'NotFound']"),
    ).toEqual(['Deployment/apps/web', 'PersistentVolumeClaim/storage/pvc-x', 'StorageClass/fast']);
    expect(objectRefsInMessage("dependency 'apps/db' is not ready")).toEqual([]);
  });

  it('maps manifests to producer hints, ConfigMaps and Secrets only, with the default namespace', () => {
    expect(
      producerHintsFromManifests([
        {
          producer: 'Kustomization/flux-system/khc-config',
          defaultNamespace: 'flux-system',
          objects: [
            { kind: 'ConfigMap', metadata: { name: 'khc-values' } },
            { kind: 'Secret', metadata: { name: 's', namespace: 'other' } },
            { kind: 'Deployment', metadata: { name: 'd' } },
          ],
        },
      ]),
    ).toEqual({ 'ConfigMap/flux-system/khc-values': 'Kustomization/flux-system/khc-config', 'Secret/other/s': 'Kustomization/flux-system/khc-config' });
  });
});
