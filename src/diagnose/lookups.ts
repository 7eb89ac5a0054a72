import { isFluxKind, wellKnownApiVersions } from './kinds.ts';
import { healthCheckCandidates, toFluxNode } from './node.ts';
import type { FluxNode } from './node.ts';
import { objectId, parseObjectId, rawObjectId } from './state.ts';
import type { FluxState } from './state.ts';

/** Something to fetch with a get: an id and the apiVersion to ask for it with. */
export interface Lookup {
  id: string;
  apiVersion: string;
}

/**
 * Flux objects referenced from the collected ones but outside the namespaces that were read:
 * fetched one by one so a dependency in another namespace is not mistaken for a missing one.
 */
export function outOfScopeReferences(state: FluxState): string[] {
  if (!state.namespaces) return [];
  const scope = new Set(state.namespaces);
  const known = new Set(state.objects.map(rawObjectId));
  const wanted = new Set<string>();
  for (const node of state.objects.map((object) => toFluxNode(object, state.events))) {
    for (const id of [...node.dependsOn, ...(node.sourceRef ? [node.sourceRef] : []), ...node.healthChecks.map((h) => h.id)]) {
      const key = parseObjectId(id);
      if (!isFluxKind(key.kind) || known.has(id)) continue;
      if (key.namespace && !scope.has(key.namespace)) wanted.add(id);
    }
  }
  return [...wanted].sort();
}

function apiVersionFor(node: FluxNode, id: string): string | undefined {
  return (
    node.inventory.find((entry) => entry.id === id)?.apiVersion ??
    node.healthChecks.find((check) => check.id === id)?.apiVersion ??
    wellKnownApiVersions[parseObjectId(id).kind]
  );
}

/**
 * Non-Flux objects a failure points at: the objects a failing health check names, and the
 * ConfigMaps read through valuesFrom/substituteFrom whose creator the inventories do not tell.
 * Secrets are never fetched: their metadata is not worth reading secret data for.
 */
export function relatedLookups(state: FluxState): Lookup[] {
  const nodes = state.objects.map((object) => toFluxNode(object, state.events));
  const fluxIds = new Set(nodes.map((n) => n.id));
  const inInventory = new Set(nodes.flatMap((n) => n.inventory.map((entry) => entry.id)));
  const lookups = new Map<string, Lookup>();
  for (const node of nodes) {
    // ConfigMap creators matter for every object (a cycle can form while all are still Ready).
    for (const ref of node.configRefs) {
      const id = objectId(ref.kind, ref.namespace, ref.name);
      if (ref.kind === 'ConfigMap' && !inInventory.has(id) && !state.producerHints?.[id]) lookups.set(id, { id, apiVersion: 'v1' });
    }
    if (node.suspended || node.ready === 'True') continue;
    for (const id of healthCheckCandidates(node)) {
      if (fluxIds.has(id)) continue;
      const apiVersion = apiVersionFor(node, id);
      if (apiVersion) lookups.set(id, { id, apiVersion });
    }
  }
  return [...lookups.values()].sort((a, b) => (a.id < b.id ? -1 : 1));
}
