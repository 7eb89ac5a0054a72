import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { lagPendingAtEnd, lagPendingLabel, type LagPending } from '../../../src/measurements/lag-pending.ts';
import { analyzeSamples, findMetric, flatMetrics, limitUnitProblem, metricProblem } from '../../../src/measurements/index.ts';
import type { FluxObjectSnapshot } from '../../../src/metrics/flux-objects.ts';
import { kustomizationSnapshot } from '../../support/flux-snapshot.ts';
import { type PendingObject, pendingSample } from '../../../src/metrics/lag-pending.ts';
import { LagStateMachine } from '../../../src/metrics/lag-state.ts';
import { expectedReadySample } from '../../../src/metrics/ready-state.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { lagTable } from '../../../src/report/tables.ts';
import type { Summary } from '../../../src/report/summary.ts';
import { thresholdExpressionSchema } from '../../../src/scenario/expression-schemas.ts';
import { evaluateThresholds } from '../../../src/scenario/thresholds.ts';

const sha = (i: number) => (i + 1).toString(16).padStart(40, '0');
const pendingOn = (object: string, repo: string, commits: number, oldestPushedAt: number): PendingObject => ({ object, repo, commits, oldestCommit: sha(0), oldestPushedAt });
const stuck = pendingOn('Kustomization/apps/web', 'acme/app', 3, 10_000);
const cycle = pendingOn('Kustomization/apps/cycle', 'acme/app', 5, 4_000);
const other = pendingOn('Kustomization/infra/db', 'acme/infra', 1, 40_000);

describe('lagPendingAtEnd', () => {
  it('reads the final sample: pairs, distinct commits, objects and the oldest age at the end', () => {
    const samples = [pendingSample(20_000, [stuck], false), pendingSample(70_000, [stuck, other], true)];
    expect(lagPendingAtEnd(samples, [])).toEqual({ pairs: 4, commits: 4, objects: 2, oldestSeconds: 60, excludedPairs: 0, atEnd: true });
  });

  it("leaves out objects the run's ground truth says never get Ready", () => {
    const expected = expectedReadySample(1_000, [stuck.object], [{ object: cycle.object, cause: 'dependsOn cycle' }]);
    const pending = lagPendingAtEnd([pendingSample(70_000, [stuck, cycle], true)], [expected]);
    expect(pending).toEqual({ pairs: 3, commits: 3, objects: 1, oldestSeconds: 60, excludedPairs: 5, atEnd: true });
    expect(lagPendingAtEnd([pendingSample(70_000, [cycle], true)], [expected])).toEqual({ pairs: 0, commits: 0, objects: 0, oldestSeconds: 0, excludedPairs: 5, atEnd: true });
  });

  it('falls back to the last interval of a run cut short, and is absent without pending samples', () => {
    const samples = [pendingSample(20_000, [stuck], false), pendingSample(30_000, [stuck, cycle], false)];
    expect(lagPendingAtEnd(samples, [])).toEqual({ pairs: 8, commits: 5, objects: 2, oldestSeconds: 26, excludedPairs: 0, atEnd: false });
    expect(lagPendingAtEnd([], [])).toBeUndefined();
    expect(lagPendingAtEnd([{ ts: 1, kind: 'pending', name: 'ready', value: 2 }], [])).toBeUndefined();
  });
});

describe('lag.applied.pending and lag.applied.pending_oldest', () => {
  const samples: Sample[] = [
    { ts: 5_000, kind: 'lag', name: 'applied', value: 2, labels: { object: 'Kustomization/apps/web', repo: 'acme/app', commit: sha(9), stage: 'applied' } },
    pendingSample(50_000, [stuck], false),
    pendingSample(70_000, [stuck], true),
  ];
  const metrics = flatMetrics(analyzeSamples(samples));

  it('are summary metrics, each matching one catalogue entry, and leave the lag values alone', () => {
    expect(metrics['lag.applied.pending']).toBe(3);
    expect(metrics['lag.applied.pending_oldest']).toBe(60);
    expect(metrics['lag.applied.count']).toBe(1);
    expect(metrics['lag.applied.max']).toBe(2);
    expect(findMetric('lag.applied.pending').map((e) => [e.unit, e.measurement])).toEqual([['count', 'lag']]);
    expect(findMetric('lag.applied.pending_oldest').map((e) => [e.unit, e.measurement])).toEqual([['seconds', 'lag']]);
    expect(findMetric('lag.applied.*').map((e) => e.pattern)).toEqual(expect.arrayContaining(['lag.applied.pending', 'lag.applied.pending_oldest']));
  });

  it('are 0 (measured, not missing) when nothing is pending, and absent for runs without pending samples', () => {
    const none = flatMetrics(analyzeSamples([pendingSample(9_000, [], true)]));
    expect([none['lag.applied.pending'], none['lag.applied.pending_oldest']]).toEqual([0, 0]);
    const old = flatMetrics(analyzeSamples([samples[0]!]));
    expect(Object.keys(old).filter((name) => name.includes('pending'))).toEqual([]);
  });

  it('pass validation as thresholds and are judged against the summary', () => {
    const expressions = ['lag.applied.pending == 0', 'lag.applied.pending < 1', 'lag.applied.pending_oldest < 2m', 'lag.applied.pending_oldest < 90'];
    for (const expression of expressions) expect(thresholdExpressionSchema.safeParse(expression).error?.issues).toBeUndefined();
    expect(metricProblem('lag.applied.pendin')).toContain('did you mean "lag.applied.pending"');
    expect(limitUnitProblem('lag.applied.pending', { value: 60, unit: 'seconds' })).toContain('is a count');
    expect(evaluateThresholds(expressions, metrics as Record<string, number>).map((r) => r.ok)).toEqual([false, false, true, true]);
  });

  it('show in the lag table as a row of their own: the count, and the oldest as Max', () => {
    const analysis = analyzeSamples(samples);
    const rows = lagTable({ lag: analysis.lag } as Summary).rows;
    expect(rows.at(-1)).toEqual(['pending: not applied by the end (3 commits, 1 object; Max: the oldest)', '3', '—', '—', '—', '1m']);
    const quiet: LagPending = { pairs: 0, commits: 0, objects: 0, oldestSeconds: 0, excludedPairs: 2, atEnd: false };
    expect(lagPendingLabel(quiet)).toBe('pending: not applied by the end (2 on objects never Ready left out; at the last interval)');
    expect(lagTable({ lag: {} } as Summary).rows.some((row) => row[0]!.startsWith('pending'))).toBe(false);
  });
});

describe('from the sampler to the summary', () => {
  const repo = 'acme/app';
  const source: FluxObjectSnapshot = { kind: 'GitRepository', namespace: 'flux-system', name: 'app', key: 'GitRepository/flux-system/app', repo, dependsOn: [], suspended: false };
  const applier = (k: number, revision: number): FluxObjectSnapshot =>
    kustomizationSnapshot(`o${k}`, { sourceKey: source.key, appliedRevision: `main@sha1:${revision < 0 ? 'f'.repeat(40) : sha(revision)}` });

  it('counts every (commit, object) pair once: applied (lag.applied.count), pending, or on an object never Ready (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 8 }),
        fc.array(fc.record({ applied: fc.integer({ min: -1, max: 7 }), neverReady: fc.boolean() }), { minLength: 1, maxLength: 5 }),
        (commits, objects) => {
          const m = new LagStateMachine();
          const samples: Sample[] = [...m.observe(source, 0)];
          objects.forEach((_, k) => samples.push(...m.observe(applier(k, -1), 0)));
          for (let i = 0; i < commits; i += 1) samples.push(...m.recordPush({ repo, sha: sha(i), pushedAt: 1_000 * (i + 1) }));
          // Each object applies at most one commit (the newest it got to), skipping the ones before it.
          objects.forEach((o, k) => {
            if (o.applied >= 0 && o.applied < commits) samples.push(...m.observe(applier(k, o.applied), 50_000));
          });
          const never = objects.flatMap((o, k) => (o.neverReady ? [{ object: `Kustomization/apps/o${k}`, cause: 'broken root' }] : []));
          samples.push(expectedReadySample(500, [], never), pendingSample(60_000, m.pending(), true));
          const analysis = analyzeSamples(samples);
          const metrics = flatMetrics(analysis);
          expect(metrics['lag.applied.count']! + metrics['lag.applied.pending']! + analysis.lag.pending!.excludedPairs).toBe(commits * objects.length);
          const kept = objects.filter((o) => !o.neverReady);
          // The oldest pending commit of the objects kept is the one after the least advanced object's.
          const least = Math.min(...kept.map((o) => (o.applied < commits ? o.applied : -1)));
          expect(metrics['lag.applied.pending_oldest']).toBe(kept.length === 0 || least === commits - 1 ? 0 : 60 - (least + 2));
          expect(analysis.lag.pending!.commits).toBe(kept.length === 0 || least === commits - 1 ? 0 : commits - 1 - least);
        },
      ),
    );
  });
});
