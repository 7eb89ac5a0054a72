import { describe, expect, it } from 'vitest';
import { diagnose, emptyFluxState, type RawObject } from '../../../src/diagnose/index.ts';
import { relatedLookups } from '../../../src/diagnose/lookups.ts';

const now = new Date('2026-11-25T12:00:00Z');
const failure = "health check failed after 1m0.02s: timeout waiting for: [PersistentVolumeClaim/team-2/app-008-data status: 'InProgress']";

// A Kustomization whose health check keeps timing out, caught during a retry: Ready=Unknown.
function retrying(): RawObject {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: 'app-008', namespace: 'flux-system' },
    spec: { interval: '1m', path: './app-008', sourceRef: { kind: 'GitRepository', name: 'fleet' }, wait: true },
    status: {
      conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress', lastTransitionTime: '2026-11-25T11:59:50Z' }],
    },
  } as RawObject;
}

function event(type: string, reason: string, message: string, time: string) {
  return { kind: 'Kustomization', namespace: 'flux-system', name: 'app-008', type, reason, message, time, count: 1 };
}

const pvcEvent = {
  kind: 'PersistentVolumeClaim',
  namespace: 'team-2',
  name: 'app-008-data',
  type: 'Warning',
  reason: 'ProvisioningFailed',
  message: 'storageclass.storage.k8s.io "fast" not found',
  time: '2026-11-25T11:59:00Z',
  count: 9,
};
const pvc = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: 'app-008-data', namespace: 'team-2' }, spec: { storageClassName: 'fast' }, status: { phase: 'Pending' } } as RawObject;

describe('a health check failure seen mid-retry (Ready=Unknown)', () => {
  it('follows the newest Warning event to the object the health check waits on', () => {
    const events = [
      event('Warning', 'HealthCheckFailed', failure, '2026-11-25T11:58:30Z'),
      event('Normal', 'Progressing', 'ConfigMap/team-2/app-008-churn configured', '2026-11-25T11:59:50Z'),
      pvcEvent,
    ];
    const base = { ...emptyFluxState(now.toISOString()), objects: [retrying()], events };
    expect(relatedLookups(base).map((l) => l.id)).toEqual(['PersistentVolumeClaim/team-2/app-008-data']);
    const finding = diagnose({ ...base, related: [pvc] }, now).findings.find((f) => f.id === 'Kustomization/flux-system/app-008')!;
    expect(finding.rootCause).toMatchObject({ type: 'object', id: 'PersistentVolumeClaim/team-2/app-008-data', reason: 'Pending' });
    expect(finding.chain[0]).toMatchObject({ ready: 'Unknown', reason: 'HealthCheckFailed' });
    expect(finding.chain[0]!.message).toContain('last attempt');
  });

  it('stays at "Progressing" when the newest Warning is not a health check failure', () => {
    const events = [
      event('Warning', 'HealthCheckFailed', failure, '2026-11-25T11:50:00Z'),
      event('Warning', 'ReconciliationFailed', 'kustomize build failed', '2026-11-25T11:58:00Z'),
    ];
    const state = { ...emptyFluxState(now.toISOString()), objects: [retrying()], events };
    expect(relatedLookups(state)).toEqual([]);
    const finding = diagnose(state, now).findings.find((f) => f.id === 'Kustomization/flux-system/app-008')!;
    expect(finding.rootCause).toMatchObject({ id: 'Kustomization/flux-system/app-008', reason: 'Progressing' });
  });
});

describe('a first health check still running (no failure event yet)', () => {
  function running(): RawObject {
    const object = retrying();
    const running = 'Running health checks for revision main@sha1:0123abcd with a timeout of 20s';
    object.status = {
      inventory: { entries: [{ id: 'team-2_app-008-data__PersistentVolumeClaim', v: 'v1' }, { id: 'team-2_app-008-churn__ConfigMap', v: 'v1' }] },
      conditions: [
        { type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'Reconciliation in progress', lastTransitionTime: '2026-11-25T11:59:50Z' },
        { type: 'Healthy', status: 'Unknown', reason: 'Progressing', message: running, lastTransitionTime: '2026-11-25T11:59:51Z' },
      ],
    };
    return object;
  }

  it('looks up the inventory and names the object the health check is waiting on', () => {
    const base = { ...emptyFluxState(now.toISOString()), objects: [running()], events: [pvcEvent] };
    expect(relatedLookups(base).map((l) => l.id)).toEqual(['PersistentVolumeClaim/team-2/app-008-data']);
    const finding = diagnose({ ...base, related: [pvc] }, now).findings.find((f) => f.id === 'Kustomization/flux-system/app-008')!;
    expect(finding.rootCause).toMatchObject({ type: 'object', id: 'PersistentVolumeClaim/team-2/app-008-data', reason: 'Pending' });
    expect(finding.chain[0]!.message).toMatch(/^Running health checks for revision .* timeout of 20s/);
  });

  it('stays at "Progressing" while reconciling without a health check', () => {
    const object = running();
    const conditions = (object.status as { conditions: { type: string }[] }).conditions;
    (object.status as { conditions: unknown[] }).conditions = conditions.filter((c) => c.type !== 'Healthy');
    const state = { ...emptyFluxState(now.toISOString()), objects: [object], events: [] };
    expect(relatedLookups(state)).toEqual([]);
    const finding = diagnose(state, now).findings.find((f) => f.id === 'Kustomization/flux-system/app-008')!;
    expect(finding.rootCause).toMatchObject({ id: 'Kustomization/flux-system/app-008', reason: 'Progressing' });
  });
});
