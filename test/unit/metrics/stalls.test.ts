import { describe, expect, it } from 'vitest';
import { type FluxObjectSnapshot, toSnapshot } from '../../../src/metrics/flux-objects.ts';
import { StallDetector, readinessSamples } from '../../../src/metrics/stalls.ts';
import { gitRepository, kustomization } from './support/fake-kube-api.ts';

const sha1 = '1'.repeat(40);
const sha2 = '2'.repeat(40);

function objects(...snapshots: FluxObjectSnapshot[]): Map<string, FluxObjectSnapshot> {
  return new Map(snapshots.map((s) => [s.key, s]));
}
const repo = (sha: string) => toSnapshot('GitRepository', gitRepository('flux-system', 'app', 'acme/app', sha));
const ks = (name: string, state: Parameters<typeof kustomization>[3]) => toSnapshot('Kustomization', kustomization('team', name, 'app', state));

describe('StallDetector', () => {
  it('reports Ready=True at a stale revision only after the threshold, valued at time stuck', () => {
    const detector = new StallDetector({ staleRevisionAfterMs: 10_000 });
    const stale = objects(repo(sha2), ks('a', { applied: sha1, ready: 'True' }));
    expect(detector.evaluate(stale, 0)).toEqual([]);
    expect(detector.evaluate(stale, 9_000)).toEqual([]);
    expect(detector.evaluate(stale, 12_000)).toEqual([
      { ts: 12_000, kind: 'stall', name: 'stale_revision', value: 12, labels: { object: 'Kustomization/team/a' } },
    ]);
    // Caught up: the condition clears and its clock restarts.
    expect(detector.evaluate(objects(repo(sha2), ks('a', { applied: sha2, ready: 'True' })), 13_000)).toEqual([]);
    expect(detector.evaluate(stale, 14_000)).toEqual([]);
    expect(detector.evaluate(stale, 24_000)).toHaveLength(1);
  });

  it('reports a GitRepository that keeps failing to fetch, with its reason, while one merely fetching is not', () => {
    const detector = new StallDetector({ sourceFailingAfterMs: 30_000 });
    const failing = (status: 'False' | 'Unknown') => {
      const raw = gitRepository('flux-system', 'app', 'acme/app', sha1);
      (raw.status as { conditions: unknown[] }).conditions = [
        { type: 'Ready', status, reason: status === 'False' ? 'GitOperationFailed' : 'Progressing', message: status === 'False' ? 'API rate limit exceeded for user ID flux.' : 'building artifact' },
      ];
      return toSnapshot('GitRepository', raw);
    };
    expect(detector.evaluate(objects(failing('False')), 0)).toEqual([]);
    expect(detector.evaluate(objects(failing('False')), 29_000)).toEqual([]);
    expect(detector.evaluate(objects(failing('False')), 31_000)).toEqual([
      {
        ts: 31_000,
        kind: 'stall',
        name: 'source_failing',
        value: 31,
        labels: { object: 'GitRepository/flux-system/app' },
        // The repo and spec.timeout (Flux's 60s default when unset) let a report set a clone timeout beside the host's clone time.
        detail: { reason: 'GitOperationFailed', message: 'API rate limit exceeded for user ID flux.', repo: 'acme/app', timeoutSeconds: 60 },
      },
    ]);
    // Recovered (or just fetching): the clock restarts.
    expect(detector.evaluate(objects(failing('Unknown')), 40_000)).toEqual([]);
    expect(detector.evaluate(objects(repo(sha1)), 50_000)).toEqual([]);
    expect(detector.evaluate(objects(failing('False')), 60_000)).toEqual([]);
    const withTimeout = gitRepository('flux-system', 'slow', 'acme/slow', sha1);
    (withTimeout.spec as Record<string, unknown>).timeout = '2m30s';
    (withTimeout.status as { conditions: unknown[] }).conditions = [{ type: 'Ready', status: 'False', reason: 'GitOperationFailed', message: 'context deadline exceeded' }];
    const slow = new StallDetector({ sourceFailingAfterMs: 0 }).evaluate(objects(toSnapshot('GitRepository', withTimeout)), 0);
    expect(slow[0]!.detail).toEqual({ reason: 'GitOperationFailed', message: 'context deadline exceeded', repo: 'acme/slow', timeoutSeconds: 150 });
    const suspended = failing('False');
    suspended.suspended = true;
    expect(new StallDetector({ sourceFailingAfterMs: 0 }).evaluate(objects(suspended), 0)).toEqual([]);
  });

  it('does not call a not-Ready object at an old revision stale', () => {
    const detector = new StallDetector({ staleRevisionAfterMs: 0 });
    expect(detector.evaluate(objects(repo(sha2), ks('a', { applied: sha1, ready: 'Unknown' })), 0)).toEqual([]);
    // No source seen: nothing to compare against.
    expect(detector.evaluate(objects(ks('a', { applied: sha1, ready: 'True' })), 0)).toEqual([]);
  });

  it('reports DependencyNotReady that lasts', () => {
    const detector = new StallDetector({ dependencyNotReadyAfterMs: 5_000 });
    const waiting = objects(repo(sha1), ks('b', { applied: sha1, ready: 'False', reason: 'DependencyNotReady' }));
    expect(detector.evaluate(waiting, 1_000)).toEqual([]);
    const samples = detector.evaluate(waiting, 7_000);
    expect(samples.map((s) => [s.name, s.labels!.object, s.value])).toEqual([['dependency_not_ready', 'Kustomization/team/b', 6]]);
    // Another reason is not a dependency stall.
    expect(detector.evaluate(objects(repo(sha1), ks('b', { applied: sha1, ready: 'False', reason: 'BuildFailed' })), 8_000)).toEqual([]);
  });

  it('names the dependency chain down to its root cause, and cycles', () => {
    const detector = new StallDetector({ dependencyNotReadyAfterMs: 0 });
    const withDeps = (name: string, deps: string[], state: Parameters<typeof kustomization>[3]) => {
      const raw = kustomization('team', name, 'app', state);
      (raw.spec as Record<string, unknown>).dependsOn = deps.map((d) => ({ name: d }));
      return toSnapshot('Kustomization', raw);
    };
    const waiting = { ready: 'False' as const, reason: 'DependencyNotReady' };
    const chainSamples = detector.evaluate(
      objects(
        withDeps('app', ['infra', 'crds'], waiting),
        withDeps('infra', ['crds'], waiting),
        withDeps('crds', [], { ready: 'False', reason: 'BuildFailed' }),
        withDeps('ok', [], { ready: 'True' }),
        withDeps('x', ['ok', 'y'], waiting),
        withDeps('y', ['x'], waiting),
      ),
      0,
    );
    const detail = (key: string) => chainSamples.find((s) => s.labels!.object === key)!.detail;
    expect(detail('Kustomization/team/app')).toEqual({ chain: ['Kustomization/team/infra', 'Kustomization/team/crds'], rootCause: 'Kustomization/team/crds', cycle: false });
    expect(detail('Kustomization/team/x')).toEqual({ chain: ['Kustomization/team/y', 'Kustomization/team/x'], cycle: true });
    // A dependency that does not exist is the root cause.
    const missing = detector.evaluate(objects(withDeps('lonely', ['ghost'], waiting)), 1);
    expect(missing[0]!.detail).toEqual({ chain: ['Kustomization/team/ghost'], rootCause: 'Kustomization/team/ghost', cycle: false });
  });

  it('reports lastAttemptedRevision ≠ lastAppliedRevision for longer than the object interval', () => {
    const detector = new StallDetector({ attemptedNeAppliedAfterMs: 1_000 });
    // The fixture's spec.interval is 10m, which wins over the 1 s default.
    const failing = objects(repo(sha2), ks('c', { applied: sha1, attempted: sha2, ready: 'False', reason: 'ReconciliationFailed' }));
    expect(detector.evaluate(failing, 0)).toEqual([]);
    expect(detector.evaluate(failing, 599_000)).toEqual([]);
    expect(detector.evaluate(failing, 601_000).map((s) => s.name)).toEqual(['attempted_ne_applied']);
  });

  it('never reports suspended objects', () => {
    const detector = new StallDetector({ staleRevisionAfterMs: 0 });
    const suspended = ks('a', { applied: sha1, ready: 'True' });
    suspended.suspended = true;
    expect(detector.evaluate(objects(repo(sha2), suspended), 10_000)).toEqual([]);
  });
});

describe('readinessSamples', () => {
  it('counts Ready n/N per kind, including kinds with no objects', () => {
    const samples = readinessSamples(
      [repo(sha1), ks('a', { applied: sha1, ready: 'True' }), ks('b', { ready: 'False' }), ks('c', {})],
      42,
      ['GitRepository', 'Kustomization', 'HelmRelease'],
    );
    const flat = samples.map((s) => `${s.labels!.kind} ${s.name}=${s.value}`);
    expect(flat).toEqual([
      'GitRepository ready=1',
      'GitRepository total=1',
      'Kustomization ready=1',
      'Kustomization total=3',
      'HelmRelease ready=0',
      'HelmRelease total=0',
    ]);
    expect(samples.every((s) => s.kind === 'objects' && s.ts === 42)).toBe(true);
  });
});
