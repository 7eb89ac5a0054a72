import { describe, expect, it } from 'vitest';
import { diagnose, renderDiagnosisMarkdown, renderDiagnosisText } from '../../../src/diagnose/index.ts';
import type { RawObject } from '../../../src/diagnose/index.ts';
import { gitRepository, kustomization, min, now, ready, stateOf } from './raw-objects.ts';

const rev1 = 'main@sha1:1111111111111111111111111111111111111111';
const rev2 = 'main@sha1:2222222222222222222222222222222222222222';

/** Ready=True at rev1, as every object of a frozen source looks. */
const readyAtRev1 = (name: string, extra: Parameters<typeof kustomization>[2] = {}): RawObject =>
  kustomization(name, { lastAttemptedRevision: rev1, lastAppliedRevision: rev1, conditions: [ready('True', 'ReconciliationSucceeded', `Applied revision: ${rev1}`, 30 * min)] }, extra);

/** A Kustomization of `source` depending on `on`, waiting on it (Ready=False, DependencyNotReady). */
const waiting = (name: string, on: string, source = 'repo'): RawObject =>
  kustomization(
    name,
    { lastAppliedRevision: rev1, conditions: [ready('False', 'DependencyNotReady', `dependency 'apps/${on}' revision is not up to date`, 20 * min)] },
    { spec: { dependsOn: [{ name: on }], sourceRef: { kind: 'GitRepository', name: source } } },
  );

const otherRepo = (): RawObject => {
  const repo = gitRepository(rev1, 60 * min);
  return { ...repo, metadata: { ...repo.metadata, name: 'other' } };
};

describe('objects Ready at an older revision than their source, grouped with a cause', () => {
  it('names a dependsOn cycle among the same source’s Kustomizations as what froze every one of them', () => {
    const state = stateOf(
      gitRepository(rev2, 10 * min),
      readyAtRev1('app-001'),
      readyAtRev1('app-002'),
      readyAtRev1('app-003', { spec: { suspend: true } }),
      waiting('app-018', 'app-019'),
      waiting('app-019', 'app-020'),
      waiting('app-020', 'app-018'),
    );
    const diagnosis = diagnose(state, now);
    expect(diagnosis.staleRevisions).toHaveLength(1);
    const [group] = diagnosis.staleRevisions;
    expect(group!.source).toBe('GitRepository/apps/repo');
    expect(group!.revision).toBe(rev2);
    expect(group!.artifactAgeSeconds).toBe(600);
    expect(group!.objects.map((o) => [o.id, o.suspended])).toEqual([
      ['Kustomization/apps/app-001', false],
      ['Kustomization/apps/app-002', false],
      ['Kustomization/apps/app-003', true],
    ]);
    expect(group!.cause).toEqual({ type: 'shared_source_cycle', cycle: ['Kustomization/apps/app-018', 'Kustomization/apps/app-019', 'Kustomization/apps/app-020'] });
    expect(diagnosis.counts.staleRevision).toBe(3);

    // Each frozen object's own finding leads to the cycle too, without claiming it waits on a dependency.
    const finding = diagnosis.findings.find((f) => f.id === 'Kustomization/apps/app-001')!;
    expect(finding.stuck).toBe(true);
    expect(finding.rootCause).toEqual({ type: 'cycle', cycle: group!.cause.type === 'shared_source_cycle' ? group!.cause.cycle : [] });
    expect(finding.symptoms.map((s) => s.type)).toEqual(['stale_revision']);
    // Suspended on purpose: listed in the group, never a finding.
    expect(diagnosis.findings.some((f) => f.id === 'Kustomization/apps/app-003')).toBe(false);

    const text = renderDiagnosisText(diagnosis);
    expect(text).toContain('Ready but behind their source (3):');
    expect(text).toContain('apps/app-001, apps/app-002, apps/app-003 (suspended)');
    expect(text).toContain('fluxcd/kustomize-controller#1712');
    expect(text).toContain('apps/app-018 → apps/app-019 → apps/app-020 → apps/app-018');
    const markdown = renderDiagnosisMarkdown(diagnosis);
    expect(markdown).toContain('### Ready but behind their source (3)');
    expect(markdown).toMatch(/\| GitRepository\/apps\/repo \| main@sha1:2+ for 10m \| 3: apps\/app-001/);
  });

  it('does not blame a cycle of another source’s Kustomizations', () => {
    const state = stateOf(
      gitRepository(rev2, 10 * min),
      otherRepo(),
      readyAtRev1('app-001', { spec: { interval: '30m' } }),
      readyAtRev1('app-002'),
      waiting('x', 'y', 'other'),
      waiting('y', 'x', 'other'),
    );
    const diagnosis = diagnose(state, now);
    expect(diagnosis.cycles).toHaveLength(1);
    expect(diagnosis.staleRevisions.map((g) => g.cause)).toEqual([{ type: 'waiting_for_interval', intervalSeconds: 1800 }]);
    expect(diagnosis.staleRevisions[0]!.explanation).toMatch(/^no reconcile since the artifact changed — waiting for its interval \(up to 30m/);
    expect(diagnosis.findings.find((f) => f.id === 'Kustomization/apps/app-001')!.rootCause).toMatchObject({ type: 'object', reason: 'StaleRevision' });
  });

  it('does not blame the source’s health (what it serves is applied regardless), only notes it', () => {
    const failingSource = stateOf(
      gitRepository(rev2, 10 * min, { conditions: [ready('False', 'GitOperationFailed', 'failed to checkout: 403 rate limit exceeded', 5 * min)] }),
      readyAtRev1('app-001', { spec: { interval: '1h' } }),
    );
    const [group] = diagnose(failingSource, now).staleRevisions;
    expect(group!.cause).toEqual({ type: 'waiting_for_interval', intervalSeconds: 3600 });
    expect(group!.explanation).toMatch(/GitRepository\/apps\/repo is also not Ready \(GitOperationFailed\): newer commits do not reach it$/);
    const suspendedSource = stateOf(gitRepository(rev2, 10 * min, { spec: { suspend: true } }), readyAtRev1('app-001', { spec: { interval: '1h' } }));
    expect(diagnose(suspendedSource, now).staleRevisions[0]!.explanation).toMatch(/is also suspended/);
  });

  it('calls objects whose artifact outlived their interval not reconciled at all, and suspended ones suspended', () => {
    // 10 minutes behind with a 5-minute interval: the timer should have applied it twice over.
    const [group] = diagnose(stateOf(gitRepository(rev2, 10 * min), readyAtRev1('app-001')), now).staleRevisions;
    expect(group!.cause).toEqual({ type: 'not_reconciling', intervalSeconds: 300 });
    expect(group!.explanation).toMatch(/not even the timer reconciled them.*sharding\.fluxcd\.io\/key/);

    const allSuspended = stateOf(gitRepository(rev2, 10 * min), readyAtRev1('app-001', { spec: { suspend: true } }));
    const diagnosis = diagnose(allSuspended, now);
    expect(diagnosis.staleRevisions[0]!.cause).toEqual({ type: 'objects_suspended' });
    expect(diagnosis.findings).toEqual([]);
  });

  it('leaves out objects within the grace period, at the current revision, or not Ready', () => {
    const young = stateOf(gitRepository(rev2, 1 * min), readyAtRev1('app-001'));
    expect(diagnose(young, now).staleRevisions).toEqual([]);
    expect(diagnose(young, now, { graceMs: 30_000 }).staleRevisions).toHaveLength(1);

    const current = stateOf(gitRepository(rev1, 10 * min), readyAtRev1('app-001'));
    expect(diagnose(current, now).staleRevisions).toEqual([]);

    const failing = stateOf(
      gitRepository(rev2, 10 * min),
      kustomization('app-001', { lastAttemptedRevision: rev2, lastAppliedRevision: rev1, conditions: [ready('False', 'ReconciliationFailed', 'apply failed', 8 * min)] }),
    );
    const diagnosis = diagnose(failing, now);
    expect(diagnosis.staleRevisions).toEqual([]);
    expect(diagnosis.counts.staleRevision).toBe(0);
    expect(renderDiagnosisText(diagnosis)).not.toContain('behind their source');
  });
});
