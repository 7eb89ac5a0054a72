/**
 * Lag through OCI sources: OCIRepositories and the Kustomizations applying them report
 * `<tag>@sha256:<manifest digest>`, which names no commit; the digest each commit was published
 * as (recorded with its push) maps them back. Object shapes as source-controller 1.9 and
 * kustomize-controller 1.9 write them.
 */
import { describe, expect, it } from 'vitest';
import { ociRepositoryFromUrl, toSnapshot } from '../../../src/metrics/flux-objects.ts';
import { LagStateMachine } from '../../../src/metrics/lag-state.ts';
import type { Sample } from '../../../src/metrics/sample.ts';

const commit1 = '1'.repeat(40);
const commit2 = '2'.repeat(40);
const digest1 = `sha256:${'d1'.repeat(32)}`;
const digest2 = `sha256:${'e2'.repeat(32)}`;
const created = '2026-11-30T10:00:00Z';
const createdMs = Date.parse(created);

/** An OCIRepository as source-controller reports it after pulling `latest` at `digest`, published from `commit`. */
function ociRepository(name: string, repository: string, pulled?: { digest: string; commit: string }): unknown {
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name, namespace: 'flux-system', creationTimestamp: created },
    spec: { interval: '1m0s', insecure: true, provider: 'generic', ref: { tag: 'latest' }, secretRef: { name: 'fluxbench-registry-auth' }, timeout: '60s', url: `oci://10.0.0.7:5123/${repository}` },
    status: pulled
      ? {
          artifact: {
            // The tarball's own digest, not the manifest's: the revision carries the manifest digest.
            digest: `sha256:${'a'.repeat(64)}`,
            lastUpdateTime: '2026-11-30T10:01:00Z',
            metadata: {
              'org.opencontainers.image.created': '2026-11-30T10:00:59Z',
              'org.opencontainers.image.revision': `main@sha1:${pulled.commit}`,
              'org.opencontainers.image.source': 'http://127.0.0.1:40123/fluxbench/fleet.git',
            },
            path: `ocirepository/flux-system/${name}/${pulled.digest.slice(7)}.tar.gz`,
            revision: `latest@${pulled.digest}`,
            size: 1105,
            url: `http://127.0.0.1:9090/ocirepository/flux-system/${name}/${pulled.digest.slice(7)}.tar.gz`,
          },
          conditions: [{ type: 'Ready', status: 'True', reason: 'Succeeded', message: `stored artifact for digest 'latest@${pulled.digest}'`, lastTransitionTime: '2026-11-30T10:01:00Z' }],
          observedGeneration: 1,
        }
      : { conditions: [{ type: 'Ready', status: 'Unknown', reason: 'Progressing', message: 'reconciliation in progress' }] },
  };
}

/** A Kustomization reading an OCIRepository, applied (and maybe Ready) at `digest`. */
function kustomization(name: string, source: string, state: { applied?: string; ready?: 'True' | 'Unknown' } = {}): unknown {
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name, namespace: 'flux-system', creationTimestamp: created },
    spec: { interval: '10m', path: './', prune: true, sourceRef: { kind: 'OCIRepository', name: source }, targetNamespace: 'team-1' },
    status: {
      ...(state.applied ? { lastAppliedRevision: `latest@${state.applied}`, lastAttemptedRevision: `latest@${state.applied}` } : {}),
      conditions: state.ready ? [{ type: 'Ready', status: state.ready, reason: state.ready === 'True' ? 'ReconciliationSucceeded' : 'Progressing', message: state.applied ? `Applied revision: latest@${state.applied}` : '' }] : [],
    },
  };
}

const brief = (samples: Sample[]) => samples.map((s) => `${s.name} ${s.labels!.object} ${s.labels!.commit!.slice(0, 1)} ${s.value}`);

describe('OCI objects as snapshots', () => {
  it('reads the registry repository from spec.url and the digest revision from the artifact', () => {
    expect(ociRepositoryFromUrl('oci://10.0.0.7:5123/fluxbench/apps/app-001')).toBe('fluxbench/apps/app-001');
    expect(ociRepositoryFromUrl('oci://ghcr.io/org/config/app:v1')).toBe('org/config/app');
    expect(ociRepositoryFromUrl('oci://host/a/b@sha256:abc')).toBe('a/b');
    expect(ociRepositoryFromUrl('https://host/a')).toBeUndefined();
    const source = toSnapshot('OCIRepository', ociRepository('app-001', 'fluxbench/apps/app-001', { digest: digest1, commit: commit1 }));
    expect(source).toMatchObject({ key: 'OCIRepository/flux-system/app-001', repo: 'fluxbench/apps/app-001', artifactRevision: `latest@${digest1}`, ready: { status: 'True' } });
    const applier = toSnapshot('Kustomization', kustomization('app-001', 'app-001', { applied: digest1, ready: 'True' }));
    expect(applier).toMatchObject({ sourceKey: 'OCIRepository/flux-system/app-001', appliedRevision: `latest@${digest1}` });
    // A HelmRelease with chartRef reads the chart's OCIRepository.
    const release = toSnapshot('HelmRelease', { metadata: { name: 'r', namespace: 'flux-system' }, spec: { chartRef: { kind: 'OCIRepository', name: 'fluxbench-app' } } });
    expect(release.sourceKey).toBe('OCIRepository/flux-system/fluxbench-app');
  });
});

describe('lag through OCIRepositories', () => {
  it('maps digest revisions back to the pushed commit, stage by stage, for the artifact it was published to only', () => {
    const machine = new LagStateMachine();
    const at = (s: number) => createdMs + s * 1000;
    const observe = (kind: 'OCIRepository' | 'Kustomization', raw: unknown, s: number) => machine.observe(toSnapshot(kind, raw), at(s));
    // The initial artifacts, applied before any churn: not a commit's lag.
    expect(observe('OCIRepository', ociRepository('app-001', 'fluxbench/apps/app-001', { digest: digest1, commit: commit1 }), 10)).toEqual([]);
    observe('OCIRepository', ociRepository('app-002', 'fluxbench/apps/app-002', { digest: digest1, commit: commit1 }), 10);
    observe('Kustomization', kustomization('app-001', 'app-001', { applied: digest1, ready: 'True' }), 12);
    observe('Kustomization', kustomization('app-002', 'app-002', { applied: digest1, ready: 'True' }), 12);

    // Churn touches app-001 only: its artifact is published as digest2 (tag moved at 100 s).
    expect(machine.recordPush({ repo: 'fluxbench/apps/app-001', sha: commit2, pushedAt: at(100), digest: digest2 })).toEqual([]);
    expect(brief(observe('OCIRepository', ociRepository('app-001', 'fluxbench/apps/app-001', { digest: digest2, commit: commit2 }), 103))).toEqual([
      'artifact OCIRepository/flux-system/app-001 2 3',
    ]);
    expect(brief(observe('Kustomization', kustomization('app-001', 'app-001', { applied: digest2, ready: 'Unknown' }), 105))).toEqual(['applied Kustomization/flux-system/app-001 2 5']);
    const ready = observe('Kustomization', kustomization('app-001', 'app-001', { applied: digest2, ready: 'True' }), 106);
    expect(brief(ready)).toEqual(['ready Kustomization/flux-system/app-001 2 6']);
    expect(ready[0]!.labels).toEqual({ object: 'Kustomization/flux-system/app-001', repo: 'fluxbench/apps/app-001', commit: commit2, stage: 'ready' });
    // app-002's artifact was not published again: nothing is attributed to it.
    expect(observe('OCIRepository', ociRepository('app-002', 'fluxbench/apps/app-002', { digest: digest1, commit: commit1 }), 110)).toEqual([]);
    expect(observe('Kustomization', kustomization('app-002', 'app-002', { applied: digest1, ready: 'True' }), 110)).toEqual([]);
  });

  it('keeps the time an artifact was seen when its push is recorded later, and counts a skipped digest as delivered', () => {
    const machine = new LagStateMachine();
    const at = (s: number) => createdMs + s * 1000;
    const digest3 = `sha256:${'f3'.repeat(32)}`;
    const commit3 = '3'.repeat(40);
    machine.observe(toSnapshot('Kustomization', kustomization('team-1', 'team-1', {})), at(1));
    // The watch saw the new artifact before the publisher returned (the tag moved, then the push was recorded).
    machine.observe(toSnapshot('OCIRepository', ociRepository('team-1', 'fluxbench/teams/team-1', { digest: digest2, commit: commit2 })), at(50));
    expect(brief(machine.recordPush({ repo: 'fluxbench/teams/team-1', sha: commit2, pushedAt: at(48), digest: digest2 }))).toEqual(['artifact OCIRepository/flux-system/team-1 2 2']);
    // Two publishes in quick succession; the Kustomization applies only the newer one.
    machine.recordPush({ repo: 'fluxbench/teams/team-1', sha: commit3, pushedAt: at(60), digest: digest3 });
    const applied = machine.observe(toSnapshot('Kustomization', kustomization('team-1', 'team-1', { applied: digest3, ready: 'True' })), at(70));
    expect(brief(applied).sort()).toEqual([
      'applied Kustomization/flux-system/team-1 2 22',
      'applied Kustomization/flux-system/team-1 3 10',
      'ready Kustomization/flux-system/team-1 2 22',
      'ready Kustomization/flux-system/team-1 3 10',
    ]);
  });
});
