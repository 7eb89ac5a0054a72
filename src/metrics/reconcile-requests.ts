/**
 * Reconcile requests and their handling, as samples, so time-to-handle is computed from the
 * sample stream alone: the flux.reconcile action writes one `reconcile`/`requested` sample per
 * request, the watches a `reconcile`/`handled` sample whenever an object's
 * `status.lastHandledReconcileAt` changes.
 */
import type { FluxObjectSnapshot } from './flux-objects.ts';
import type { Sample } from './sample.ts';

/**
 * The annotation `flux reconcile` sets (fluxcd/pkg `meta.ReconcileRequestAnnotation`); a
 * controller copies its value to `status.lastHandledReconcileAt` once it reconciled after it.
 */
export const reconcileRequestAnnotation = 'reconcile.fluxcd.io/requestedAt';

export type ReconcileSampleName = 'requested' | 'handled';

/**
 * The `reconcile`/`requested` sample: at `ts` (epoch ms, when the value was taken, before the
 * patches) `objects` (`<Kind>/<namespace>/<name>`, those whose patch succeeded) were annotated
 * with `requestedAt`; valued at their count. `labels` say which action asked (its label).
 */
export function reconcileRequestedSample(ts: number, requestedAt: string, objects: readonly string[], labels: Record<string, string> = {}): Sample {
  return { ts, kind: 'reconcile', name: 'requested', value: objects.length, labels, detail: { requestedAt, objects: [...objects] } };
}

/**
 * Per watched object, the last `status.lastHandledReconcileAt` seen. Each change, the first
 * sight of an object that has one included, is a `reconcile`/`handled` sample labelled
 * `{object}` with the value in `detail.requestedAt`: one per handled request, nothing for
 * the many updates in between, so it costs the watches a string comparison per update.
 */
export class HandledReconcileLog {
  private readonly last = new Map<string, string>();

  observe(snapshot: FluxObjectSnapshot, ts: number): Sample[] {
    const value = snapshot.lastHandledReconcileAt;
    if (value === undefined || this.last.get(snapshot.key) === value) return [];
    this.last.set(snapshot.key, value);
    return [{ ts, kind: 'reconcile', name: 'handled', labels: { object: snapshot.key }, detail: { requestedAt: value } }];
  }

  /** Forgets a deleted object (one recreated under its name starts afresh). */
  forget(key: string): void {
    this.last.delete(key);
  }
}
