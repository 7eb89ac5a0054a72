import { describe, expect, it } from 'vitest';
import { diagnose, emptyFluxState, type RawObject } from '../../../src/diagnose/index.ts';
import { relatedLookups } from '../../../src/diagnose/lookups.ts';

const now = new Date('2026-11-25T12:00:00Z');

function kustomization(name: string, message: string, extra: Record<string, unknown> = {}): RawObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system' },
    spec: { interval: '1m', path: `./${name}`, sourceRef: { kind: 'GitRepository', name: 'fleet' }, wait: true, ...extra },
    status: {
      conditions: [{ type: 'Ready', status: 'False', reason: 'HealthCheckFailed', message, lastTransitionTime: '2026-11-25T11:50:00Z' }],
      inventory: {
        entries: [
          { id: 'storage_data_apps_Deployment', v: 'v1' },
          { id: 'storage_data__PersistentVolumeClaim', v: 'v1' },
          { id: 'storage_data-config__ConfigMap', v: 'v1' },
        ],
      },
    },
  } as RawObject;
}

describe('health checks whose message names nothing', () => {
  const message = 'health check failed after 30.02s: client rate limiter Wait returned an error: rate: Wait(n=1) would exceed context deadline';

  it('looks up the workload objects of the inventory (not ConfigMaps)', () => {
    const state = { ...emptyFluxState(now.toISOString()), objects: [kustomization('data', message)] };
    expect(relatedLookups(state).map((l) => l.id)).toEqual(['Deployment/storage/data', 'PersistentVolumeClaim/storage/data']);
  });

  it('traces the root cause to the unhealthy one, with its warning event', () => {
    const state = {
      ...emptyFluxState(now.toISOString()),
      objects: [kustomization('data', message)],
      related: [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'data', namespace: 'storage' }, spec: { replicas: 1 }, status: { readyReplicas: 1 } },
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'storage' }, spec: { storageClassName: 'fast' }, status: { phase: 'Pending' } },
      ] as RawObject[],
      relatedMissing: ['StorageClass//fast'],
      events: [
        {
          kind: 'PersistentVolumeClaim',
          namespace: 'storage',
          name: 'data',
          type: 'Warning',
          reason: 'ProvisioningFailed',
          message: 'storageclass.storage.k8s.io "fast" not found',
          time: '2026-11-25T11:59:00Z',
          count: 12,
        },
      ],
    };
    const finding = diagnose(state, now).findings.find((f) => f.id === 'Kustomization/flux-system/data')!;
    expect(finding.rootCause).toMatchObject({ type: 'object', id: 'PersistentVolumeClaim/storage/data', reason: 'Pending' });
    expect(finding.chain.map((h) => h.id)).toEqual(['Kustomization/flux-system/data', 'PersistentVolumeClaim/storage/data']);
  });

  it('keeps the message as the root when every inventory object is healthy', () => {
    const state = {
      ...emptyFluxState(now.toISOString()),
      objects: [kustomization('data', message)],
      related: [
        { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'data', namespace: 'storage' }, spec: { replicas: 2 }, status: { readyReplicas: 2 } },
        { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'data', namespace: 'storage' }, status: { phase: 'Bound' } },
      ] as RawObject[],
    };
    const finding = diagnose(state, now).findings.find((f) => f.id === 'Kustomization/flux-system/data')!;
    expect(finding.rootCause).toMatchObject({ type: 'object', id: 'Kustomization/flux-system/data', reason: 'HealthCheckFailed' });
  });
});
