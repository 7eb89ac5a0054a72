/**
 * Time-to-Ready again after each churn burst, from samples already in the stream: a burst is one
 * `churn.start` of the timeline (its `fault` start sample); its commits are the pushes the lag
 * measurement tracked from then until the next churn.start (a push's time is its `lag` sample's
 * time minus its value). The objects a burst touched are those that applied one of its commits;
 * each is Ready again when its `lag` `ready` sample for the burst's newest commit to its
 * repository exists (Ready at that commit or a later one, as lag counts it). Pure.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';

export const readyBurstSchema = z.object({
  /** The churn.start's label (`churn.start`, `churn.start acme/app`). */
  label: z.string(),
  /** Epoch ms of the churn.start. */
  startedAt: z.number(),
  /** Commits of the burst that the lag measurement tracked. */
  commits: z.number(),
  firstPushAt: z.number(),
  lastPushAt: z.number(),
  /** Objects that applied one of its commits. */
  touched: z.number(),
  /** Of those, Ready at the newest commit of their repository in the burst (or later) by the end of the run. */
  readyAgain: z.number(),
  /** Seconds from the burst's last push until the last of them was Ready again; absent while one never was. */
  allAfter: z.number().optional(),
  /** The slowest to be Ready again, seconds from the burst's last push, slowest first (at most 3). */
  slowest: z.array(z.object({ object: z.string(), seconds: z.number() })),
  /** Objects not Ready again at the end of the run, sorted (at most 20). */
  notReady: z.array(z.string()),
});
export type ReadyBurst = z.infer<typeof readyBurstSchema>;

interface Commit {
  sha: string;
  repo: string;
  pushedAt: number;
}

/** Every tracked commit with its push time, from the lag samples (the earliest reading wins). */
function commitsOf(lagSamples: readonly Sample[]): Map<string, Commit> {
  const commits = new Map<string, Commit>();
  for (const s of lagSamples) {
    const sha = s.labels?.commit;
    const repo = s.labels?.repo;
    if (s.kind !== 'lag' || !sha || !repo || typeof s.value !== 'number') continue;
    const pushedAt = s.ts - Math.round(s.value * 1000);
    const known = commits.get(sha);
    if (!known || pushedAt < known.pushedAt) commits.set(sha, { sha, repo, pushedAt });
  }
  return commits;
}

/** The churn.start samples, oldest first. */
function churnStarts(faultSamples: readonly Sample[]): Sample[] {
  return faultSamples.filter((s) => s.kind === 'fault' && s.name === 'start' && s.detail?.action === 'churn.start').sort((a, b) => a.ts - b.ts);
}

/** Per burst (in time order) its stats; bursts without a tracked commit are left out. */
export function analyzeBursts(lagSamples: readonly Sample[], faultSamples: readonly Sample[]): ReadyBurst[] {
  const starts = churnStarts(faultSamples);
  if (starts.length === 0) return [];
  const commits = commitsOf(lagSamples);
  // A push belongs to the latest churn.start at or before it.
  const burstOf = (pushedAt: number): number => {
    let index = -1;
    for (let i = 0; i < starts.length && starts[i]!.ts <= pushedAt; i++) index = i;
    return index;
  };
  const byBurst = starts.map((): Commit[] => []);
  for (const commit of commits.values()) {
    const index = burstOf(commit.pushedAt);
    if (index >= 0) byBurst[index]!.push(commit);
  }
  const readyAt = new Map<string, number>();
  for (const s of lagSamples) {
    if (s.kind === 'lag' && s.name === 'ready' && s.labels?.object && s.labels.commit) readyAt.set(`${s.labels.object}\u0000${s.labels.commit}`, s.ts);
  }
  const out: ReadyBurst[] = [];
  starts.forEach((start, index) => {
    const burstCommits = byBurst[index]!;
    if (burstCommits.length === 0) return;
    out.push(burstStats(start, burstCommits, lagSamples, readyAt));
  });
  return out;
}

function burstStats(start: Sample, commits: readonly Commit[], lagSamples: readonly Sample[], readyAt: ReadonlyMap<string, number>): ReadyBurst {
  const shas = new Set(commits.map((c) => c.sha));
  const newest = new Map<string, Commit>();
  for (const c of commits) if ((newest.get(c.repo)?.pushedAt ?? -Infinity) < c.pushedAt) newest.set(c.repo, c);
  const touched = new Map<string, string>();
  for (const s of lagSamples) {
    if (s.kind !== 'lag' || (s.name !== 'applied' && s.name !== 'ready')) continue;
    const object = s.labels?.object;
    const sha = s.labels?.commit;
    if (object && sha && shas.has(sha) && s.labels?.repo) touched.set(object, s.labels.repo);
  }
  // A loop, not Math.min(...): a long churn has more commits than a call's argument limit.
  const firstPushAt = commits.reduce((min, c) => Math.min(min, c.pushedAt), Infinity);
  const lastPushAt = commits.reduce((max, c) => Math.max(max, c.pushedAt), -Infinity);
  const again: Array<{ object: string; seconds: number }> = [];
  const notReady: string[] = [];
  for (const [object, repo] of touched) {
    const at = readyAt.get(`${object}\u0000${newest.get(repo)?.sha ?? ''}`);
    if (at === undefined) notReady.push(object);
    else again.push({ object, seconds: Math.max(0, at - lastPushAt) / 1000 });
  }
  again.sort((a, b) => b.seconds - a.seconds || a.object.localeCompare(b.object));
  const burst: ReadyBurst = {
    label: start.labels?.fault ?? 'churn.start',
    startedAt: start.ts,
    commits: commits.length,
    firstPushAt,
    lastPushAt,
    touched: touched.size,
    readyAgain: again.length,
    slowest: again.slice(0, 3),
    notReady: notReady.sort().slice(0, 20),
  };
  if (touched.size > 0 && notReady.length === 0) burst.allAfter = again[0]!.seconds;
  return burst;
}
