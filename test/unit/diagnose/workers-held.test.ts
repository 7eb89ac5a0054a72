import { describe, expect, it } from 'vitest';
import { diagnose, renderDiagnosisMarkdown, renderDiagnosisText } from '../../../src/diagnose/index.ts';
import { gitRepository, kustomization, min, now, ready, stateOf } from './raw-objects.ts';

const rev = 'main@sha1:1111111111111111111111111111111111111111';

/** A Kustomization waiting on its health checks for `since` ms, as kustomize-controller reports it. */
const waiting = (name: string, since: number) =>
  kustomization(name, {
    lastAttemptedRevision: rev,
    conditions: [
      ready('Unknown', 'Progressing', 'Reconciliation in progress', since),
      { type: 'Healthy', status: 'Unknown', reason: 'Progressing', message: `Running health checks for revision ${rev} with a timeout of 4m0s`, lastTransitionTime: new Date(now.getTime() - since).toISOString() },
    ],
  });

describe('long reconciles holding a controller’s workers', () => {
  it('lists the reconciles in progress for over 30 s per controller, longest first, and says when they fill its workers', () => {
    const state = stateOf(gitRepository(rev, 60 * min), ...[1, 2, 3, 3.5].map((m, i) => waiting(`broken-${i + 1}`, m * min)), waiting('busy-now', 10_000));
    const { workersHeld } = diagnose(state, now);
    expect(workersHeld).toHaveLength(1);
    const [held] = workersHeld;
    expect(held!.controller).toBe('kustomize-controller');
    expect(held!.kind).toBe('Kustomization');
    expect(held!.defaultConcurrent).toBe(4);
    expect(held!.objects.map((o) => [o.id, o.seconds])).toEqual([
      ['Kustomization/apps/broken-4', 210],
      ['Kustomization/apps/broken-3', 180],
      ['Kustomization/apps/broken-2', 120],
      ['Kustomization/apps/broken-1', 60],
    ]);
    expect(held!.objects[0]!.message).toMatch(/^Running health checks for revision .* with a timeout of 4m0s$/);
    expect(held!.explanation).toMatch(/^4 Kustomization reconciles of kustomize-controller in progress for over 30s \(the longest apps\/broken-4, 3m30s\); it runs 4 Kustomization reconciles at once by default/);
    expect(held!.explanation).toMatch(/every other Kustomization waits behind them: shorten spec\.timeout/);
    expect(renderDiagnosisText(diagnose(state, now))).toContain("Long Kustomization reconciles holding kustomize-controller's workers (4):");
    expect(renderDiagnosisMarkdown(diagnose(state, now))).toContain("### Long Kustomization reconciles holding kustomize-controller's workers (4)");
  });

  it('says the others still get reconciled while fewer than the workers, and lists nothing for short or finished reconciles', () => {
    const two = diagnose(stateOf(gitRepository(rev, 60 * min), waiting('a', 2 * min), waiting('b', 2 * min)), now).workersHeld;
    expect(two[0]!.explanation).toMatch(/While fewer than its workers, the others still get reconciled/);
    const none = diagnose(stateOf(gitRepository(rev, 60 * min), waiting('a', 20_000), kustomization('done', { conditions: [ready('True', 'ReconciliationSucceeded', 'ok', 5 * min)] })), now);
    expect(none.workersHeld).toEqual([]);
    expect(renderDiagnosisText(none)).not.toContain('Long reconciles');
  });
});
