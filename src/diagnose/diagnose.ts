import { canonicalCycle, elementaryCycles } from './cycles.ts';
import { isFluxKind } from './kinds.ts';
import { defaultDiagnoseOptions } from './options.ts';
import type { DiagnoseOptions } from './options.ts';
import { indexEvents, rootCauseChain } from './root-cause.ts';
import type { ChainContext } from './root-cause.ts';
import { diagnosisSchema } from './schema.ts';
import type { FluxNode } from './node.ts';
import type { Cycle, Diagnosis, Finding, MissingDependency, StaleCause, Symptom } from './schema.ts';
import { renderCycle } from './render-chain.ts';
import { staleRevisionGroups } from './stale-revisions.ts';
import { nodeSymptoms } from './symptoms.ts';
import { workersHeld } from './workers-held.ts';
import { parseObjectId, rawObjectId } from './state.ts';
import type { FluxState } from './state.ts';
import { applierAdjacency, buildWaitGraph } from './wait-graph.ts';
import type { WaitGraph } from './wait-graph.ts';

function cycleEdges(graph: WaitGraph, ids: readonly string[]): Cycle['edges'] {
  return ids.map((from, i) => {
    const to = ids[(i + 1) % ids.length]!;
    const edges = (graph.out.get(from) ?? []).filter((e) => e.to === to);
    const via = [...new Set(edges.map((e) => e.via))];
    const through = edges.map((e) => e.through).filter((t): t is string => t !== undefined);
    return { from, to, via, ...(through.length > 0 ? { through } : {}) };
  });
}

function rotateTo(cycle: readonly string[], id: string): string[] {
  const at = cycle.indexOf(id);
  return [...cycle.slice(at), ...cycle.slice(0, at)];
}

/** One object's finding: its chain to the root cause, and the symptoms the root adds. */
function finding(
  context: ChainContext,
  node: FluxNode,
  symptoms: Symptom[],
  staleDetails: ReadonlyMap<string, string>,
  staleCause: StaleCause | undefined,
): Finding {
  const walked = rootCauseChain(context, node, staleDetails);
  const { chain } = walked;
  let { rootCause } = walked;
  // Frozen by a cycle it is not part of (the source's revision events are dropped): the cycle is its root.
  if (staleCause?.type === 'shared_source_cycle' && rootCause.type === 'object' && rootCause.id === node.id) {
    rootCause = { type: 'cycle', cycle: staleCause.cycle };
    for (const s of symptoms) if (s.type === 'stale_revision') s.detail += `: no new revision of its source triggers it while ${renderCycle(staleCause.cycle)} is a cycle`;
  }
  // Blocked behind a cycle or a missing object: it cannot recover, however young.
  const blockedForGood = rootCause.type === 'cycle' || rootCause.type === 'missing';
  if (blockedForGood && !symptoms.some((s) => s.type === 'in_cycle' || s.type === 'missing_dependency' || s.type === 'stale_revision')) {
    symptoms.push({
      type: 'dependency_not_ready',
      detail: rootCause.type === 'cycle' ? `blocked behind cycle ${renderCycle(rootCause.cycle)}` : `blocked behind missing ${rootCause.id}`,
    });
  }
  return {
    id: node.id,
    kind: node.kind,
    namespace: node.namespace,
    name: node.name,
    ready: node.ready,
    ...(node.readyReason ? { reason: node.readyReason } : {}),
    ...(node.readyMessage ? { message: node.readyMessage } : {}),
    stuck: symptoms.length > 0,
    symptoms,
    chain,
    rootCause,
  };
}

/**
 * Explains what is stuck and why. Pure: the same state and clock give the same diagnosis.
 * `now` is the moment ages are measured against (the collection time, normally).
 */
export function diagnose(state: FluxState, now: Date, overrides: Partial<DiagnoseOptions> = {}): Diagnosis {
  const options = { ...defaultDiagnoseOptions, ...overrides };
  const nowMs = now.getTime();
  const graph = buildWaitGraph(state);

  const search = elementaryCycles(applierAdjacency(graph), options.cycleLimits);
  const cycles = search.cycles.map((ids) => canonicalCycle(ids));
  const cycleOf = new Map<string, string[]>();
  for (const cycle of cycles) {
    for (const id of cycle) if (!cycleOf.has(id)) cycleOf.set(id, rotateTo(cycle, id));
  }
  const selfDependencies = cycles.filter((c) => c.length === 1).map((c) => c[0]!);

  const missing: MissingDependency[] = graph.edges
    .filter((edge) => !graph.nodes.has(edge.to) && isFluxKind(parseObjectId(edge.to).kind))
    .map(({ from, to, via }) => ({ from, to, via }));
  const missingFrom = new Map<string, MissingDependency[]>();
  for (const m of missing) missingFrom.set(m.from, [...(missingFrom.get(m.from) ?? []), m]);

  const symptomsOf = new Map<string, Symptom[]>();
  const staleDetails = new Map<string, string>();
  for (const node of graph.nodes.values()) {
    const symptoms = nodeSymptoms(node, graph.nodes, nowMs, options);
    for (const s of symptoms) if (s.type === 'stale_revision') staleDetails.set(node.id, s.detail);
    if (!node.suspended && node.ready !== 'True') {
      const cycle = cycleOf.get(node.id);
      if (cycle) symptoms.push({ type: 'in_cycle', detail: `waits on itself: ${renderCycle(cycle)}` });
      for (const m of missingFrom.get(node.id) ?? []) {
        symptoms.push({ type: 'missing_dependency', detail: `${m.via} ${m.to} does not exist` });
      }
    }
    symptomsOf.set(node.id, symptoms);
  }

  const context: ChainContext = {
    graph,
    cycleOf,
    related: new Map(state.related.map((object) => [rawObjectId(object), object])),
    relatedMissing: new Set(state.relatedMissing),
    events: indexEvents(state.events),
    staleRevision: new Set(staleDetails.keys()),
    eventsPerObject: options.eventsPerObject,
  };

  const cycleList = cycles.map((ids) => ({ ids, edges: cycleEdges(graph, ids) }));
  const staleRevisions = staleRevisionGroups(graph.nodes, cycleList, nowMs, options);
  const staleGroupOf = new Map(staleRevisions.flatMap((group) => group.objects.map((o) => [o.id, group] as const)));

  const findings: Finding[] = [];
  for (const node of graph.nodes.values()) {
    if (node.suspended) continue;
    const symptoms = symptomsOf.get(node.id) ?? [];
    if (node.ready === 'True' && symptoms.length === 0) continue;
    findings.push(finding(context, node, symptoms, staleDetails, staleGroupOf.get(node.id)?.cause));
  }
  findings.sort((a, b) => Number(b.stuck) - Number(a.stuck) || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

  const diagnosis: Diagnosis = {
    schemaVersion: 1,
    generatedAt: now.toISOString(),
    ...(state.context ? { context: state.context } : {}),
    ...(state.namespaces ? { namespaces: state.namespaces } : {}),
    counts: {
      objects: graph.nodes.size,
      notReady: findings.filter((f) => f.ready !== 'True').length,
      stuck: findings.filter((f) => f.stuck).length,
      cycles: cycles.length,
      missing: missing.length,
      staleRevision: staleGroupOf.size,
    },
    findings,
    cycles: cycleList,
    cyclesTruncated: search.truncated,
    selfDependencies,
    missing,
    staleRevisions,
    workersHeld: workersHeld(graph.nodes, nowMs),
    notes: [...state.notes, ...(search.truncated ? ['cycle search stopped at its bound: more cycles may exist than listed'] : [])],
  };
  return diagnosisSchema.parse(diagnosis);
}
