/**
 * When each object is in a reconcile: Flux's controllers set the Reconciling condition (reason
 * Progressing, or ProgressingWithRetry when retrying after a failure; a first reconcile also
 * turns Ready Unknown) when a reconcile starts and remove it when it ends, and a reconcile holds
 * one of the controller's `--concurrent` workers from start to end. The run's report pairs these
 * spans with worker saturation to name the objects that held the workers (health checks waiting
 * for their timeout, mostly). Pure.
 */
import type { FluxObjectSnapshot } from './flux-objects.ts';
import type { Sample } from './sample.ts';

/** True while the object's conditions say a reconcile is in progress. */
export function inReconcile(snapshot: Pick<FluxObjectSnapshot, 'ready' | 'reconciling'>): boolean {
  return snapshot.reconciling === true || (snapshot.ready?.status === 'Unknown' && snapshot.ready.reason === 'Progressing');
}

/**
 * Writes a `reconcile`/`progressing` sample (labels `{object}`) when an object enters a reconcile
 * (value 1) and when it leaves it (value 0): two samples a reconcile, nothing for the updates in
 * between, so it costs the watches a lookup per update.
 */
export class ReconcileProgressLog {
  private readonly progressing = new Set<string>();

  observe(snapshot: FluxObjectSnapshot, ts: number): Sample[] {
    const now = inReconcile(snapshot);
    if (now === this.progressing.has(snapshot.key)) return [];
    if (now) this.progressing.add(snapshot.key);
    else this.progressing.delete(snapshot.key);
    return [{ ts, kind: 'reconcile', name: 'progressing', value: now ? 1 : 0, labels: { object: snapshot.key } }];
  }

  /** Forgets a deleted object: its reconcile ends with it. */
  forget(key: string, ts: number): Sample[] {
    if (!this.progressing.delete(key)) return [];
    return [{ ts, kind: 'reconcile', name: 'progressing', value: 0, labels: { object: key } }];
  }
}

/** One object's reconcile: from its `progressing` 1 sample to its 0 (or `endTs` when none came), ms epoch. */
export interface ReconcileSpan {
  object: string;
  startTs: number;
  endTs: number;
}

/** The spans of the `reconcile`/`progressing` samples (time-ordered); reconciles still open end at `endTs`. */
export function reconcileSpans(samples: readonly Sample[], endTs: number): ReconcileSpan[] {
  const open = new Map<string, number>();
  const spans: ReconcileSpan[] = [];
  for (const s of samples) {
    const object = s.labels?.object;
    if (s.kind !== 'reconcile' || s.name !== 'progressing' || !object) continue;
    const started = open.get(object);
    if (s.value === 1 && started === undefined) open.set(object, s.ts);
    else if (s.value === 0 && started !== undefined) {
      spans.push({ object, startTs: started, endTs: s.ts });
      open.delete(object);
    }
  }
  for (const [object, startTs] of open) spans.push({ object, startTs, endTs: Math.max(startTs, endTs) });
  return spans;
}
