import { describe, expect, it } from 'vitest';
import { diagnose } from '../../../src/diagnose/index.ts';
import type { FluxState, RawObject } from '../../../src/diagnose/index.ts';
import { ago, gitRepository, kustomization, min, now, ready, stateOf } from './raw-objects.ts';

function symptomsOf(state: FluxState, id = 'Kustomization/apps/k'): string[] {
  return diagnose(state, now).findings.find((f) => f.id === id)?.symptoms.map((s) => s.type) ?? [];
}

describe('stuck detection', () => {
  const rev1 = 'main@sha1:1111111111111111111111111111111111111111';
  const rev2 = 'main@sha1:2222222222222222222222222222222222222222';

  it('flags lastAttemptedRevision ≠ lastAppliedRevision once the reconcile is over', () => {
    const state = stateOf(
      gitRepository(rev2, 1 * min),
      kustomization('k', { lastAttemptedRevision: rev2, lastAppliedRevision: rev1, conditions: [ready('False', 'ReconciliationFailed', 'apply failed', 1 * min)] }),
    );
    expect(symptomsOf(state)).toEqual(['attempted_ne_applied']);
    const finding = diagnose(state, now).findings[0]!;
    expect(finding.stuck).toBe(true);
    expect(finding.rootCause).toEqual({ type: 'object', id: 'Kustomization/apps/k', reason: 'ReconciliationFailed', message: 'apply failed' });
  });

  it('does not flag a revision difference while the object is mid-reconcile', () => {
    const state = stateOf(
      gitRepository(rev2, 0),
      kustomization('k', { lastAttemptedRevision: rev2, lastAppliedRevision: rev1, conditions: [ready('Unknown', 'Progressing', 'Reconciliation in progress', 10_000)] }),
    );
    const diagnosis = diagnose(state, now);
    expect(diagnosis.findings.map((f) => [f.id, f.stuck])).toEqual([['Kustomization/apps/k', false]]);
    expect(diagnosis.counts.stuck).toBe(0);
  });

  it('flags Ready=True at a revision older than the source artifact, after the grace period only', () => {
    const stale = (updatedAgo: number) =>
      stateOf(
        gitRepository(rev2, updatedAgo),
        kustomization('k', { lastAttemptedRevision: rev1, lastAppliedRevision: rev1, conditions: [ready('True', 'ReconciliationSucceeded', `Applied revision: ${rev1}`, 60 * min)] }),
      );
    expect(symptomsOf(stale(30_000))).toEqual([]);
    expect(symptomsOf(stale(10 * min))).toEqual(['stale_revision']);
    const finding = diagnose(stale(10 * min), now).findings[0]!;
    expect(finding.rootCause).toMatchObject({ type: 'object', reason: 'StaleRevision' });
    expect(finding.symptoms[0]!.seconds).toBe(600);
  });

  it('blames the dependency at another revision for a stale-revision object', () => {
    const state = stateOf(
      gitRepository(rev2, 10 * min),
      kustomization('k', { lastAppliedRevision: rev1, conditions: [ready('True', 'ReconciliationSucceeded', 'ok', 60 * min)] }, { spec: { dependsOn: [{ name: 'dep' }] } }),
      kustomization('dep', { lastAppliedRevision: rev1, conditions: [ready('True', 'ReconciliationSucceeded', 'ok', 60 * min)] }),
    );
    const finding = diagnose(state, now).findings.find((f) => f.id === 'Kustomization/apps/k')!;
    expect(finding.chain.map((h) => h.id)).toEqual(['Kustomization/apps/k', 'Kustomization/apps/dep']);
  });

  it('calls a failure failing only once it outlasts the interval', () => {
    const failing = (since: number) => stateOf(gitRepository(rev1, 60 * min), kustomization('k', { conditions: [ready('False', 'BuildFailed', 'kustomize build failed', since)] }));
    expect(symptomsOf(failing(2 * min))).toEqual([]);
    expect(diagnose(failing(2 * min), now).counts).toMatchObject({ notReady: 1, stuck: 0 });
    expect(symptomsOf(failing(6 * min))).toEqual(['failing']);
  });

  it('flags a Ready=Unknown that outlasts several intervals as stale progress, and Stalled at once', () => {
    const progressing = stateOf(gitRepository(rev1, 60 * min), kustomization('k', { conditions: [ready('Unknown', 'Progressing', 'Reconciliation in progress', 16 * min)] }));
    expect(symptomsOf(progressing)).toEqual(['stale_progress']);
    const stalled = stateOf(
      gitRepository(rev1, 60 * min),
      kustomization('k', {
        conditions: [ready('False', 'InvalidPath', 'path not found', 10_000), { type: 'Stalled', status: 'True', reason: 'InvalidPath', message: 'path not found' }],
      }),
    );
    expect(symptomsOf(stalled)).toEqual(['stalled']);
  });

  it('flags an object the controller never reconciled', () => {
    expect(symptomsOf(stateOf(gitRepository(rev1, 60 * min), kustomization('k', {})))).toEqual(['stale_progress']);
  });

  it('flags a reconcile request the controller has not handled', () => {
    const requested = ago(10 * min);
    const state = stateOf(
      gitRepository(rev1, 60 * min),
      kustomization(
        'k',
        { lastAppliedRevision: rev1, lastHandledReconcileAt: ago(100 * min), conditions: [ready('True', 'ReconciliationSucceeded', 'ok', 60 * min)] },
        { annotations: { 'reconcile.fluxcd.io/requestedAt': requested } },
      ),
    );
    expect(symptomsOf(state)).toEqual(['reconcile_request_unhandled']);
  });

  it('skips suspended objects but names them as the root cause of what waits on them', () => {
    const state = stateOf(
      gitRepository(rev1, 60 * min),
      kustomization('paused', { conditions: [ready('False', 'BuildFailed', 'x', 60 * min)] }, { spec: { suspend: true } }),
      kustomization('k', { conditions: [ready('False', 'DependencyNotReady', "dependency 'apps/paused' is not ready", 60 * min)] }, { spec: { dependsOn: [{ name: 'paused' }] } }),
    );
    const diagnosis = diagnose(state, now);
    expect(diagnosis.findings.map((f) => f.id)).toEqual(['Kustomization/apps/k']);
    expect(diagnosis.findings[0]!.symptoms.map((s) => s.type)).toEqual(['dependency_not_ready']);
    expect(diagnosis.findings[0]!.rootCause).toEqual({ type: 'suspended', id: 'Kustomization/apps/paused' });
  });

  it('follows a source that is not ready', () => {
    const repo = gitRepository(rev1, 60 * min);
    repo.status!.conditions = [ready('False', 'GitOperationFailed', 'failed to checkout: authentication required', 30 * min)];
    const state = stateOf(repo, kustomization('k', { conditions: [ready('False', 'ArtifactFailed', 'Source artifact not found, retrying in 30s', 30 * min)] }));
    const finding = diagnose(state, now).findings.find((f) => f.id === 'Kustomization/apps/k')!;
    expect(finding.chain.map((h) => [h.id, h.via])).toEqual([
      ['Kustomization/apps/k', undefined],
      ['GitRepository/apps/repo', 'source'],
    ]);
    expect(finding.rootCause).toMatchObject({ id: 'GitRepository/apps/repo', reason: 'GitOperationFailed' });
  });
});

describe('health-check chains', () => {
  const failing = (message: string) =>
    kustomization('k', { conditions: [ready('False', 'HealthCheckFailed', message, 30 * min)] }, { spec: { healthChecks: [{ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: 'hr' }] } });
  const release = (status: string): RawObject => ({
    apiVersion: 'helm.toolkit.fluxcd.io/v2',
    kind: 'HelmRelease',
    metadata: { name: 'hr', namespace: 'apps' },
    spec: { interval: '5m' },
    status: { conditions: [ready(status, status === 'True' ? 'UpgradeSucceeded' : 'UpgradeFailed', status === 'True' ? 'ok' : 'Helm upgrade failed: timed out', 30 * min)] },
  });

  it('follows a health check on a HelmRelease that is not Ready', () => {
    const state = stateOf(gitRepository('main@sha1:1', 60 * min), failing("timeout waiting for: [HelmRelease/apps/hr status: 'InProgress']"), release('False'));
    const finding = diagnose(state, now).findings.find((f) => f.id === 'Kustomization/apps/k')!;
    expect(finding.chain.map((h) => [h.id, h.via])).toEqual([
      ['Kustomization/apps/k', undefined],
      ['HelmRelease/apps/hr', 'healthCheck'],
    ]);
    expect(finding.rootCause).toMatchObject({ id: 'HelmRelease/apps/hr', reason: 'UpgradeFailed' });
  });

  it('stops at the object itself when what its message names was not read or is Ready by now', () => {
    const unread = stateOf(gitRepository('main@sha1:1', 60 * min), failing("timeout waiting for: [Deployment/apps/web status: 'InProgress']"));
    expect(diagnose(unread, now).findings[0]!.rootCause).toMatchObject({ type: 'object', id: 'Kustomization/apps/k', reason: 'HealthCheckFailed' });
    const recovered = stateOf(gitRepository('main@sha1:1', 60 * min), failing("timeout waiting for: [HelmRelease/apps/hr status: 'InProgress']"), release('True'));
    const finding = diagnose(recovered, now).findings.find((f) => f.id === 'Kustomization/apps/k')!;
    expect(finding.chain).toHaveLength(1);
    expect(finding.rootCause).toMatchObject({ id: 'Kustomization/apps/k', reason: 'HealthCheckFailed' });
  });

  it('flags a GitRepository whose clone timed out at once, naming spec.timeout and the fixes, and blames it for what reads it', () => {
    const timedOut = (spec: Record<string, unknown>, message: string): RawObject => ({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'GitRepository',
      metadata: { name: 'repo', namespace: 'apps' },
      spec: { interval: '1m', url: 'http://127.0.0.1:1/fluxbench/fleet.git', ...spec },
      status: { conditions: [ready('False', 'GitOperationFailed', message, 10_000)] },
    });
    const deadline = "failed to checkout and determine revision: unable to clone 'http://127.0.0.1:1/fluxbench/fleet.git': context deadline exceeded";
    const state = stateOf(timedOut({}, deadline), kustomization('k', { conditions: [ready('False', 'ArtifactFailed', 'Source artifact not found', 10 * min)] }));
    const diagnosis = diagnose(state, now);
    const source = diagnosis.findings.find((f) => f.id === 'GitRepository/apps/repo')!;
    // Ten seconds old, shorter than its interval: a timeout is stuck anyway, it fails the same way every time.
    expect(source.stuck).toBe(true);
    expect(source.symptoms.map((s) => s.type)).toEqual(['clone_timeout']);
    expect(source.symptoms[0]!.detail).toMatch(/^clone timed out after 1m \(spec\.timeout\): raise spec\.timeout.*spec\.ignore.*depth 1/);
    expect(diagnosis.findings.find((f) => f.id === 'Kustomization/apps/k')!.rootCause).toMatchObject({ id: 'GitRepository/apps/repo', message: deadline });

    const longer = diagnose(stateOf(timedOut({ timeout: '3m' }, deadline)), now).findings[0]!;
    expect(longer.symptoms[0]!.detail).toContain('clone timed out after 3m (spec.timeout)');
    // Another failure is not a timeout.
    expect(symptomsOf(stateOf(timedOut({}, 'authentication required')), 'GitRepository/apps/repo')).toEqual([]);
  });
});
