import { formatDuration } from '../util/units.ts';
import type { FluxNode } from './node.ts';
import type { DiagnoseOptions } from './options.ts';
import { displayId, renderCycle } from './render-chain.ts';
import type { Cycle, StaleCause, StaleRevisionGroup } from './schema.ts';
import { expectedRevision } from './symptoms.ts';

/**
 * "Everything is Ready and nothing deploys": appliers Ready (or suspended) at a revision older
 * than their source's artifact, grouped by source, each group with the likeliest cause the
 * cluster shows. Pure.
 *
 * An object counts once its source has served the newer artifact for longer than
 * `options.graceMs` (a reconcile in flight is not frozen). Objects Ready=False are left out:
 * they are findings of their own, with their own chain.
 *
 * @returns groups sorted by source id; objects within a group by id.
 */
export function staleRevisionGroups(
  nodes: ReadonlyMap<string, FluxNode>,
  cycles: readonly Cycle[],
  nowMs: number,
  options: Pick<DiagnoseOptions, 'graceMs' | 'defaultIntervalMs'>,
): StaleRevisionGroup[] {
  const bySource = new Map<string, { source: FluxNode; revision: string; objects: FluxNode[] }>();
  for (const node of nodes.values()) {
    if (node.ready !== 'True' && !node.suspended) continue;
    const expected = expectedRevision(node, nodes);
    if (!expected || !node.lastAppliedRevision || node.lastAppliedRevision === expected.revision) continue;
    const updated = expected.source.artifactUpdatedMs;
    if (updated !== undefined && nowMs - updated <= options.graceMs) continue;
    const group = bySource.get(expected.source.id) ?? { source: expected.source, revision: expected.revision, objects: [] };
    group.objects.push(node);
    bySource.set(expected.source.id, group);
  }
  return [...bySource.values()]
    .sort((a, b) => compare(a.source.id, b.source.id))
    .map(({ source, revision, objects }) => {
      objects.sort((a, b) => compare(a.id, b.id));
      const ageMs = source.artifactUpdatedMs !== undefined ? nowMs - source.artifactUpdatedMs : undefined;
      const cause = staleCause(source, objects, nodes, cycles, ageMs, options.defaultIntervalMs);
      const age = ageMs !== undefined ? Math.round(ageMs / 1000) : undefined;
      return {
        source: source.id,
        revision,
        ...(age !== undefined ? { artifactAgeSeconds: age } : {}),
        objects: objects.map((o) => ({ id: o.id, appliedRevision: o.lastAppliedRevision!, suspended: o.suspended })),
        cause,
        explanation: explainStale(cause, source.id) + sourceNote(source),
      };
    });
}

function compare(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/**
 * A dependsOn cycle whose every member is a Kustomization of `source`: kustomize-controller
 * sorts a source's Kustomizations by dependsOn before it enqueues them on a new revision, and on
 * a cycle it drops the whole batch, so no Kustomization of that source is triggered, cycle member
 * or not (fluxcd/kustomize-controller#1712).
 */
export function sharedSourceCycle(source: string, nodes: ReadonlyMap<string, FluxNode>, cycles: readonly Cycle[]): string[] | undefined {
  const ofSource = (id: string) => {
    const node = nodes.get(id);
    return node?.kind === 'Kustomization' && node.sourceRef === source;
  };
  return cycles.find((c) => c.ids.every(ofSource) && c.edges.every((e) => e.via.includes('dependsOn')))?.ids;
}

function staleCause(
  source: FluxNode,
  objects: readonly FluxNode[],
  nodes: ReadonlyMap<string, FluxNode>,
  cycles: readonly Cycle[],
  ageMs: number | undefined,
  defaultIntervalMs: number,
): StaleCause {
  // A cycle freezes every object of the source; suspension is the user's own choice. The source's
  // own health is no cause: kustomize-controller applies whatever artifact a source serves, Ready
  // or not, suspended or not; a failing source only keeps newer commits from arriving.
  const cycle = sharedSourceCycle(source.id, nodes, cycles);
  if (cycle) return { type: 'shared_source_cycle', cycle };
  const active = objects.filter((o) => !o.suspended);
  if (active.length === 0) return { type: 'objects_suspended' };
  const longestMs = Math.max(...active.map((o) => o.intervalMs ?? defaultIntervalMs));
  const intervalSeconds = Math.round(longestMs / 1000);
  // Past the interval (plus Flux's jitter, at most 10 % by default) the timer alone should have
  // applied it: the objects are not being reconciled at all.
  if (ageMs !== undefined && ageMs > longestMs * 1.1 + 30_000) return { type: 'not_reconciling', intervalSeconds };
  return { type: 'waiting_for_interval', intervalSeconds };
}

/** One sentence: what froze the group, and what a person does about it. */
export function explainStale(cause: StaleCause, source: string): string {
  switch (cause.type) {
    case 'shared_source_cycle':
      return (
        `dependsOn cycle among Kustomizations of ${displayId(source)}: ${renderCycle(cause.cycle)}. ` +
        'kustomize-controller drops the revision-change requests of every Kustomization of a source whose ' +
        'Kustomizations form a cycle (fluxcd/kustomize-controller#1712), so none of them is triggered by a new ' +
        'revision and each waits for its spec.interval. Break the cycle; until then `flux reconcile` them by hand'
      );
    case 'objects_suspended':
      return 'every object behind is suspended (spec.suspend: true): resume them to deploy';
    case 'waiting_for_interval':
      return (
        `no reconcile since the artifact changed — waiting for its interval (up to ${formatDuration(cause.intervalSeconds * 1000)}). ` +
        'A new artifact normally triggers its Kustomizations at once: look for a controller too busy to start them ' +
        '(all --concurrent workers held) or a watch that dropped the event'
      );
    case 'not_reconciling':
      return (
        `the artifact is older than the objects' interval (${formatDuration(cause.intervalSeconds * 1000)}), so not even the timer reconciled them: ` +
        'check that their controller runs, that a shard watches their sharding.fluxcd.io/key label, ' +
        'and whether its workers are all held by slow reconciles'
      );
  }
}

/** The source's own trouble, which does not hold back what it already serves but keeps newer commits out. */
function sourceNote(source: FluxNode): string {
  if (source.suspended) return `. ${displayId(source.id)} is also suspended: newer commits do not reach it`;
  if (source.ready === 'False') return `. ${displayId(source.id)} is also not Ready${source.readyReason ? ` (${source.readyReason})` : ''}: newer commits do not reach it`;
  return '';
}
