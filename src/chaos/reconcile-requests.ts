/**
 * What flux.reconcile does against the API server, as `flux reconcile` does it: a JSON merge
 * patch setting `reconcile.fluxcd.io/requestedAt` to the time of the request on each object.
 * The patches go out through object-patches.ts.
 */
import { reconcileRequestAnnotation } from '../metrics/reconcile-requests.ts';
import { patchFluxObjects, type PatchTarget } from './object-patches.ts';

/**
 * Go's `time.RFC3339Nano` of an instant (epoch ms) in UTC, the value `flux reconcile` writes:
 * `2026-01-02T03:04:05.12Z`, the fraction's trailing zeros dropped and no fraction at a whole
 * second. Milliseconds are all a JavaScript clock gives; controllers compare the value as text.
 */
export function reconcileRequestValue(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** The merge patch of one request: only the annotation, as the flux CLI's patch holds. */
export function reconcileRequestPatch(requestedAt: string): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [reconcileRequestAnnotation]: requestedAt } } };
}

/** Which objects: one named object (in `namespace`, default flux-system), or every object of the kind in `namespace` or in all. */
export type ReconcileTarget = PatchTarget;

export interface ReconcileOutcome {
  /** Epoch ms of the request: when `requestedAt` was taken, after the objects were listed and before any patch. */
  at: number;
  requestedAt: string;
  /** `<Kind>/<namespace>/<name>` of each object annotated. */
  patched: string[];
  /** `<Kind>/<namespace>/<name>: <reason>` of each object whose patch failed (a named object that does not exist). */
  failures: string[];
}

/**
 * Annotates the target's objects through the API server of `kubeconfigPath` (its current
 * context). Throws when listing fails; a failed patch is a failure in the outcome, the others
 * still go out. No object of the kind is an empty outcome, as flux.suspend does nothing then.
 */
export async function requestReconcile(kubeconfigPath: string, target: ReconcileTarget, now: () => number = Date.now): Promise<ReconcileOutcome> {
  const outcome = await patchFluxObjects(kubeconfigPath, target, (at) => reconcileRequestPatch(reconcileRequestValue(at)), { now });
  return { at: outcome.at, requestedAt: reconcileRequestValue(outcome.at), patched: outcome.patched.map((p) => p.object), failures: outcome.failures };
}
