import type { FluxObjectSnapshot } from '../metrics/flux-objects.ts';
import type { NeverReady } from '../metrics/ready-state.ts';
import { expectedOutcome, type GeneratedWorkload } from '../workload/index.ts';

/** What the settle phase waits for (`settle.until`). */
export type SettleUntil = 'ready' | 'applied';

/** The kinds `applied` counts: those with an applied revision. */
export const appliedKinds: readonly string[] = ['Kustomization', 'HelmRelease'];

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

/** The objects a run waits for: `<Kind>/<namespace>/<name>` of each that can be Ready, and those that never can. */
export interface ReadyExpectation {
  objects: string[];
  neverReady: NeverReady[];
  /** Kustomizations and HelmReleases of the dependency graph that can be Ready (what `applied` counts up to). */
  graphReady: number;
}

/**
 * From the generator's ground truth: every Flux object of the workload whose kind is watched,
 * minus those that can never be Ready (injected cycles, broken roots, missing dependencies and
 * whatever waits on them), which are listed with their cause instead; with HelmCharts watched,
 * also the HelmChart of each HelmRelease that has one and can be Ready (a release that cannot
 * may never be applied, so its chart is not waited for either).
 */
export function readyExpectation(workload: Pick<GeneratedWorkload, 'fluxObjects' | 'graph'>, watchedKinds: readonly string[]): ReadyExpectation {
  const outcome = expectedOutcome(workload.graph);
  const stuck = new Map(outcome.stuck.map((s) => [s.id, s]));
  const canBeReady = workload.fluxObjects.filter((o) => !stuck.has(o.id));
  const charts = watchedKinds.includes('HelmChart') ? canBeReady.flatMap((o) => (o.helmChart ? [o.helmChart] : [])) : [];
  return {
    objects: [...canBeReady.filter((o) => watchedKinds.includes(o.kind)).map((o) => o.id), ...charts],
    neverReady: outcome.stuck.map((s) => ({ object: s.id, cause: s.cause, ...(s.blockedBy !== s.id ? { blockedBy: s.blockedBy } : {}) })),
    graphReady: outcome.ready.length,
  };
}

export interface SettleProgress {
  /** Whether the settle phase can end. */
  done: boolean;
  /** Objects settled so far, and how many it waits for. */
  settled: number;
  needed: number;
  /** `ready`: objects not yet Ready since the apply, sorted (at most 10). */
  pending: string[];
}

/**
 * How far the settle is. `ready`: every object that can be Ready has been Ready at least once
 * since the apply (the moment ready.all_after measures; going back to Ready=Unknown while
 * reconciling again does not undo it). `applied`: as many Kustomizations/HelmReleases as the
 * graph has Ready ones are Ready or reconciling again after an apply (settledCount).
 */
export function settleProgress(
  until: SettleUntil,
  expectation: ReadyExpectation,
  state: { snapshots: Iterable<FluxObjectSnapshot>; firstReady: ReadonlyMap<string, { readyAt?: number }> },
): SettleProgress {
  if (until === 'applied') {
    const settled = settledCount(state.snapshots, appliedKinds);
    return { done: settled >= expectation.graphReady, settled, needed: expectation.graphReady, pending: [] };
  }
  const pending = expectation.objects.filter((id) => state.firstReady.get(id)?.readyAt === undefined);
  const settled = expectation.objects.length - pending.length;
  return { done: pending.length === 0, settled, needed: expectation.objects.length, pending: pending.sort().slice(0, 10) };
}
