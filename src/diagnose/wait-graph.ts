import { isApplierKind } from './kinds.ts';
import { objectId } from './state.ts';
import type { FluxState, RawObject } from './state.ts';
import { toFluxNode } from './node.ts';
import type { EdgeVia, FluxNode } from './node.ts';

export interface WaitEdge {
  from: string;
  to: string;
  via: EdgeVia;
  /** For `needs`: the ConfigMap/Secret id that `to` produces and `from` reads. */
  through?: string;
}

/**
 * Who waits on whom. An edge from → to means `from` cannot become Ready before `to` is:
 * dependsOn, the source it reads, an explicit health check on another Flux object, and "needs"
 * (it reads a ConfigMap/Secret that `to` creates).
 */
export interface WaitGraph {
  nodes: Map<string, FluxNode>;
  edges: WaitEdge[];
  /** Edges by `from`. */
  out: Map<string, WaitEdge[]>;
  /** Ids of ConfigMaps/Secrets → the Flux object that creates them. */
  producers: Map<string, string>;
}

function producerFromLabels(object: RawObject): string | undefined {
  const labels = object.metadata.labels ?? {};
  const helmName = labels['helm.toolkit.fluxcd.io/name'];
  const helmNs = labels['helm.toolkit.fluxcd.io/namespace'];
  if (helmName && helmNs) return objectId('HelmRelease', helmNs, helmName);
  const ksName = labels['kustomize.toolkit.fluxcd.io/name'];
  const ksNs = labels['kustomize.toolkit.fluxcd.io/namespace'];
  if (ksName && ksNs) return objectId('Kustomization', ksNs, ksName);
  return undefined;
}

export function buildWaitGraph(state: FluxState): WaitGraph {
  const nodes = new Map<string, FluxNode>();
  for (const object of state.objects) {
    const node = toFluxNode(object, state.events);
    nodes.set(node.id, node);
  }

  const producers = new Map<string, string>(Object.entries(state.producerHints ?? {}));
  for (const object of state.related) {
    if (object.kind !== 'ConfigMap' && object.kind !== 'Secret') continue;
    const producer = producerFromLabels(object);
    if (producer) producers.set(objectId(object.kind, object.metadata.namespace, object.metadata.name), producer);
  }
  // The inventory is authoritative over labels when both exist.
  for (const node of nodes.values()) {
    for (const entry of node.inventory) {
      if (entry.kind === 'ConfigMap' || entry.kind === 'Secret') producers.set(entry.id, node.id);
    }
  }

  const edges: WaitEdge[] = [];
  const seen = new Set<string>();
  const add = (edge: WaitEdge): void => {
    const key = `${edge.from}\u0000${edge.to}\u0000${edge.via}`;
    if (seen.has(key)) return;
    seen.add(key);
    edges.push(edge);
  };
  for (const node of [...nodes.values()].sort((a, b) => (a.id < b.id ? -1 : 1))) {
    for (const dep of node.dependsOn) add({ from: node.id, to: dep, via: 'dependsOn' });
    if (node.sourceRef) add({ from: node.id, to: node.sourceRef, via: 'source' });
    for (const check of node.healthChecks) {
      if (isApplierKind(check.kind) && check.id !== node.id) add({ from: node.id, to: check.id, via: 'healthCheck' });
    }
    for (const ref of node.configRefs) {
      const refId = objectId(ref.kind, ref.namespace, ref.name);
      const producer = producers.get(refId);
      // An object that creates what it reads is not waiting on anyone.
      if (producer && producer !== node.id) add({ from: node.id, to: producer, via: 'needs', through: refId });
    }
  }

  const out = new Map<string, WaitEdge[]>();
  for (const edge of edges) {
    const list = out.get(edge.from);
    if (list) list.push(edge);
    else out.set(edge.from, [edge]);
  }
  return { nodes, edges, out, producers };
}

/** The adjacency that can deadlock: waits between Kustomizations and HelmReleases. */
export function applierAdjacency(graph: WaitGraph): Map<string, string[]> {
  const adjacency = new Map<string, string[]>();
  for (const node of graph.nodes.values()) {
    if (isApplierKind(node.kind)) adjacency.set(node.id, []);
  }
  for (const edge of graph.edges) {
    if (edge.via === 'source') continue;
    const targets = adjacency.get(edge.from);
    if (targets && adjacency.has(edge.to) && !targets.includes(edge.to)) targets.push(edge.to);
  }
  return adjacency;
}
