/**
 * Fleet mode in the plan: which spokes there are, and the dependency graph's ground truth made
 * per spoke. Every spoke gets the whole app set, as Kustomizations in the hub namespace named
 * after the spoke, so each injected fault (cycle, broken root, missing dependency) exists once
 * per spoke, and every app waits for its spoke's `infrastructure` Kustomization first.
 */
import { nodeId, type GraphNode, type GraphTruth } from './graph.ts';
import { fleetSpokeNames, spokeInfrastructureName } from './fleet-options.ts';
import type { GeneratorOptions } from './options.ts';

export interface SpokesPlan {
  /** spokeNames(fleet.spokes): each is also the hub namespace holding that spoke's Flux objects. */
  names: string[];
  /** `spec.interval` of the per-spoke Kustomizations: `infrastructure`, and the apps'. */
  intervals: { infrastructure: string; apps: string };
}

/** The spokes of `options.fleet`; undefined without it (the single-cluster workload). */
export function planSpokes(options: Pick<GeneratorOptions, 'fleet'>): SpokesPlan | undefined {
  if (!options.fleet) return undefined;
  return { names: fleetSpokeNames(options.fleet), intervals: { ...options.fleet.intervals } };
}

/** `<Kind>/<namespace>/<name>` moved into the spoke's namespace: `<Kind>/<spoke>/<name>`. */
export function spokeObjectId(id: string, spoke: string): string {
  const [kind, , ...name] = id.split('/');
  return `${kind}/${spoke}/${name.join('/')}`;
}

/** Id of a spoke's `infrastructure` Kustomization. */
export function spokeInfrastructureId(spoke: string): string {
  return nodeId('Kustomization', spoke, spokeInfrastructureName);
}

/**
 * The single-cluster truth repeated per spoke: the root node (`rootId`) stays, every other node
 * is copied into each spoke's namespace with its dependencies moved there too, and each
 * Kustomization also waits for that spoke's `infrastructure` (a node of its own). Cycles,
 * broken roots and missing ids are repeated per spoke the same way; a broken root's reason
 * names its spoke.
 */
export function spokeGraph(graph: GraphTruth, rootId: string, spokes: SpokesPlan): GraphTruth {
  const root = graph.nodes.filter((n) => n.id === rootId);
  const rest = graph.nodes.filter((n) => n.id !== rootId);
  const nodes: GraphNode[] = [...root];
  for (const spoke of spokes.names) {
    const infrastructure = spokeInfrastructureId(spoke);
    nodes.push({ id: infrastructure, kind: 'Kustomization', namespace: spoke, name: spokeInfrastructureName, dependsOn: [] });
    for (const node of rest) {
      const moved = node.dependsOn.map((id) => spokeObjectId(id, spoke));
      nodes.push({
        ...node,
        id: spokeObjectId(node.id, spoke),
        namespace: spoke,
        dependsOn: node.kind === 'Kustomization' ? [infrastructure, ...moved] : moved,
      });
    }
  }
  const each = <T>(map: (spoke: string) => T[]): T[] => spokes.names.flatMap(map);
  return {
    nodes,
    cycles: each((spoke) => graph.cycles.map((cycle) => cycle.map((id) => spokeObjectId(id, spoke)))),
    brokenRoots: each((spoke) => graph.brokenRoots.map((b) => ({ id: spokeObjectId(b.id, spoke), reason: `on spoke ${spoke}: ${b.reason}` }))),
    missing: each((spoke) => graph.missing.map((id) => spokeObjectId(id, spoke))),
  };
}
