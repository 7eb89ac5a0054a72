import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FluxObjectSnapshot } from '../../../src/metrics/flux-objects.ts';
import { firstPending, pendingSample, pendingTotals, type PushedCommit, readPendingSample } from '../../../src/metrics/lag-pending.ts';
import { LagStateMachine } from '../../../src/metrics/lag-state.ts';
import { LagTracker } from '../../../src/metrics/lag-tracker.ts';
import type { Sample } from '../../../src/metrics/sample.ts';
import { FakeKubeApi, gitRepositoriesPath, gitRepository, kustomization, kustomizationsPath } from './support/fake-kube-api.ts';
import { until } from './support/until.ts';

const sha = (i: number) => (i + 1).toString(16).padStart(40, '0');
const initialSha = 'f'.repeat(40);
const pushes = (...times: number[]): PushedCommit[] => times.map((pushedAt, i) => ({ sha: sha(i), pushedAt }));

/** The definition, pair by pair: pushed after the object existed, and neither it nor a later commit applied. */
function pendingOracle(list: readonly PushedCommit[], applied: ReadonlySet<string>, createdAt: number | undefined): boolean[] {
  return list.map((push, i) => (createdAt === undefined || push.pushedAt >= createdAt) && !list.slice(i).some((later) => applied.has(later.sha)));
}

describe('firstPending', () => {
  const list = pushes(1000, 2000, 3000);
  const applied = (...shas: string[]) => (s: string) => shas.includes(s);

  it('is every push when nothing was applied, and none when the newest was', () => {
    expect(firstPending(list, applied())).toBe(0);
    expect(firstPending(list, applied(sha(2)))).toBe(3);
    expect(firstPending([], applied())).toBe(0);
  });

  it('counts a commit superseded by a later applied one as delivered', () => {
    // The object jumped from nothing to the second commit: the first is delivered, the third pending.
    expect(firstPending(list, applied(sha(1)))).toBe(2);
  });

  it('leaves out commits pushed before the object existed', () => {
    expect(firstPending(list, applied(), 2000)).toBe(1);
    expect(firstPending(list, applied(), 2500)).toBe(2);
    expect(firstPending(list, applied(), 9000)).toBe(3);
  });

  it('marks pending exactly the pairs the definition does (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 0, max: 5_000 }), { maxLength: 15 }),
        fc.array(fc.boolean(), { maxLength: 15 }),
        fc.option(fc.integer({ min: 0, max: 80_000 }), { nil: undefined }),
        (gaps, appliedFlags, createdAt) => {
          let at = 0;
          const list = gaps.map((gap, i) => ({ sha: sha(i), pushedAt: (at += gap) }));
          const appliedSet = new Set(list.filter((_, i) => appliedFlags[i] === true).map((p) => p.sha));
          const first = firstPending(list, (s) => appliedSet.has(s), createdAt);
          expect(list.map((_, i) => i >= first)).toEqual(pendingOracle(list, appliedSet, createdAt));
        },
      ),
    );
  });
});

describe('pending totals and samples', () => {
  const objects = [
    { object: 'Kustomization/a/one', repo: 'acme/a', commits: 2, oldestCommit: sha(1), oldestPushedAt: 2000 },
    { object: 'Kustomization/a/two', repo: 'acme/a', commits: 3, oldestCommit: sha(0), oldestPushedAt: 1000 },
    { object: 'Kustomization/b/one', repo: 'acme/b', commits: 1, oldestCommit: sha(5), oldestPushedAt: 4000 },
  ];

  it('counts pairs, distinct commits (the most of any object per repo), objects and the oldest push', () => {
    expect(pendingTotals(objects)).toEqual({ pairs: 6, commits: 4, objects: 3, oldestPushedAt: 1000 });
    expect(pendingTotals([])).toEqual({ pairs: 0, commits: 0, objects: 0 });
  });

  it('writes a sample of its own kind, the objects only in the final one, and reads it back', () => {
    const periodic = pendingSample(11_000, objects, false);
    expect(periodic).toEqual({ ts: 11_000, kind: 'pending', name: 'applied', value: 6, detail: { commits: 4, objects: 3, oldestPushedAt: 1000 } });
    expect(readPendingSample(periodic)).toEqual({ pairs: 6, oldestSeconds: 10 });
    const final = pendingSample(12_000, objects, true);
    expect(final.detail).toMatchObject({ final: true, pending: objects });
    expect(readPendingSample(pendingSample(5000, [], true))).toEqual({ pairs: 0, oldestSeconds: 0 });
    expect(readPendingSample({ ts: 1, kind: 'lag', name: 'applied', value: 3 })).toBeUndefined();
  });
});

const repo = 'acme/app';
const source: FluxObjectSnapshot = { kind: 'GitRepository', namespace: 'flux-system', name: 'app', key: 'GitRepository/flux-system/app', repo, dependsOn: [], suspended: false };

function applier(name: string, revision: string | undefined, extra: Partial<FluxObjectSnapshot> = {}): FluxObjectSnapshot {
  return {
    kind: 'Kustomization',
    namespace: 'team',
    name,
    key: `Kustomization/team/${name}`,
    sourceKey: source.key,
    dependsOn: [],
    suspended: false,
    ...(revision ? { appliedRevision: revision } : {}),
    ...extra,
  };
}

describe('LagStateMachine.pending', () => {
  it('lists per object the newest commits it has not applied, superseded ones delivered', () => {
    const m = new LagStateMachine();
    m.observe(source, 0);
    m.observe(applier('a', `main@sha1:${initialSha}`), 0);
    m.observe(applier('b', `main@sha1:${initialSha}`), 0);
    for (const [i, at] of [1000, 2000, 3000].entries()) m.recordPush({ repo, sha: sha(i), pushedAt: at });
    // a skips the first commit and applies the second: only the third is pending for it.
    m.observe(applier('a', `main@sha1:${sha(1)}`), 5000);
    expect(m.pending()).toEqual([
      { object: 'Kustomization/team/a', repo, commits: 1, oldestCommit: sha(2), oldestPushedAt: 3000 },
      { object: 'Kustomization/team/b', repo, commits: 3, oldestCommit: sha(0), oldestPushedAt: 1000 },
    ]);
    m.observe(applier('a', `main@sha1:${sha(2)}`), 6000);
    m.remove('Kustomization/team/b');
    expect(m.pending()).toEqual([]);
  });

  it('leaves out commits before an object existed, objects without a known source, and those whose revision names no commit', () => {
    const m = new LagStateMachine();
    m.observe(source, 0);
    m.recordPush({ repo, sha: sha(0), pushedAt: 1000 });
    m.recordPush({ repo, sha: sha(1), pushedAt: 3000 });
    m.observe(applier('late', undefined, { createdAt: 2000 }), 4000);
    m.observe(applier('orphan', undefined, { sourceKey: 'GitRepository/flux-system/unknown' }), 4000);
    // A HelmRelease whose chart version carries no commit reports no lag: it cannot be pending either.
    m.observe({ ...applier('chart', '0.1.0'), kind: 'HelmRelease', key: 'HelmRelease/team/chart' }, 4000);
    // One that never deployed has applied nothing: every commit is pending for it.
    m.observe({ ...applier('undeployed', undefined), kind: 'HelmRelease', key: 'HelmRelease/team/undeployed' }, 4000);
    expect(m.pending().map((p) => `${p.object} ${p.commits}`)).toEqual(['Kustomization/team/late 1', 'HelmRelease/team/undeployed 2']);
  });

  it('gives every (commit, object) pair either an applied sample or a pending count, as the definition says (property)', () => {
    const event = fc.oneof(fc.constant<{ push: true }>({ push: true }), fc.record({ object: fc.nat({ max: 3 }), commit: fc.integer({ min: -1, max: 9 }) }));
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 3_000 }), { minLength: 1, maxLength: 10 }),
        fc.array(fc.option(fc.integer({ min: 0, max: 20_000 }), { nil: undefined }), { minLength: 4, maxLength: 4 }),
        fc.array(event, { maxLength: 40 }),
        (gaps, createdAts, events) => {
          let at = 0;
          const list = gaps.map((gap, i) => ({ sha: sha(i), pushedAt: (at += gap) }));
          const m = new LagStateMachine();
          const samples: Sample[] = [...m.observe(source, 0)];
          const shown = createdAts.map(() => new Set<string>());
          const show = (k: number, revisionSha: string, ts: number) => {
            if (revisionSha !== initialSha) shown[k]!.add(revisionSha);
            samples.push(...m.observe(applier(`o${k}`, `main@sha1:${revisionSha}`, createdAts[k] === undefined ? {} : { createdAt: createdAts[k] }), ts));
          };
          createdAts.forEach((_, k) => show(k, initialSha, 0));
          let pushed = 0;
          const pushNext = () => samples.push(...m.recordPush({ repo, ...list[pushed++]! }));
          // Objects may show a commit before its push is registered, as watches and pushes race.
          events.forEach((e, step) => {
            if ('push' in e) {
              if (pushed < list.length) pushNext();
            } else if (e.commit < list.length) show(e.object, e.commit < 0 ? initialSha : list[e.commit]!.sha, 100_000 + step);
          });
          while (pushed < list.length) pushNext();

          const pending = new Map(m.pending().map((p) => [p.object, p]));
          createdAts.forEach((createdAt, k) => {
            const object = `Kustomization/team/o${k}`;
            const expected = pendingOracle(list, shown[k]!, createdAt);
            const firstExpected = expected.indexOf(true);
            const entry = pending.get(object);
            expect(entry?.commits ?? 0).toBe(expected.filter(Boolean).length);
            if (entry) expect(entry.oldestCommit).toBe(list[firstExpected]!.sha);
            const attributable = list.filter((p) => createdAt === undefined || p.pushedAt >= createdAt).length;
            const appliedSamples = samples.filter((s) => s.kind === 'lag' && s.name === 'applied' && s.labels?.object === object).length;
            expect(appliedSamples + (entry?.commits ?? 0)).toBe(attributable);
          });
        },
      ),
    );
  });
});

describe('LagTracker pending samples (fake API server)', () => {
  const api = new FakeKubeApi();
  beforeAll(async () => {
    await api.start();
  });
  afterAll(async () => {
    await api.stop();
  });

  it('writes the pending commits each interval and a final list once, when stopped', async () => {
    api.upsert(gitRepositoriesPath, gitRepository('flux-system', 'app', repo, initialSha));
    api.upsert(kustomizationsPath, kustomization('team', 'a', 'app', { applied: initialSha, ready: 'True' }));
    const samples: Sample[] = [];
    const resources = [
      { kind: 'GitRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' },
      { kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
    ] as const;
    const tracker = new LagTracker({ resources, stalls: false });
    await tracker.start({ kubeConfig: api.kubeConfig(), sink: { write: (s) => samples.push(s) }, controllers: [], interval: 100, log: () => {} });
    // After the objects' creation (the fake API server stamps it): commits before it are not theirs.
    const pushedAt = Date.now();
    try {
      await until(() => tracker.snapshots().size === 2, 'the initial list');
      tracker.recordPush({ repo, sha: sha(0), pushedAt });
      await until(() => samples.some((s) => s.kind === 'pending' && s.value === 1), 'a pending sample');
    } finally {
      await tracker.stop();
      await tracker.stop();
    }
    const finals = samples.filter((s) => s.kind === 'pending' && s.detail?.final === true);
    expect(finals).toHaveLength(1);
    expect(samples.at(-1)).toBe(finals[0]);
    expect(finals[0]!.detail!.pending).toEqual([{ object: 'Kustomization/team/a', repo, commits: 1, oldestCommit: sha(0), oldestPushedAt: pushedAt }]);
    expect(readPendingSample(finals[0]!)!.oldestSeconds).toBeGreaterThan(0);
    // Not a lag sample: the lag readers see one commit on one object in each of theirs.
    expect(samples.filter((s) => s.kind === 'lag')).toEqual([]);
  });
});
