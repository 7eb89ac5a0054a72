import type { FluxObjectSnapshot } from '../../src/metrics/flux-objects.ts';

/** A Kustomization in namespace `apps` as the objects sampler sees it, with `over` on top (status, revisions, reconcile marks). */
export function kustomizationSnapshot(name: string, over: Partial<FluxObjectSnapshot> = {}): FluxObjectSnapshot {
  return { kind: 'Kustomization', namespace: 'apps', name, key: `Kustomization/apps/${name}`, dependsOn: [], suspended: false, ...over };
}
