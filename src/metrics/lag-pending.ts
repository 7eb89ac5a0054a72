/**
 * Commits pushed and not applied yet: the part of a run's lag that has no `lag` sample, because a
 * commit's lag is only known once it arrives. Pure; the lag state machine feeds it its pushes and
 * what each object applied, and the tracker writes the result as `pending` samples.
 */
import type { Sample } from './sample.ts';

/** A pushed commit as the pending bookkeeping sees it: its id and its push time (ms since the epoch). */
export interface PushedCommit {
  sha: string;
  pushedAt: number;
}

/**
 * Index of the oldest of one repo's `pushes` (oldest first) an object has not applied;
 * `pushes.length` when none is pending. `applied(sha)` says whether the object applied a commit.
 *
 * An object that applied a commit delivered every earlier commit of the repo too: Flux applies the
 * newest revision and skips those in between, so an older commit is never applied on its own once
 * a newer one came. The pending commits are therefore always the newest few, and the walk goes
 * from the newest back to the first one applied, or to the first pushed before the object existed
 * (`createdAt`, ms: its first sync is not a commit's delivery, as for the lag samples). O(pending).
 */
export function firstPending(pushes: readonly PushedCommit[], applied: (sha: string) => boolean, createdAt?: number): number {
  let index = pushes.length;
  while (index > 0) {
    const push = pushes[index - 1]!;
    if (applied(push.sha) || (createdAt !== undefined && push.pushedAt < createdAt)) break;
    index -= 1;
  }
  return index;
}

/** One object's commits that were pushed and not applied. */
export interface PendingObject {
  /** `<Kind>/<namespace>/<name>`, as the `object` label of lag samples. */
  object: string;
  /** The repo its source reads, as the `repo` label of lag samples. */
  repo: string;
  /** How many: the newest `commits` pushes to `repo` (see firstPending). At least 1. */
  commits: number;
  /** The oldest of them, and its push time in ms since the epoch. */
  oldestCommit: string;
  oldestPushedAt: number;
}

/** A set of pending objects, folded. */
export interface PendingTotals {
  /** (commit, object) pairs: the unit of `lag.applied.count`, so applied + pending is every pair a push concerned. */
  pairs: number;
  /** Distinct commits pending on at least one object. */
  commits: number;
  objects: number;
  /** Push time of the oldest pending commit (ms since the epoch); undefined when nothing is pending. */
  oldestPushedAt?: number;
}

export function pendingTotals(objects: readonly PendingObject[]): PendingTotals {
  // An object's pending commits are the newest of its repo, so the distinct ones of a repo are
  // those of its object with the most.
  const perRepo = new Map<string, number>();
  let pairs = 0;
  let oldestPushedAt: number | undefined;
  for (const o of objects) {
    pairs += o.commits;
    perRepo.set(o.repo, Math.max(perRepo.get(o.repo) ?? 0, o.commits));
    if (oldestPushedAt === undefined || o.oldestPushedAt < oldestPushedAt) oldestPushedAt = o.oldestPushedAt;
  }
  let commits = 0;
  for (const n of perRepo.values()) commits += n;
  return { pairs, commits, objects: objects.length, ...(oldestPushedAt !== undefined ? { oldestPushedAt } : {}) };
}

/**
 * The `pending`/`applied` sample: valued at the (commit, object) pairs pushed and not applied at
 * `ts`, with the other totals in `detail` (`commits`, `objects`, `oldestPushedAt`). The one written
 * when the tracker stops has `detail.final` and lists the objects in `detail.pending`, so a report
 * can leave out those the run's ground truth says never apply. A kind of its own, not `lag`: it is
 * no commit's lag, and the readers of lag samples expect one commit on one object in each.
 */
export function pendingSample(ts: number, objects: readonly PendingObject[], final: boolean): Sample {
  const { pairs, ...totals } = pendingTotals(objects);
  return { ts, kind: 'pending', name: 'applied', value: pairs, detail: { ...totals, ...(final ? { final: true, pending: objects.map((o) => ({ ...o })) } : {}) } };
}

/** What a `pending`/`applied` sample says: pairs pending, and seconds since the oldest was pushed (0 when none); undefined for another sample. */
export function readPendingSample(sample: Sample): { pairs: number; oldestSeconds: number } | undefined {
  if (sample.kind !== 'pending' || sample.name !== 'applied' || typeof sample.value !== 'number') return undefined;
  const oldest = sample.detail?.oldestPushedAt;
  return { pairs: sample.value, oldestSeconds: typeof oldest === 'number' && sample.value > 0 ? Math.max(0, sample.ts - oldest) / 1000 : 0 };
}
