import { type FluxObjectSnapshot, revisionShaTokens, sourceKinds } from './flux-objects.ts';
import { firstPending, type PendingObject } from './lag-pending.ts';
import type { Sample } from './sample.ts';

export type LagStage = 'artifact' | 'applied' | 'ready';

export interface Push {
  /** `<owner>/<repo>`, as in GitRepository spec.url; or the repository path of an OCIRepository's spec.url. */
  repo: string;
  sha: string;
  /** ms since the epoch when the push completed (OCI: when the tag moved onto the artifact). */
  pushedAt: number;
  /**
   * OCI: the manifest digest (`sha256:<hex>`) the commit was published as. OCIRepositories and
   * the Kustomizations applying them report `<tag>@sha256:<digest>`, which names no commit: the
   * digest maps such a revision back to this push.
   */
  digest?: string;
}

export interface LagStateOptions {
  /** Pushes remembered per repo (oldest dropped first); default 1000. */
  maxPushesPerRepo?: number;
  /** Distinct revisions remembered per object and stage; default 64. */
  maxRevisionsPerStage?: number;
}

interface TrackedObject {
  kind: FluxObjectSnapshot['kind'];
  /** GitRepository/OCIRepository: its own repo. */
  repo?: string;
  /** Kustomization/HelmRelease: the GitRepository or OCIRepository it reads from. */
  sourceKey?: string;
  /** Per stage: revision → when it was first observed there, and the commit ids it names. */
  seen: Map<LagStage, Map<string, Sighting>>;
  /** Per stage: shas already reported. */
  emitted: Map<LagStage, Set<string>>;
  createdAt?: number;
  /**
   * Kustomization/HelmRelease: its applied revision names no commit (a HelmRelease's chart
   * version without reconcileStrategy Revision), so no commit can be seen arriving there.
   */
  appliesNoCommit?: boolean;
}

interface Sighting {
  at: number;
  tokens: string[];
}

interface RepoPushes {
  list: Push[];
  /** Commit sha, and the digest hex of an OCI push, → index in `list`. */
  indexBySha: Map<string, number>;
  /** Some push was registered with an abbreviated sha: full ids must then be matched by prefix. */
  hasShortShas: boolean;
}

function stagesOf(kind: FluxObjectSnapshot['kind']): LagStage[] {
  return sourceKinds.has(kind) ? ['artifact'] : ['applied', 'ready'];
}

/** The revision a snapshot shows for a stage, if any. */
export function stageRevision(snapshot: FluxObjectSnapshot, stage: LagStage): string | undefined {
  switch (stage) {
    case 'artifact':
      return snapshot.artifactRevision;
    case 'applied':
      return snapshot.appliedRevision;
    case 'ready':
      return snapshot.ready?.status === 'True' ? snapshot.appliedRevision : undefined;
  }
}

/**
 * Pure lag bookkeeping: fed pushes and object snapshots with their timestamps, it returns one
 * `lag` sample per (commit, object, stage) the first time that stage is reached.
 *
 * A stage counts as reached for commit C when the object shows C or any commit pushed after C to
 * the same repo (an object that jumps straight to a newer commit delivered C too, at that moment).
 * Events may come in any order: an object seen at a commit before its push is registered keeps
 * the time it was seen, and the sample is produced when the push arrives. Commits pushed before
 * an object was created (metadata.creationTimestamp) are not attributed to it. GitRepositories
 * and OCIRepositories report `artifact`; Kustomizations and HelmReleases report `applied` and
 * `ready`. An OCI revision (`latest@sha256:<digest>`) names the commit through the digest its
 * push was recorded with.
 */
export class LagStateMachine {
  private readonly pushes = new Map<string, RepoPushes>();
  private readonly objects = new Map<string, TrackedObject>();
  private readonly dependents = new Map<string, Set<string>>();
  private readonly maxPushes: number;
  private readonly maxRevisions: number;

  constructor(options: LagStateOptions = {}) {
    this.maxPushes = options.maxPushesPerRepo ?? 1000;
    this.maxRevisions = options.maxRevisionsPerStage ?? 64;
  }

  recordPush(push: Push): Sample[] {
    const repoPushes: RepoPushes = this.pushes.get(push.repo) ?? { list: [], indexBySha: new Map<string, number>(), hasShortShas: false };
    const list = repoPushes.list;
    const normalized = { ...push, sha: push.sha.toLowerCase(), ...(push.digest ? { digest: digestHex(push.digest) } : {}) };
    if (repoPushes.indexBySha.has(normalized.sha)) return [];
    // Keep pushes ordered by time; equal times keep registration order.
    let index = list.length;
    while (index > 0 && list[index - 1]!.pushedAt > normalized.pushedAt) index -= 1;
    list.splice(index, 0, normalized);
    if (list.length > this.maxPushes) list.splice(0, list.length - this.maxPushes);
    repoPushes.indexBySha = new Map(list.flatMap((p, i): Array<[string, number]> => (p.digest ? [[p.sha, i], [p.digest, i]] : [[p.sha, i]])));
    repoPushes.hasShortShas = list.some((p) => p.sha.length < 40);
    this.pushes.set(push.repo, repoPushes);
    const samples: Sample[] = [];
    for (const [key, tracked] of this.objects) {
      if (this.repoOf(tracked) === push.repo) samples.push(...this.evaluate(key, tracked));
    }
    return samples;
  }

  observe(snapshot: FluxObjectSnapshot, ts: number): Sample[] {
    let tracked = this.objects.get(snapshot.key);
    if (!tracked) {
      tracked = { kind: snapshot.kind, seen: new Map(), emitted: new Map() };
      this.objects.set(snapshot.key, tracked);
    }
    const previousRepo = tracked.repo;
    tracked.repo = snapshot.repo;
    tracked.createdAt = snapshot.createdAt;
    if (!sourceKinds.has(snapshot.kind)) {
      const applied = stageRevision(snapshot, 'applied');
      tracked.appliesNoCommit = applied !== undefined && revisionShaTokens(applied).length === 0;
    }
    if (tracked.sourceKey !== snapshot.sourceKey) {
      if (tracked.sourceKey) this.dependents.get(tracked.sourceKey)?.delete(snapshot.key);
      if (snapshot.sourceKey) {
        const set = this.dependents.get(snapshot.sourceKey) ?? new Set();
        set.add(snapshot.key);
        this.dependents.set(snapshot.sourceKey, set);
      }
      tracked.sourceKey = snapshot.sourceKey;
    }
    for (const stage of stagesOf(snapshot.kind)) {
      const revision = stageRevision(snapshot, stage);
      if (!revision) continue;
      const seen = tracked.seen.get(stage) ?? new Map<string, Sighting>();
      tracked.seen.set(stage, seen);
      const sighting = seen.get(revision);
      if (sighting === undefined) seen.set(revision, { at: ts, tokens: revisionShaTokens(revision) });
      // An out-of-order (older) event must not move "first seen" later.
      else if (ts < sighting.at) sighting.at = ts;
      if (seen.size > this.maxRevisions) seen.delete(seen.keys().next().value!);
    }
    const samples = this.evaluate(snapshot.key, tracked);
    // A source whose URL just became known may unlock its dependents' pushes.
    if (sourceKinds.has(snapshot.kind) && previousRepo !== snapshot.repo) {
      for (const dependent of this.dependents.get(snapshot.key) ?? []) {
        const dependentTracked = this.objects.get(dependent);
        if (dependentTracked) samples.push(...this.evaluate(dependent, dependentTracked));
      }
    }
    return samples;
  }

  /**
   * The commits each Kustomization/HelmRelease has not applied yet, of those pushed to the repo it
   * reads since it was created (see firstPending); objects with none left out. An object counts as
   * having applied a commit when it has its `applied` sample, which a later commit gives too. Not
   * counted: objects whose source is not known yet, whose applied revision names no commit (they
   * report no lag either), and deleted ones. Only the newest maxPushesPerRepo pushes are remembered.
   */
  pending(): PendingObject[] {
    const out: PendingObject[] = [];
    for (const [key, tracked] of this.objects) {
      if (sourceKinds.has(tracked.kind) || tracked.appliesNoCommit) continue;
      const repo = this.repoOf(tracked);
      const pushes = repo === undefined ? undefined : this.pushes.get(repo)?.list;
      if (repo === undefined || !pushes) continue;
      const applied = tracked.emitted.get('applied');
      const first = firstPending(pushes, (sha) => applied?.has(sha) === true, tracked.createdAt);
      const oldest = pushes[first];
      if (oldest) out.push({ object: key, repo, commits: pushes.length - first, oldestCommit: oldest.sha, oldestPushedAt: oldest.pushedAt });
    }
    return out;
  }

  /** Forgets a deleted object. */
  remove(key: string): void {
    const tracked = this.objects.get(key);
    if (tracked?.sourceKey) this.dependents.get(tracked.sourceKey)?.delete(key);
    this.objects.delete(key);
  }

  private repoOf(tracked: TrackedObject): string | undefined {
    if (sourceKinds.has(tracked.kind)) return tracked.repo;
    return tracked.sourceKey ? this.objects.get(tracked.sourceKey)?.repo : undefined;
  }

  private evaluate(key: string, tracked: TrackedObject): Sample[] {
    const repo = this.repoOf(tracked);
    if (!repo) return [];
    const repoPushes = this.pushes.get(repo);
    if (!repoPushes || repoPushes.list.length === 0) return [];
    const pushes = repoPushes.list;
    const samples: Sample[] = [];
    for (const stage of stagesOf(tracked.kind)) {
      const seen = tracked.seen.get(stage);
      if (!seen || seen.size === 0) continue;
      // Earliest sighting of each push's commit, then walked newest → oldest so a commit counts
      // as delivered at the earliest sighting of it or of any later commit.
      const firstAt = new Map<number, number>();
      for (const sighting of seen.values()) {
        const index = matchingPushIndex(sighting.tokens, repoPushes);
        if (index >= 0 && !(sighting.at >= (firstAt.get(index) ?? Number.POSITIVE_INFINITY))) firstAt.set(index, sighting.at);
      }
      if (firstAt.size === 0) continue;
      const emitted = tracked.emitted.get(stage) ?? new Set<string>();
      tracked.emitted.set(stage, emitted);
      let reachedAt = Number.POSITIVE_INFINITY;
      for (let i = pushes.length - 1; i >= 0; i -= 1) {
        reachedAt = Math.min(reachedAt, firstAt.get(i) ?? Number.POSITIVE_INFINITY);
        const push = pushes[i]!;
        // A commit pushed before the object existed is its first sync, not a commit's lag.
        if (tracked.createdAt !== undefined && push.pushedAt < tracked.createdAt) break;
        if (reachedAt === Number.POSITIVE_INFINITY || emitted.has(push.sha)) continue;
        emitted.add(push.sha);
        samples.push({
          ts: reachedAt,
          kind: 'lag',
          name: stage,
          value: Math.max(0, reachedAt - push.pushedAt) / 1000,
          // `source` on applied lets the analysis subtract the source's artifact lag of the same commit (lag.controllers).
          labels: { object: key, repo, commit: push.sha, stage, ...(stage === 'applied' && tracked.sourceKey ? { source: tracked.sourceKey } : {}) },
        });
      }
      if (emitted.size > this.maxPushes) {
        for (const sha of emitted) if (!repoPushes.indexBySha.has(sha)) emitted.delete(sha);
      }
    }
    return samples;
  }
}

/** Index of the newest push a revision names, or -1. Short ids (Helm chart versions) match by prefix. */
function matchingPushIndex(tokens: string[], pushes: RepoPushes): number {
  let best = -1;
  for (const token of tokens) {
    if (token.length >= 40 && !pushes.hasShortShas) {
      best = Math.max(best, pushes.indexBySha.get(token) ?? -1);
      continue;
    }
    for (let i = pushes.list.length - 1; i > best; i -= 1) {
      const { sha, digest } = pushes.list[i]!;
      if (sha.startsWith(token) || token.startsWith(sha) || digest === token) {
        best = i;
        break;
      }
    }
  }
  return best;
}

/** `sha256:<hex>` (or the bare hex) → lower-case hex, as revisionShaTokens finds it in `<tag>@sha256:<hex>`. */
function digestHex(digest: string): string {
  return digest.replace(/^sha256:/i, '').toLowerCase();
}
