/**
 * JSON merge patches of Flux objects through the API server, as `flux reconcile` and `kubectl
 * patch --type merge` send them: what flux.reconcile (an annotation) and flux.patch (a spec
 * change) share. Through the Kubernetes client, not kubectl: a kubectl process per object would
 * cost the runner a process start per object, hundreds at once on a large workload, while it
 * measures.
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { fluxResources, objectKey, type FluxKind, type FluxResource } from '../metrics/flux-objects.ts';
import { errorMessage } from '../metrics/measurement.ts';
import type { PatchedGeneration } from '../metrics/spec-patches.ts';

/** Patches in flight at once: hundreds of objects are patched within about a second, and the API server's concurrency stays the controllers'. */
const patchesInFlight = 16;
/** Objects per list page, as kubectl pages. */
const listPageSize = 500;

/**
 * Which objects: one named object (in `namespace`, default flux-system), or every object of the
 * kind in `namespace` or in all, narrowed by `matches` (a name glob's test) when given.
 */
export interface PatchTarget {
  kind: FluxKind;
  namespace?: string | undefined;
  name?: string | undefined;
  matches?: (name: string) => boolean;
}

export interface PatchOutcome {
  /** Epoch ms the body was made for: after the objects were listed, before any patch went out. */
  at: number;
  /** Each object patched, with its generation before the patch (from the list, or a GET of a named object) and after it, sorted by `<Kind>/<namespace>/<name>`. */
  patched: PatchedGeneration[];
  /** `<Kind>/<namespace>/<name>: <reason>` of each object whose patch failed (a named object that does not exist). */
  failures: string[];
}

/**
 * Sends the merge patch `bodyAt(at)` to the target's objects through the API server of
 * `kubeconfigPath` (its current context), 16 at a time. Listed objects come with their generation
 * before the patch; a named one is read first for it when `readGeneration` (one GET more).
 * Throws when listing fails; a failed patch is a failure in the outcome, the others still go out.
 * No object of the kind is an empty outcome.
 */
export async function patchFluxObjects(
  kubeconfigPath: string,
  target: PatchTarget,
  bodyAt: (at: number) => object,
  options: { readGeneration?: boolean; now?: () => number } = {},
): Promise<PatchOutcome> {
  const now = options.now ?? Date.now;
  // Loaded on demand: validation and reports load the action modules, never the client.
  const { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const resource = fluxResources.find((r) => r.kind === target.kind)!;
  const namespace = target.namespace ?? 'flux-system';
  const refs = target.name
    ? [options.readGeneration ? await namedRef(api, resource, namespace, target.name) : { namespace, name: target.name }]
    : (await listRefs(api, resource, target.namespace)).filter((ref) => target.matches?.(ref.name) ?? true);
  const at = now();
  const body = bodyAt(at);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const patched: PatchedGeneration[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < refs.length) {
      const ref = refs[next++]!;
      const object = objectKey(resource.kind, ref.namespace, ref.name);
      try {
        const answer = (await api.patchNamespacedCustomObject({ group: resource.group, version: resource.version, plural: resource.plural, namespace: ref.namespace, name: ref.name, body }, mergePatch)) as Listed;
        const generation = answer?.metadata?.generation;
        patched.push({ object, ...(ref.generation !== undefined ? { previousGeneration: ref.generation } : {}), ...(typeof generation === 'number' ? { generation } : {}) });
      } catch (err) {
        failures.push(`${object}: ${errorMessage(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(patchesInFlight, refs.length) }, worker));
  return { at, patched: patched.sort((a, b) => (a.object < b.object ? -1 : a.object > b.object ? 1 : 0)), failures: failures.sort() };
}

/**
 * The action's error when some patches failed: `<verb> 1 of 3 objects failed: <first failure>
 * (+N more)`, naming the first object and the API server's reason; undefined when none did.
 */
export function failedPatchesError(verb: string, outcome: { patched: readonly unknown[]; failures: readonly string[] }): Error | undefined {
  const { failures } = outcome;
  if (failures.length === 0) return undefined;
  const more = failures.length > 1 ? ` (+${failures.length - 1} more)` : '';
  return new Error(`${verb} ${failures.length} of ${failures.length + outcome.patched.length} objects failed: ${failures[0]}${more}`);
}

/** An object as a list or a GET gives it: only what the patches need. */
interface Listed {
  metadata?: { namespace?: string; name?: string; generation?: unknown };
}

/** An object to patch, with its generation when it was read. */
interface Ref {
  namespace: string;
  name: string;
  generation?: number;
}

const refOf = (item: Listed, namespace: string, name: string): Ref => ({
  namespace,
  name,
  ...(typeof item.metadata?.generation === 'number' ? { generation: item.metadata.generation } : {}),
});

/**
 * A named object with its generation before the patch. One that cannot be read (it does not
 * exist) is still patched, so the failure is the patch's, as flux.suspend's would be.
 */
async function namedRef(api: CustomObjectsApi, resource: FluxResource, namespace: string, name: string): Promise<Ref> {
  try {
    return refOf((await api.getNamespacedCustomObject({ group: resource.group, version: resource.version, plural: resource.plural, namespace, name })) as Listed, namespace, name);
  } catch {
    return { namespace, name };
  }
}

async function listRefs(api: CustomObjectsApi, resource: FluxResource, namespace: string | undefined): Promise<Ref[]> {
  const refs: Ref[] = [];
  let cont: string | undefined;
  do {
    const page = { group: resource.group, version: resource.version, plural: resource.plural, limit: listPageSize, ...(cont ? { _continue: cont } : {}) };
    const list = (await (namespace ? api.listNamespacedCustomObject({ ...page, namespace }) : api.listClusterCustomObject(page))) as {
      items?: Listed[];
      metadata?: { continue?: string; _continue?: string };
    };
    for (const item of list.items ?? []) {
      if (item.metadata?.name) refs.push(refOf(item, item.metadata.namespace ?? '', item.metadata.name));
    }
    cont = list.metadata?._continue ?? list.metadata?.continue;
  } while (cont);
  return refs;
}
