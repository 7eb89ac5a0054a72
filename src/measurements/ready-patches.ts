/**
 * Time-to-Ready again after each spec change of the timeline (flux.patch), from samples already
 * in the stream: the `patch`/`patched` sample names the objects a patch was sent to, with the
 * generation each had before it and the one it got; an object is Ready again at the first
 * `patch`/`ready` sample the watches wrote for it at exactly that generation after the patch. A
 * later generation does not count: it may be the change undone (a parent Kustomization applying
 * the field back). Pure.
 */
import { z } from 'zod';
import type { Sample } from '../metrics/sample.ts';
import type { PatchedGeneration } from '../metrics/spec-patches.ts';

export const readyPatchSchema = z.object({
  /** The flux.patch's label (`flux.patch Kustomization`). */
  label: z.string(),
  /** Epoch ms of the patch (taken before the first object was patched). */
  patchedAt: z.number(),
  /** Objects whose spec the patch changed (their generation moved), those superseded left out. */
  changed: z.number(),
  /** Objects the patch left as they were (the values they had: the API server kept their generation). Not timed. */
  unchanged: z.number(),
  /** Changed objects a later flux.patch changed again before they were Ready at this one's generation. Not timed. */
  superseded: z.number(),
  /** Of the changed ones, seen Ready at their new generation by the end of the run. */
  readyAgain: z.number(),
  /** Seconds from the patch until the last of them was; absent while one never was. */
  allAfter: z.number().optional(),
  /** The slowest to be Ready again, seconds from the patch, slowest first (at most 3). */
  slowest: z.array(z.object({ object: z.string(), seconds: z.number() })),
  /** Changed objects not Ready at their new generation at the end of the run, sorted (at most 20). */
  notReady: z.array(z.string()),
});
export type ReadyPatch = z.infer<typeof readyPatchSchema>;

/** The objects of a `patch`/`patched` sample's detail; entries of another shape are skipped. */
function patchedObjects(sample: Sample): PatchedGeneration[] {
  const objects = sample.detail?.objects;
  if (!Array.isArray(objects)) return [];
  return objects.flatMap((entry: unknown): PatchedGeneration[] => {
    const { object, generation, previousGeneration } = (entry ?? {}) as Record<string, unknown>;
    if (typeof object !== 'string') return [];
    return [{ object, ...(typeof previousGeneration === 'number' ? { previousGeneration } : {}), ...(typeof generation === 'number' ? { generation } : {}) }];
  });
}

/** Per patch (in time order) its stats. */
export function analyzePatches(patchSamples: readonly Sample[]): ReadyPatch[] {
  const sorted = [...patchSamples].sort((a, b) => a.ts - b.ts);
  // Per object, each generation it was first seen Ready at, in time order.
  const readyOf = new Map<string, Array<{ ts: number; generation: number }>>();
  for (const s of sorted) {
    const object = s.labels?.object;
    if (s.kind !== 'patch' || s.name !== 'ready' || !object || typeof s.value !== 'number') continue;
    let list = readyOf.get(object);
    if (!list) readyOf.set(object, (list = []));
    list.push({ ts: s.ts, generation: s.value });
  }
  const patches = sorted.filter((s) => s.kind === 'patch' && s.name === 'patched').map((sample) => ({ sample, objects: patchedObjects(sample) }));
  return patches.map((patch, index) => {
    // When each object was changed again by a later patch (its first), to tell superseded from never Ready.
    const changedAgainAt = new Map<string, number>();
    for (const later of patches.slice(index + 1)) {
      for (const o of later.objects) if (!changedAgainAt.has(o.object) && !isUnchanged(o)) changedAgainAt.set(o.object, later.sample.ts);
    }
    return patchStats(patch.sample, patch.objects, readyOf, changedAgainAt);
  });
}

/**
 * The patch left the object as it was: the same generation before and after it. Without the one
 * before (an older stream), generation 1 after it is the only sure case: a changed spec moves it.
 */
function isUnchanged(o: PatchedGeneration): boolean {
  if (o.previousGeneration !== undefined && o.generation !== undefined) return o.previousGeneration === o.generation;
  return o.generation === 1;
}

function patchStats(applied: Sample, objects: readonly PatchedGeneration[], readyOf: ReadonlyMap<string, ReadonlyArray<{ ts: number; generation: number }>>, changedAgainAt: ReadonlyMap<string, number>): ReadyPatch {
  const again: Array<{ object: string; seconds: number }> = [];
  const notReady: string[] = [];
  let unchanged = 0;
  let superseded = 0;
  for (const o of objects) {
    if (isUnchanged(o)) {
      unchanged += 1;
      continue;
    }
    const ready = readyOf.get(o.object)?.find((r) => r.ts >= applied.ts && (o.generation === undefined || r.generation === o.generation));
    const nextChange = changedAgainAt.get(o.object);
    if (ready && (nextChange === undefined || ready.ts <= nextChange)) again.push({ object: o.object, seconds: (ready.ts - applied.ts) / 1000 });
    else if (nextChange !== undefined) superseded += 1;
    else notReady.push(o.object);
  }
  again.sort((a, b) => b.seconds - a.seconds || (a.object < b.object ? -1 : a.object > b.object ? 1 : 0));
  const changed = again.length + notReady.length;
  const stats: ReadyPatch = {
    label: applied.labels?.action ?? 'flux.patch',
    patchedAt: applied.ts,
    changed,
    unchanged,
    superseded,
    readyAgain: again.length,
    slowest: again.slice(0, 3),
    notReady: notReady.sort().slice(0, 20),
  };
  if (changed > 0 && notReady.length === 0) stats.allAfter = again[0]!.seconds;
  return stats;
}
