import { clusterScopedKinds } from './kinds.ts';
import { remoteClusterRoot } from './remote-clusters.ts';
import { healthCheckCandidates, waitsOnHealthCheck, objectRefsInMessage } from './node.ts';
import type { FluxNode } from './node.ts';
import type { ChainHop, EventSummary, RootCause } from './schema.ts';
import { objectId, parseObjectId } from './state.ts';
import type { EventRecord, RawObject } from './state.ts';
import type { WaitEdge, WaitGraph } from './wait-graph.ts';

/** Everything the chain walk looks things up in, indexed once per diagnosis. */
export interface ChainContext {
  graph: WaitGraph;
  /** Object id → the shortest cycle through it, rotated to start at it. */
  cycleOf: Map<string, string[]>;
  related: Map<string, RawObject>;
  relatedMissing: Set<string>;
  events: Map<string, EventRecord[]>;
  /** Objects Ready at a revision older than their source's. */
  staleRevision: Set<string>;
  eventsPerObject: number;
}

export function indexEvents(events: readonly EventRecord[]): Map<string, EventRecord[]> {
  const byObject = new Map<string, EventRecord[]>();
  for (const event of events) {
    const id = objectId(event.kind, event.namespace || undefined, event.name);
    const list = byObject.get(id);
    if (list) list.push(event);
    else byObject.set(id, [event]);
  }
  for (const list of byObject.values()) list.sort((a, b) => (a.time < b.time ? 1 : a.time > b.time ? -1 : 0));
  return byObject;
}

function latestEvents(context: ChainContext, id: string): EventSummary[] {
  return (context.events.get(id) ?? [])
    .slice(0, context.eventsPerObject)
    .map(({ type, reason, message, time, count }) => ({ type, reason, message, time, count }));
}

function nodeHop(context: ChainContext, node: FluxNode, edge?: WaitEdge): ChainHop {
  return {
    id: node.id,
    ...(edge ? { via: edge.via } : {}),
    ...(edge?.through ? { through: edge.through } : {}),
    ready: node.ready,
    ...(node.suspended ? { reason: 'Suspended', message: 'spec.suspend is true' } : {}),
    ...(!node.suspended && node.readyReason ? { reason: node.readyReason } : {}),
    ...(!node.suspended && node.readyMessage ? { message: node.readyMessage } : {}),
    events: latestEvents(context, node.id),
  };
}

const dependencyNamePattern = /(?:dependency|unable to get) '([^']+)'/;

function isDependencyWait(node: FluxNode): boolean {
  return node.readyReason === 'DependencyNotReady' || dependencyNamePattern.test(node.readyMessage ?? '');
}

function isSourceWait(node: FluxNode): boolean {
  return (
    node.readyReason === 'ArtifactFailed' ||
    node.readyReason === 'SourceNotReady' ||
    /\b(source|artifact)\b.*\b(not found|not ready)\b/i.test(node.readyMessage ?? '')
  );
}

function blocking(context: ChainContext, edge: WaitEdge): boolean {
  const target = context.graph.nodes.get(edge.to);
  return !target || target.ready !== 'True' || context.staleRevision.has(target.id);
}

type Next = { kind: 'node'; edge: WaitEdge } | { kind: 'related'; id: string };

/** What `node` is waiting on, judged by the reason Flux gave; undefined when it failed by itself. */
function nextBlocker(context: ChainContext, node: FluxNode): Next | undefined {
  if (node.suspended) return undefined;
  const edges = (context.graph.out.get(node.id) ?? []).filter((edge) => blocking(context, edge));
  const message = node.readyMessage ?? '';

  if (node.ready === 'True') {
    // Ready at a stale revision: kustomize-controller holds it back behind a dependency at another revision.
    if (!context.staleRevision.has(node.id)) return undefined;
    const edge = edges.find((e) => e.via === 'dependsOn') ?? edges.find((e) => e.via === 'needs');
    return edge ? { kind: 'node', edge } : undefined;
  }

  if (isDependencyWait(node)) {
    const named = dependencyNamePattern.exec(message)?.[1];
    const dependencyEdges = edges.filter((e) => e.via === 'dependsOn' || e.via === 'needs' || e.via === 'healthCheck');
    const edge =
      (named && dependencyEdges.find((e) => {
        const key = parseObjectId(e.to);
        return `${key.namespace}/${key.name}` === named || key.name === named;
      })) ||
      dependencyEdges[0];
    return edge ? { kind: 'node', edge } : undefined;
  }

  if (waitsOnHealthCheck(node)) {
    for (const id of objectRefsInMessage(message)) {
      const edge = edges.find((e) => e.to === id);
      if (edge) return { kind: 'node', edge };
      if (context.graph.nodes.has(id)) continue; // a Ready Flux object: not the one holding it
      if (context.related.has(id) || context.relatedMissing.has(id)) return { kind: 'related', id };
    }
    // The message names nothing: the first inventory object that is not healthy is what it waits on.
    for (const id of healthCheckCandidates(node)) {
      if (context.relatedMissing.has(id)) return { kind: 'related', id };
      const object = context.related.get(id);
      if (object && !workloadHealthy(object)) return { kind: 'related', id };
    }
    // Nothing read about the objects it names: its own message (which names them) is the best root.
    return undefined;
  }

  if (isSourceWait(node)) {
    const edge = edges.find((e) => e.via === 'source');
    if (edge) return { kind: 'node', edge };
  }

  // A failure that names a ConfigMap/Secret another Flux object has not created yet.
  const needs = edges.find((e) => {
    if (e.via !== 'needs' || !e.through) return false;
    const key = parseObjectId(e.through);
    return message.includes(key.name);
  });
  if (needs) return { kind: 'node', edge: needs };

  if (node.ready === 'False' || node.ready === 'None') {
    // Without a telling reason, an object that never got Ready waits on whatever it depends on.
    if (!node.readyReason || node.ready === 'None') {
      const edge = edges[0];
      return edge ? { kind: 'node', edge } : undefined;
    }
  }
  return undefined;
}

function num(value: unknown, fallback: number): number {
  return typeof value === 'number' ? value : fallback;
}

/** Whether a workload object is what kstatus would call Current (enough for a root-cause pick). */
export function workloadHealthy(object: RawObject): boolean {
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  const status = (object.status ?? {}) as Record<string, unknown>;
  switch (object.kind) {
    case 'PersistentVolumeClaim':
      return status.phase === 'Bound';
    case 'Pod':
      return status.phase === 'Running' || status.phase === 'Succeeded';
    case 'Job':
      return num(status.succeeded, 0) > 0;
    case 'DaemonSet':
      return num(status.numberReady, 0) >= num(status.desiredNumberScheduled, 1);
    default:
      return num(status.readyReplicas, 0) >= num(spec.replicas, 1);
  }
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Follow-up references that explain why a related object cannot progress. */
const secondaryRefs: Record<string, { field: (spec: Record<string, unknown>) => string | undefined; kind: string }[]> = {
  PersistentVolumeClaim: [{ field: (spec) => str(spec.storageClassName), kind: 'StorageClass' }],
};

export function secondaryRefIds(object: RawObject): string[] {
  const spec = (object.spec ?? {}) as Record<string, unknown>;
  return (secondaryRefs[object.kind] ?? [])
    .map((ref) => {
      const name = ref.field(spec);
      if (!name) return undefined;
      return objectId(ref.kind, clusterScopedKinds.has(ref.kind) ? undefined : object.metadata.namespace, name);
    })
    .filter((id): id is string => id !== undefined);
}

function relatedHop(context: ChainContext, id: string, waiter: FluxNode): { hop: ChainHop; root: RootCause } {
  const fallbackMessage = waiter.readyMessage ?? '';
  const key = parseObjectId(id);
  const object = context.related.get(id);
  const events = latestEvents(context, id);
  if (!object) {
    const message = `${key.kind.toLowerCase()} "${key.name}" not found`;
    return {
      hop: { id, via: 'healthCheck', reason: 'NotFound', message, events },
      root: { type: 'object', id, reason: 'NotFound', message, fluxObject: waiter.id },
    };
  }
  const status = (object.status ?? {}) as Record<string, unknown>;
  const conditions = (Array.isArray(status.conditions) ? status.conditions : []) as Record<string, unknown>[];
  const failing = conditions.find((c) => c.status === 'False' && c.type !== 'Progressing') ?? conditions.find((c) => c.status === 'False');
  const reason = str(status.phase) ?? str(failing?.reason) ?? 'NotReady';
  const missingSecondary = secondaryRefIds(object).find((ref) => context.relatedMissing.has(ref));
  const warning = events.find((e) => e.type === 'Warning');
  const message = missingSecondary
    ? `${parseObjectId(missingSecondary).kind.toLowerCase()} "${parseObjectId(missingSecondary).name}" not found`
    : (warning?.message ?? str(failing?.message) ?? fallbackMessage);
  return {
    hop: { id, via: 'healthCheck', reason, message, events },
    root: { type: 'object', id, reason, message, fluxObject: waiter.id },
  };
}

function selfRoot(node: FluxNode, staleDetail: string | undefined): RootCause {
  if (node.suspended) return { type: 'suspended', id: node.id };
  const remote = remoteClusterRoot(node);
  if (remote) return remote;
  if (node.ready === 'True' && staleDetail) return { type: 'object', id: node.id, reason: 'StaleRevision', message: staleDetail };
  return {
    type: 'object',
    id: node.id,
    reason: node.readyReason ?? (node.ready === 'None' ? 'NotReconciled' : 'Unknown'),
    message: node.readyMessage ?? (node.ready === 'None' ? 'no Ready condition: the controller has not reconciled it' : ''),
  };
}

/** The chain from `start` to the first root cause: a cycle, a missing object, a suspended one, or an object failing by itself. */
export function rootCauseChain(
  context: ChainContext,
  start: FluxNode,
  staleDetails: ReadonlyMap<string, string>,
): { chain: ChainHop[]; rootCause: RootCause } {
  const chain: ChainHop[] = [nodeHop(context, start)];
  const visited = new Set<string>([start.id]);
  let current = start;
  for (;;) {
    const cycle = context.cycleOf.get(current.id);
    if (cycle) return { chain, rootCause: { type: 'cycle', cycle } };
    const next = nextBlocker(context, current);
    if (!next) return { chain, rootCause: selfRoot(current, staleDetails.get(current.id)) };
    if (next.kind === 'related') {
      const { hop, root } = relatedHop(context, next.id, current);
      chain.push(hop);
      return { chain, rootCause: root };
    }
    const target = context.graph.nodes.get(next.edge.to);
    if (!target) {
      chain.push({
        id: next.edge.to,
        via: next.edge.via,
        ...(next.edge.through ? { through: next.edge.through } : {}),
        reason: 'NotFound',
        message: 'referenced but does not exist',
        events: [],
      });
      return { chain, rootCause: { type: 'missing', id: next.edge.to, referencedBy: current.id } };
    }
    chain.push(nodeHop(context, target, next.edge));
    if (visited.has(target.id)) {
      // Only source edges are outside cycle detection, and sources wait on nothing: defensive stop.
      return { chain, rootCause: selfRoot(target, staleDetails.get(target.id)) };
    }
    visited.add(target.id);
    current = target;
  }
}
