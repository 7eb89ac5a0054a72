import { describe, expect, it } from 'vitest';
import type { FluxObjectSnapshot } from '../../../src/metrics/flux-objects.ts';
import { ReconcileProgressLog, reconcileSpans } from '../../../src/metrics/reconcile-progress.ts';
import { kustomizationSnapshot } from '../../support/flux-snapshot.ts';

const snapshot = (name: string, status: 'True' | 'False' | 'Unknown', reason: string): FluxObjectSnapshot => kustomizationSnapshot(name, { ready: { status, reason } });

describe('reconcile spans from the Ready condition', () => {
  it('writes one sample when a reconcile starts and one when it ends, nothing in between', () => {
    const log = new ReconcileProgressLog();
    const samples = [
      ...log.observe(snapshot('a', 'True', 'ReconciliationSucceeded'), 1),
      ...log.observe(snapshot('a', 'Unknown', 'Progressing'), 2),
      ...log.observe(snapshot('a', 'Unknown', 'Progressing'), 3),
      // Ready=Unknown for another reason is no reconcile in progress.
      ...log.observe(snapshot('b', 'Unknown', 'DependencyNotReady'), 3),
      ...log.observe(snapshot('a', 'False', 'HealthCheckFailed'), 30),
      ...log.observe(snapshot('a', 'Unknown', 'Progressing'), 40),
      ...log.forget('Kustomization/apps/a', 45),
      ...log.forget('Kustomization/apps/b', 45),
    ];
    expect(samples.map((s) => [s.ts, s.value])).toEqual([
      [2, 1],
      [30, 0],
      [40, 1],
      [45, 0],
    ]);
    expect(reconcileSpans(samples, 100)).toEqual([
      { object: 'Kustomization/apps/a', startTs: 2, endTs: 30 },
      { object: 'Kustomization/apps/a', startTs: 40, endTs: 45 },
    ]);
  });

  it('sees a retry after a failure by its Reconciling condition, while Ready stays False', () => {
    const log = new ReconcileProgressLog();
    const retrying = { ...snapshot('a', 'False', 'HealthCheckFailed'), reconciling: true };
    const samples = [...log.observe(snapshot('a', 'False', 'HealthCheckFailed'), 1), ...log.observe(retrying, 10), ...log.observe(snapshot('a', 'False', 'HealthCheckFailed'), 40)];
    expect(reconcileSpans(samples, 100)).toEqual([{ object: 'Kustomization/apps/a', startTs: 10, endTs: 40 }]);
  });

  it('ends a reconcile still running at the end of the run', () => {
    const log = new ReconcileProgressLog();
    expect(reconcileSpans(log.observe(snapshot('a', 'Unknown', 'Progressing'), 5), 60)).toEqual([{ object: 'Kustomization/apps/a', startTs: 5, endTs: 60 }]);
  });
});
