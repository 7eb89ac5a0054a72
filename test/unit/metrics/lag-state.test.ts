import { describe, expect, it } from 'vitest';
import { repoFromUrl, revisionMatchesSha, sameCommit, toSnapshot } from '../../../src/metrics/flux-objects.ts';
import { LagStateMachine } from '../../../src/metrics/lag-state.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { gitRepository, kustomization } from './support/fake-kube-api.ts';

const sha1 = 'a'.repeat(40);
const sha2 = 'b'.repeat(40);
const sha3 = 'c'.repeat(40);
const sha0 = 'f'.repeat(40);

const repoSnap = (sha?: string) => toSnapshot('GitRepository', gitRepository('flux-system', 'app', 'acme/app', sha));
const ksSnap = (name: string, state: Parameters<typeof kustomization>[3]) => toSnapshot('Kustomization', kustomization('team', name, 'app', { ...state }));

function brief(samples: Sample[]): string[] {
  return samples.map((s) => `${s.name} ${s.labels!.object} ${s.labels!.commit!.slice(0, 1)} ${s.value} @${s.ts}`);
}

describe('flux object helpers', () => {
  it('derives owner/repo from git URLs', () => {
    expect(repoFromUrl('http://127.0.0.1:8443/acme/app-1.git')).toBe('acme/app-1');
    expect(repoFromUrl('https://github.com/acme/app-1')).toBe('acme/app-1');
    expect(repoFromUrl('ssh://git@github.com/acme/app-1.git')).toBe('acme/app-1');
    expect(repoFromUrl('git@github.com:acme/app-1.git')).toBe('acme/app-1');
    expect(repoFromUrl('http://host/only')).toBeUndefined();
  });

  it('matches revisions in every Flux format', () => {
    expect(revisionMatchesSha(`main@sha1:${sha1}`, sha1)).toBe(true);
    expect(revisionMatchesSha(`main/${sha1}`, sha1)).toBe(true);
    expect(revisionMatchesSha(`1.0.0+${sha1.slice(0, 12)}`, sha1)).toBe(true);
    expect(revisionMatchesSha(`main@sha1:${sha2}`, sha1)).toBe(false);
    expect(revisionMatchesSha('1.0.0', sha1)).toBe(false);
    expect(revisionMatchesSha(undefined, sha1)).toBe(false);
    expect(sameCommit(`main@sha1:${sha1}`, `1.2.3+${sha1.slice(0, 12)}`)).toBe(true);
    expect(sameCommit(`main@sha1:${sha1}`, `main@sha1:${sha2}`)).toBe(false);
    expect(sameCommit('1.2.3', `main@sha1:${sha2}`)).toBeUndefined();
  });

  it('snapshots a HelmRelease from its deployed history entry', () => {
    const snap = toSnapshot('HelmRelease', {
      metadata: { namespace: 'apps', name: 'web' },
      spec: { interval: '5m', chart: { spec: { chart: './charts/web', sourceRef: { kind: 'GitRepository', name: 'app', namespace: 'flux-system' } } } },
      status: {
        history: [{ chartVersion: `0.1.0+${sha2.slice(0, 12)}`, status: 'deployed' }],
        lastAttemptedRevision: `0.1.0+${sha2.slice(0, 12)}`,
        conditions: [{ type: 'Ready', status: 'True', reason: 'UpgradeSucceeded' }],
      },
    });
    expect(snap).toMatchObject({
      key: 'HelmRelease/apps/web',
      sourceKey: 'GitRepository/flux-system/app',
      appliedRevision: `0.1.0+${sha2.slice(0, 12)}`,
      ready: { status: 'True', reason: 'UpgradeSucceeded' },
      intervalMs: 300_000,
    });
    const failedUpgrade = toSnapshot('HelmRelease', {
      metadata: { namespace: 'apps', name: 'web' },
      status: { history: [{ chartVersion: '0.2.0', status: 'failed' }, { chartVersion: '0.1.0', status: 'deployed' }], lastAttemptedRevision: '0.2.0' },
    });
    expect(failedUpgrade.appliedRevision).toBe('0.1.0');
    expect(failedUpgrade.lastAttemptedRevision).toBe('0.2.0');
  });
});

describe('LagStateMachine', () => {
  it('emits artifact, applied and ready once each, in order of observation', () => {
    const m = new LagStateMachine();
    expect(m.observe(repoSnap(sha0), 500)).toEqual([]);
    expect(m.observe(ksSnap('a', { applied: sha0, ready: 'True' }), 600)).toEqual([]);
    expect(m.recordPush({ repo: 'acme/app', sha: sha1, pushedAt: 1000 })).toEqual([]);
    expect(brief(m.observe(repoSnap(sha1), 3000))).toEqual(['artifact GitRepository/flux-system/app a 2 @3000']);
    // Same state observed again: nothing new.
    expect(m.observe(repoSnap(sha1), 3500)).toEqual([]);
    expect(brief(m.observe(ksSnap('a', { applied: sha1, ready: 'Unknown' }), 4000))).toEqual(['applied Kustomization/team/a a 3 @4000']);
    expect(brief(m.observe(ksSnap('a', { applied: sha1, ready: 'True' }), 4500))).toEqual(['ready Kustomization/team/a a 3.5 @4500']);
    expect(m.observe(ksSnap('a', { applied: sha1, ready: 'True' }), 9000)).toEqual([]);
    const [sample] = m.observe(repoSnap(sha2), 9500).concat(m.recordPush({ repo: 'acme/app', sha: sha2, pushedAt: 9000 }));
    expect(sample).toEqual({
      ts: 9500,
      kind: 'lag',
      name: 'artifact',
      value: 0.5,
      labels: { object: 'GitRepository/flux-system/app', repo: 'acme/app', commit: sha2, stage: 'artifact' },
    });
  });

  it('completes a superseded commit when the object jumps straight to a newer one', () => {
    const m = new LagStateMachine();
    m.observe(repoSnap(sha0), 0);
    m.observe(ksSnap('a', { applied: sha0, ready: 'True' }), 0);
    m.recordPush({ repo: 'acme/app', sha: sha1, pushedAt: 1000 });
    m.recordPush({ repo: 'acme/app', sha: sha2, pushedAt: 2000 });
    const samples = m.observe(ksSnap('a', { applied: sha2, ready: 'True' }), 5000);
    expect(brief(samples).sort()).toEqual([
      'applied Kustomization/team/a a 4 @5000',
      'applied Kustomization/team/a b 3 @5000',
      'ready Kustomization/team/a a 4 @5000',
      'ready Kustomization/team/a b 3 @5000',
    ]);
    // Seeing the older commit afterwards changes nothing.
    expect(m.observe(ksSnap('a', { applied: sha1, ready: 'True' }), 6000)).toEqual([]);
  });

  it('does not complete a newer commit from an older one', () => {
    const m = new LagStateMachine();
    m.observe(repoSnap(sha0), 0);
    m.recordPush({ repo: 'acme/app', sha: sha1, pushedAt: 1000 });
    m.recordPush({ repo: 'acme/app', sha: sha2, pushedAt: 2000 });
    expect(brief(m.observe(repoSnap(sha1), 2500))).toEqual(['artifact GitRepository/flux-system/app a 1.5 @2500']);
    expect(brief(m.observe(repoSnap(sha2), 4000))).toEqual(['artifact GitRepository/flux-system/app b 2 @4000']);
  });

  it('handles a push registered after the object was already seen at it', () => {
    const m = new LagStateMachine();
    m.observe(repoSnap(sha0), 0);
    m.observe(ksSnap('a', { applied: sha0, ready: 'True' }), 0);
    m.observe(repoSnap(sha1), 1200);
    m.observe(ksSnap('a', { applied: sha1, ready: 'True' }), 1500);
    const samples = m.recordPush({ repo: 'acme/app', sha: sha1, pushedAt: 1000 });
    expect(brief(samples).sort()).toEqual([
      'applied Kustomization/team/a a 0.5 @1500',
      'artifact GitRepository/flux-system/app a 0.2 @1200',
      'ready Kustomization/team/a a 0.5 @1500',
    ]);
    // A duplicate registration is ignored.
    expect(m.recordPush({ repo: 'acme/app', sha: sha1, pushedAt: 1000 })).toEqual([]);
  });

  it('orders pushes by time even when registered out of order', () => {
    const m = new LagStateMachine();
    m.observe(repoSnap(sha0), 0);
    m.recordPush({ repo: 'acme/app', sha: sha2, pushedAt: 2000 });
    m.recordPush({ repo: 'acme/app', sha: sha1, pushedAt: 1000 });
    // Seeing sha1 must not complete sha2, which was pushed later.
    expect(brief(m.observe(repoSnap(sha1), 3000))).toEqual(['artifact GitRepository/flux-system/app a 2 @3000']);
  });

  it('keeps the earliest sighting when snapshots arrive out of order', () => {
    const m = new LagStateMachine();
    m.recordPush({ repo: 'acme/app', sha: sha1, pushedAt: 1000 });
    m.observe(ksSnap('a', { applied: sha1, ready: 'True' }), 5000);
    m.observe(ksSnap('a', { applied: sha1, ready: 'True' }), 3000);
    // The Kustomization's repo becomes known only when its GitRepository is seen.
    const samples = m.observe(repoSnap(sha1), 6000);
    expect(brief(samples).sort()).toEqual([
      'applied Kustomization/team/a a 2 @3000',
      'artifact GitRepository/flux-system/app a 5 @6000',
      'ready Kustomization/team/a a 2 @3000',
    ]);
  });

  it('tracks repos independently and ignores objects of other repos', () => {
    const m = new LagStateMachine();
    m.observe(repoSnap(sha0), 0);
    m.recordPush({ repo: 'acme/other', sha: sha1, pushedAt: 1000 });
    expect(m.observe(repoSnap(sha1), 2000)).toEqual([]);
  });

  it('matches Helm chart versions carrying a short commit id', () => {
    const m = new LagStateMachine();
    m.observe(repoSnap(sha0), 0);
    m.recordPush({ repo: 'acme/app', sha: sha3, pushedAt: 1000 });
    const hr = toSnapshot('HelmRelease', {
      metadata: { namespace: 'apps', name: 'web' },
      spec: { chart: { spec: { sourceRef: { kind: 'GitRepository', name: 'app', namespace: 'flux-system' } } } },
      status: { history: [{ chartVersion: `0.1.0+${sha3.slice(0, 12)}`, status: 'deployed' }], conditions: [{ type: 'Ready', status: 'True' }] },
    });
    expect(brief(m.observe(hr, 4000)).sort()).toEqual(['applied HelmRelease/apps/web c 3 @4000', 'ready HelmRelease/apps/web c 3 @4000']);
  });

  it('does not attribute commits pushed before an object was created to it', () => {
    const m = new LagStateMachine();
    m.observe(repoSnap(sha0), 0);
    const created = Date.parse('2026-01-01T00:00:10Z');
    m.recordPush({ repo: 'acme/app', sha: sha1, pushedAt: created - 5000 });
    m.recordPush({ repo: 'acme/app', sha: sha2, pushedAt: created + 500 });
    const raw = kustomization('team', 'late', 'app', { applied: sha2, ready: 'True' });
    raw.metadata.creationTimestamp = '2026-01-01T00:00:10Z';
    const samples = m.observe(toSnapshot('Kustomization', raw), created + 3500);
    expect(brief(samples).sort()).toEqual(['applied Kustomization/team/late b 3 @1767225613500', 'ready Kustomization/team/late b 3 @1767225613500']);
  });

  it('forgets deleted objects and bounds remembered pushes', () => {
    const m = new LagStateMachine({ maxPushesPerRepo: 2 });
    m.observe(repoSnap(sha0), 0);
    m.observe(ksSnap('a', { applied: sha0, ready: 'True' }), 0);
    m.remove('Kustomization/team/a');
    m.recordPush({ repo: 'acme/app', sha: sha1, pushedAt: 1000 });
    m.recordPush({ repo: 'acme/app', sha: sha2, pushedAt: 2000 });
    m.recordPush({ repo: 'acme/app', sha: sha3, pushedAt: 3000 });
    // sha1 fell out of memory: only sha2 and sha3 complete.
    expect(brief(m.observe(repoSnap(sha3), 4000)).sort()).toEqual([
      'artifact GitRepository/flux-system/app b 2 @4000',
      'artifact GitRepository/flux-system/app c 1 @4000',
    ]);
  });
});
