import { describe, expect, it } from 'vitest';
import type { FluxObjectSnapshot } from '../../../src/metrics/flux-objects.ts';
import { readyExpectation, settledCount, settleProgress } from '../../../src/run/settle.ts';

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

describe('readyExpectation', () => {
  const ref = (kind: 'GitRepository' | 'HelmRepository' | 'Kustomization' | 'HelmRelease', namespace: string, name: string) => ({
    id: `${kind}/${namespace}/${name}`,
    apiVersion: 'v1',
    kind,
    namespace,
    name,
  });
  const node = (name: string, dependsOn: string[] = []) => ({ id: `Kustomization/apps/${name}`, kind: 'Kustomization' as const, namespace: 'apps', name, dependsOn });
  const workload = {
    fluxObjects: [
      ref('GitRepository', 'flux-system', 'fleet'),
      ref('HelmRepository', 'flux-system', 'charts'),
      ref('Kustomization', 'flux-system', 'fleet'),
      ref('Kustomization', 'apps', 'a'),
      ref('Kustomization', 'apps', 'b'),
      ref('Kustomization', 'apps', 'c'),
      ref('Kustomization', 'apps', 'd'),
    ],
    graph: {
      nodes: [node('a'), node('b', ['Kustomization/apps/c']), node('c', ['Kustomization/apps/b']), node('d', ['Kustomization/apps/b'])],
      cycles: [['Kustomization/apps/b', 'Kustomization/apps/c']],
      brokenRoots: [],
      missing: [],
    },
  };

  it('waits for the watched objects of the workload, leaving out the ground truth\'s cycles and what waits on them', () => {
    const expectation = readyExpectation(workload, ['GitRepository', 'Kustomization', 'HelmRelease']);
    expect(expectation.objects).toEqual(['GitRepository/flux-system/fleet', 'Kustomization/flux-system/fleet', 'Kustomization/apps/a']);
    expect(expectation.neverReady).toEqual([
      { object: 'Kustomization/apps/b', cause: 'cycle' },
      { object: 'Kustomization/apps/c', cause: 'cycle', blockedBy: 'Kustomization/apps/b' },
      { object: 'Kustomization/apps/d', cause: 'dependency-not-ready', blockedBy: 'Kustomization/apps/b' },
    ]);
    // `applied` keeps counting up to the graph's Ready nodes, as before.
    expect(expectation.graphReady).toBe(1);
    expect(readyExpectation(workload, ['Kustomization']).objects).toEqual(['Kustomization/flux-system/fleet', 'Kustomization/apps/a']);
  });

  it('with HelmCharts watched, also waits for the HelmChart of each release that has one and can be Ready', () => {
    const release = (name: string, chart: boolean) => ({ ...ref('HelmRelease', 'flux-system', name), ...(chart ? { helmChart: `HelmChart/flux-system/flux-system-${name}` } : {}) });
    const withReleases = {
      fluxObjects: [...workload.fluxObjects, release('r1', true), release('r2', true), release('by-ref', false)],
      graph: {
        ...workload.graph,
        nodes: [...workload.graph.nodes, { id: 'HelmRelease/flux-system/r1', kind: 'HelmRelease' as const, namespace: 'flux-system', name: 'r1', dependsOn: [] }, { id: 'HelmRelease/flux-system/r2', kind: 'HelmRelease' as const, namespace: 'flux-system', name: 'r2', dependsOn: ['Kustomization/apps/b'] }],
      },
    };
    const watched = ['GitRepository', 'HelmChart', 'Kustomization', 'HelmRelease'];
    const objects = readyExpectation(withReleases, watched).objects;
    // r2 waits on the cycle: neither it nor its chart is waited for; by-ref takes its chart through chartRef (no HelmChart).
    expect(objects.filter((o) => o.startsWith('Helm'))).toEqual(['HelmRelease/flux-system/r1', 'HelmRelease/flux-system/by-ref', 'HelmChart/flux-system/flux-system-r1']);
    // Not watched, not waited for.
    expect(readyExpectation(withReleases, ['Kustomization', 'HelmRelease']).objects.some((o) => o.startsWith('HelmChart/'))).toBe(false);
  });
});

describe('settleProgress', () => {
  const expectation = { objects: ['Kustomization/flux-system/a', 'Kustomization/flux-system/b', 'GitRepository/flux-system/fleet'], neverReady: [], graphReady: 2 };

  it('ready: ends once every object that can be Ready has been Ready since the apply, even if one is reconciling again now', () => {
    const snapshots = [object('Kustomization', 'a', 'Unknown', 'main@sha1:1'), object('Kustomization', 'b', 'Unknown', 'main@sha1:1'), object('GitRepository', 'fleet', 'True')];
    const firstReady = new Map<string, { readyAt?: number }>([
      ['Kustomization/flux-system/a', { readyAt: 10 }],
      ['Kustomization/flux-system/b', {}],
      ['GitRepository/flux-system/fleet', { readyAt: 5 }],
    ]);
    expect(settleProgress('ready', expectation, { snapshots, firstReady })).toEqual({ done: false, settled: 2, needed: 3, pending: ['Kustomization/flux-system/b'] });
    // Today's early end: both Kustomizations applied and reconciling again count for `applied`.
    expect(settleProgress('applied', expectation, { snapshots, firstReady })).toEqual({ done: true, settled: 2, needed: 2, pending: [] });
    firstReady.set('Kustomization/flux-system/b', { readyAt: 12 });
    expect(settleProgress('ready', expectation, { snapshots, firstReady })).toMatchObject({ done: true, settled: 3, needed: 3, pending: [] });
  });

  it('ready: an object never seen is still waited for', () => {
    const progress = settleProgress('ready', expectation, { snapshots: [], firstReady: new Map() });
    expect(progress).toMatchObject({ done: false, settled: 0, needed: 3 });
    expect(progress.pending).toEqual(['GitRepository/flux-system/fleet', 'Kustomization/flux-system/a', 'Kustomization/flux-system/b']);
  });
});
