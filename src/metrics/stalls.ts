import { type FluxObjectSnapshot, sameCommit, sourceKinds } from './flux-objects.ts';
import type { Sample } from './sample.ts';

export type StallName = 'stale_revision' | 'dependency_not_ready' | 'attempted_ne_applied' | 'source_failing';

export interface StallDetectorOptions {
  /** Ready=True at a revision older than the source's artifact for longer than this (ms; default 60 s). */
  staleRevisionAfterMs?: number;
  /** Ready=False with reason DependencyNotReady for longer than this (ms; default 60 s). */
  dependencyNotReadyAfterMs?: number;
  /**
   * lastAttemptedRevision ≠ lastAppliedRevision for longer than the object's spec.interval (a
   * whole retry cycle), or this when the object has no interval (ms; default 5 min).
   */
  attemptedNeAppliedAfterMs?: number;
  /**
   * A source (GitRepository, OCIRepository, HelmChart) Ready=False for longer than this: it cannot fetch
   * (rate limit, outage, auth), so everything built from it silently stays at its last revision
   * (ms; default 60 s).
   */
  sourceFailingAfterMs?: number;
}

function isStaleRevision(snapshot: FluxObjectSnapshot, objects: ReadonlyMap<string, FluxObjectSnapshot>): boolean {
  if (snapshot.ready?.status !== 'True' || !snapshot.appliedRevision || !snapshot.sourceKey) return false;
  const artifact = objects.get(snapshot.sourceKey)?.artifactRevision;
  if (!artifact) return false;
  // Charts versioned without the commit id cannot be compared: not reported.
  return sameCommit(snapshot.appliedRevision, artifact) === false;
}

function isDependencyNotReady(snapshot: FluxObjectSnapshot): boolean {
  return snapshot.ready !== undefined && snapshot.ready.status !== 'True' && snapshot.ready.reason === 'DependencyNotReady';
}

export interface DependencyChain {
  /** The objects waited on, in order, starting with a direct dependency. */
  chain: string[];
  /** The last object of the chain: missing, or not ready for a reason of its own. */
  rootCause?: string;
  /** The chain loops back onto itself: a dependsOn cycle, which never resolves. */
  cycle: boolean;
}

/**
 * Follows not-ready dependencies from an object waiting with DependencyNotReady down to the one
 * that is the actual cause (or around a cycle), so a stall report names where to look.
 */
export function dependencyChain(start: FluxObjectSnapshot, objects: ReadonlyMap<string, FluxObjectSnapshot>, maxLength = 50): DependencyChain {
  const chain: string[] = [];
  const visited = new Set<string>([start.key]);
  let current = start;
  while (chain.length < maxLength) {
    const blocking = current.dependsOn.find((key) => objects.get(key)?.ready?.status !== 'True');
    if (blocking === undefined) return { chain, cycle: false };
    if (visited.has(blocking)) return { chain: [...chain, blocking], cycle: true };
    chain.push(blocking);
    visited.add(blocking);
    const next = objects.get(blocking);
    if (!next || !isDependencyNotReady(next)) return { chain, rootCause: blocking, cycle: false };
    current = next;
  }
  return { chain, cycle: false };
}

/** Ready=False (not Unknown: a fetch in progress) with the source's own reason, e.g. GitOperationFailed, OCIArtifactPullFailed. */
function isSourceFailing(snapshot: FluxObjectSnapshot): boolean {
  return snapshot.ready?.status === 'False';
}

function isAttemptedNeApplied(snapshot: FluxObjectSnapshot): boolean {
  return snapshot.lastAttemptedRevision !== undefined && snapshot.lastAttemptedRevision !== snapshot.appliedRevision;
}

/**
 * Pure stall detection over object snapshots and a clock. It remembers since when each condition
 * has held for each object (reset as soon as it stops holding) and, on every evaluation, returns
 * one `stall` sample per object stuck longer than its threshold, valued at the seconds stuck so
 * far. Suspended objects are stuck on purpose and never reported. A dependency stall carries the
 * chain of not-ready dependencies down to its root cause, or the cycle, in `detail`.
 */
export class StallDetector {
  private readonly since = new Map<string, number>();
  private readonly staleAfter: number;
  private readonly dependencyAfter: number;
  private readonly attemptedAfter: number;
  private readonly sourceFailingAfter: number;

  constructor(options: StallDetectorOptions = {}) {
    this.staleAfter = options.staleRevisionAfterMs ?? 60_000;
    this.dependencyAfter = options.dependencyNotReadyAfterMs ?? 60_000;
    this.attemptedAfter = options.attemptedNeAppliedAfterMs ?? 300_000;
    this.sourceFailingAfter = options.sourceFailingAfterMs ?? 60_000;
  }

  evaluate(objects: ReadonlyMap<string, FluxObjectSnapshot>, now: number): Sample[] {
    const samples: Sample[] = [];
    const holding = new Set<string>();
    const check = (snapshot: FluxObjectSnapshot, name: StallName, holds: boolean, afterMs: number, detail?: () => Record<string, unknown>): void => {
      if (!holds) return;
      const id = `${name}|${snapshot.key}`;
      holding.add(id);
      const since = this.since.get(id) ?? now;
      this.since.set(id, since);
      const stuckMs = now - since;
      if (stuckMs < afterMs) return;
      const sample: Sample = { ts: now, kind: 'stall', name, value: stuckMs / 1000, labels: { object: snapshot.key } };
      if (detail) sample.detail = detail();
      samples.push(sample);
    };
    for (const snapshot of objects.values()) {
      if (snapshot.suspended) continue;
      if (sourceKinds.has(snapshot.kind)) {
        // Controllers stay healthy while a source cannot fetch (a Git host or a registry refusing,
        // failing or unreachable): without this the stall is invisible.
        // The repo and spec.timeout let a report set a clone timeout beside what the clone cost the host.
        check(snapshot, 'source_failing', isSourceFailing(snapshot), this.sourceFailingAfter, () => ({
          reason: snapshot.ready?.reason,
          message: snapshot.ready?.message,
          ...(snapshot.repo ? { repo: snapshot.repo } : {}),
          ...(snapshot.timeoutMs !== undefined ? { timeoutSeconds: snapshot.timeoutMs / 1000 } : {}),
        }));
        continue;
      }
      check(snapshot, 'stale_revision', isStaleRevision(snapshot, objects), this.staleAfter);
      check(snapshot, 'dependency_not_ready', isDependencyNotReady(snapshot), this.dependencyAfter, () => ({ ...dependencyChain(snapshot, objects) }));
      check(snapshot, 'attempted_ne_applied', isAttemptedNeApplied(snapshot), snapshot.intervalMs ?? this.attemptedAfter);
    }
    for (const id of this.since.keys()) if (!holding.has(id)) this.since.delete(id);
    return samples;
  }
}

/** Ready n/N per kind, as `objects` samples `ready` and `total` labelled `{kind}`. */
export function readinessSamples(objects: Iterable<FluxObjectSnapshot>, ts: number, kinds: readonly string[] = []): Sample[] {
  const counts = new Map<string, { ready: number; total: number }>(kinds.map((k) => [k, { ready: 0, total: 0 }]));
  for (const snapshot of objects) {
    const count = counts.get(snapshot.kind) ?? { ready: 0, total: 0 };
    count.total += 1;
    if (snapshot.ready?.status === 'True') count.ready += 1;
    counts.set(snapshot.kind, count);
  }
  const samples: Sample[] = [];
  for (const [kind, count] of counts) {
    samples.push({ ts, kind: 'objects', name: 'ready', value: count.ready, labels: { kind } });
    samples.push({ ts, kind: 'objects', name: 'total', value: count.total, labels: { kind } });
  }
  return samples;
}
