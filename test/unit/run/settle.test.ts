import { describe, expect, it } from 'vitest';
import type { FluxObjectSnapshot } from '../../../src/metrics/flux-objects.ts';
import { settledCount } from '../../../src/run/settle.ts';

function object(kind: FluxObjectSnapshot['kind'], name: string, ready: 'True' | 'False' | 'Unknown' | undefined, appliedRevision?: string): FluxObjectSnapshot {
  return {
    kind,
    namespace: 'flux-system',
    name,
    key: `${kind}/flux-system/${name}`,
    dependsOn: [],
    suspended: false,
    ...(ready ? { ready: { status: ready } } : {}),
    ...(appliedRevision ? { appliedRevision } : {}),
  } as FluxObjectSnapshot;
}

describe('settledCount', () => {
  it('counts Ready objects and those reconciling again after an earlier apply, of the given kinds only', () => {
    const snapshots = [
      object('Kustomization', 'ready', 'True', 'main@sha1:1'),
      object('Kustomization', 'busy-again', 'Unknown', 'main@sha1:1'),
      object('Kustomization', 'first-apply', 'Unknown'),
      object('Kustomization', 'failing', 'False', 'main@sha1:1'),
      object('Kustomization', 'new', undefined),
      object('HelmRelease', 'release', 'True', '1.0.0+abc'),
      object('GitRepository', 'fleet', 'True'),
    ];
    expect(settledCount(snapshots, ['Kustomization', 'HelmRelease'])).toBe(3);
    expect(settledCount(snapshots, ['Kustomization'])).toBe(2);
  });
});
