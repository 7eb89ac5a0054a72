import type { FluxObjectSnapshot } from '../metrics/flux-objects.ts';

/**
 * Objects that have settled: Ready, or being reconciled again (Ready=Unknown) after having been
 * applied once. A controller busy with more objects than its interval allows always has a few
 * "Reconciliation in progress"; waiting for all of them to be Ready at the same instant would
 * never end, although every one of them has been applied.
 */
export function settledCount(snapshots: Iterable<FluxObjectSnapshot>, kinds: readonly string[]): number {
  let settled = 0;
  for (const s of snapshots) {
    if (!kinds.includes(s.kind)) continue;
    if (s.ready?.status === 'True' || (s.ready?.status === 'Unknown' && s.appliedRevision !== undefined)) settled++;
  }
  return settled;
}
