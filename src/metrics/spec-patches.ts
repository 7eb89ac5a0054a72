/**
 * Spec changes of Flux objects and their reconciliation, as samples, so the time until every
 * changed object is Ready at its new spec is computed from the sample stream alone: the
 * flux.patch action writes one `patch`/`patched` sample per patch, with the generation each
 * object had before it and the one the API server gave it; the watches write a `patch`/`ready`
 * sample the first time they see an object Ready at a generation above 1 (its spec changed since
 * it was created), that is with Ready=True and `status.observedGeneration` equal to
 * `metadata.generation`.
 */
import type { FluxObjectSnapshot } from './flux-objects.ts';
import type { Sample } from './sample.ts';

/**
 * An object a patch was sent to: `<Kind>/<namespace>/<name>`, its `metadata.generation` before
 * the patch and in the API server's answer to it (each absent when not known). The same
 * generation twice is a patch that changed nothing (the values it had).
 */
export interface PatchedGeneration {
  object: string;
  previousGeneration?: number;
  generation?: number;
}

/**
 * The `patch`/`patched` sample: at `ts` (epoch ms, before the patches went out) `objects` were
 * patched, valued at their count. `labels` say which action (its label).
 */
export function specPatchedSample(ts: number, objects: readonly PatchedGeneration[], labels: Record<string, string> = {}): Sample {
  return { ts, kind: 'patch', name: 'patched', value: objects.length, labels, detail: { objects: objects.map((o) => ({ ...o })) } };
}

/**
 * Per watched object, the last generation it was seen Ready at. Generation 1 is left out: every
 * object is created at it, and its first Ready is the `ready`/`ready` sample already; so only a
 * spec changed since creation (flux.patch, or a flux.suspend and flux.resume, which change
 * `spec.suspend`) writes `patch` samples, one per object and generation, nothing for the updates
 * in between. An object made again under the same name (another creation time) starts afresh,
 * even when the watches never saw it deleted.
 */
export class GenerationReadyLog {
  private readonly last = new Map<string, { generation: number; createdAt: number | undefined }>();

  observe(snapshot: FluxObjectSnapshot, ts: number): Sample[] {
    const generation = snapshot.generation;
    if (generation === undefined || generation < 2 || snapshot.observedGeneration !== generation || snapshot.ready?.status !== 'True') return [];
    const last = this.last.get(snapshot.key);
    if (last && last.generation === generation && last.createdAt === snapshot.createdAt) return [];
    this.last.set(snapshot.key, { generation, createdAt: snapshot.createdAt });
    return [{ ts, kind: 'patch', name: 'ready', value: generation, labels: { object: snapshot.key } }];
  }

  /** Forgets a deleted object (one recreated under its name starts at generation 1 again). */
  forget(key: string): void {
    this.last.delete(key);
  }
}
