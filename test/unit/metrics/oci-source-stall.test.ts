import { describe, expect, it } from 'vitest';
import { type FluxObjectSnapshot, toSnapshot } from '../../../src/metrics/flux-objects.ts';
import { LagStateMachine } from '../../../src/metrics/lag-state.ts';
import { StallDetector } from '../../../src/metrics/stalls.ts';

/**
 * An OCIRepository the registry keeps refusing, as source-controller v1.9 reports it
 * (reason OCIArtifactPullFailed, go-containerregistry's error in the message).
 */
function ociRepository(ready: { status: 'True' | 'False' | 'Unknown'; reason: string; message: string }): FluxObjectSnapshot {
  const raw = {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name: 'app-1', namespace: 'flux-system', creationTimestamp: '2026-11-25T10:00:00Z' },
    spec: { interval: '1m', url: 'oci://127.0.0.1:39157/team-1/app-1', ref: { tag: 'latest' } },
    status: { conditions: [{ type: 'Ready', ...ready, lastTransitionTime: '2026-11-25T10:05:00Z' }] },
  };
  return toSnapshot('OCIRepository', raw);
}

describe('StallDetector on OCI sources', () => {
  it('reports an OCIRepository that cannot pull (429, outage) as a failing source, with the registry’s error', () => {
    const detector = new StallDetector({ sourceFailingAfterMs: 30_000 });
    const message =
      "failed to determine artifact digest: GET http://127.0.0.1:39157/v2/team-1/app-1/manifests/latest: TOOMANYREQUESTS: You have reached your pull rate limit as 'flux'.";
    const refused = ociRepository({ status: 'False', reason: 'OCIArtifactPullFailed', message });
    const objects = new Map([[refused.key, refused]]);
    expect(detector.evaluate(objects, 0)).toEqual([]);
    expect(detector.evaluate(objects, 31_000)).toEqual([
      { ts: 31_000, kind: 'stall', name: 'source_failing', value: 31, labels: { object: 'OCIRepository/flux-system/app-1' }, detail: { reason: 'OCIArtifactPullFailed', message, repo: 'team-1/app-1' } },
    ]);
    // Pulling again (Ready=Unknown while it fetches) clears it.
    const fetching = ociRepository({ status: 'Unknown', reason: 'Progressing', message: 'building artifact' });
    expect(detector.evaluate(new Map([[fetching.key, fetching]]), 40_000)).toEqual([]);
  });

  it('reads a HelmChart as a source: its chart version is its artifact, a chart it cannot pull is a failing source, and it gives no lag', () => {
    const helmChart = (ready: { status: 'True' | 'False'; reason: string; message: string }, version?: string) =>
      toSnapshot('HelmChart', {
        metadata: { name: 'flux-system-release-001', namespace: 'flux-system', creationTimestamp: '2026-12-02T08:00:00Z' },
        spec: { chart: 'fluxbench-app', version: '*', sourceRef: { kind: 'HelmRepository', name: 'charts' }, interval: '10m' },
        status: { conditions: [{ type: 'Ready', ...ready }], ...(version ? { artifact: { revision: version } } : {}) },
      });
    const pulled = helmChart({ status: 'True', reason: 'ChartPullSucceeded', message: "pulled 'fluxbench-app' chart with version '0.1.0'" }, '0.1.0');
    expect(pulled).toMatchObject({ kind: 'HelmChart', key: 'HelmChart/flux-system/flux-system-release-001', artifactRevision: '0.1.0', ready: { status: 'True' } });
    // A HelmRepository is no source a commit is measured against: no sourceKey, and the chart version names no commit.
    expect(pulled.sourceKey).toBeUndefined();
    const machine = new LagStateMachine();
    machine.recordPush({ repo: 'fluxbench/charts', sha: 'a'.repeat(40), pushedAt: 0 });
    expect(machine.observe(pulled, 1_000)).toEqual([]);
    expect(machine.pending()).toEqual([]);
    const failing = helmChart({ status: 'False', reason: 'ChartPullError', message: 'failed to get chart version for remote reference: 429 Too Many Requests' });
    const detector = new StallDetector({ sourceFailingAfterMs: 30_000 });
    detector.evaluate(new Map([[failing.key, failing]]), 0);
    expect(detector.evaluate(new Map([[failing.key, failing]]), 31_000).map((s) => [s.name, s.labels?.object])).toEqual([['source_failing', 'HelmChart/flux-system/flux-system-release-001']]);
  });
});
