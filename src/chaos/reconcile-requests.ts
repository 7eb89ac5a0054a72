/**
 * What flux.reconcile does against the API server, as `flux reconcile` does it: a JSON merge
 * patch setting `reconcile.fluxcd.io/requestedAt` to the time of the request on each object.
 * It goes through the Kubernetes client, not kubectl: a kubectl process per object would cost
 * the runner a process start per object, hundreds at once on a large workload, while it measures.
 */
import type { CustomObjectsApi } from '@kubernetes/client-node';
import { fluxResources, objectKey, type FluxKind, type FluxResource } from '../metrics/flux-objects.ts';
import { errorMessage } from '../metrics/measurement.ts';
import { reconcileRequestAnnotation } from '../metrics/reconcile-requests.ts';

/**
 * The kinds flux.reconcile takes: those the watches observe (GitRepository, OCIRepository,
 * Kustomization, HelmRelease), since a request on any other kind could never be seen handled.
 */
export const reconcilableKinds = fluxResources.map((resource) => resource.kind) as [FluxKind, ...FluxKind[]];

/** Patches in flight at once: hundreds of objects are annotated within about a second, and the API server's concurrency stays the controllers'. */
const patchesInFlight = 16;
/** Objects per list page, as kubectl pages. */
const listPageSize = 500;

/**
 * Go's `time.RFC3339Nano` of an instant (epoch ms) in UTC, the value `flux reconcile` writes:
 * `2026-01-02T03:04:05.12Z`, the fraction's trailing zeros dropped and no fraction at a whole
 * second. Milliseconds are all a JavaScript clock gives; controllers compare the value as text.
 */
export function reconcileRequestValue(epochMs: number): string {
  const iso = new Date(epochMs).toISOString();
  const fraction = iso.slice(20, 23).replace(/0+$/, '');
  return `${iso.slice(0, 19)}${fraction ? `.${fraction}` : ''}Z`;
}

/** The merge patch of one request: only the annotation, as the flux CLI's patch holds. */
export function reconcileRequestPatch(requestedAt: string): { metadata: { annotations: Record<string, string> } } {
  return { metadata: { annotations: { [reconcileRequestAnnotation]: requestedAt } } };
}

/** Which objects: one named object (in `namespace`, default flux-system), or every object of the kind in `namespace` or in all. */
export interface ReconcileTarget {
  kind: FluxKind;
  namespace?: string | undefined;
  name?: string | undefined;
}

export interface ReconcileOutcome {
  /** Epoch ms of the request: when `requestedAt` was taken, after the objects were listed and before any patch. */
  at: number;
  requestedAt: string;
  /** `<Kind>/<namespace>/<name>` of each object annotated. */
  patched: string[];
  /** `<Kind>/<namespace>/<name>: <reason>` of each object whose patch failed (a named object that does not exist). */
  failures: string[];
}

/**
 * Annotates the target's objects through the API server of `kubeconfigPath` (its current
 * context). Throws when listing fails; a failed patch is a failure in the outcome, the others
 * still go out. No object of the kind is an empty outcome, as flux.suspend does nothing then.
 */
export async function requestReconcile(kubeconfigPath: string, target: ReconcileTarget, now: () => number = Date.now): Promise<ReconcileOutcome> {
  // Loaded on demand: validation and reports load the action modules, never the client.
  const { CustomObjectsApi, KubeConfig, PatchStrategy, setHeaderOptions } = await import('@kubernetes/client-node');
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromFile(kubeconfigPath);
  const api = kubeConfig.makeApiClient(CustomObjectsApi);
  const resource = fluxResources.find((r) => r.kind === target.kind)!;
  const refs = target.name ? [{ namespace: target.namespace ?? 'flux-system', name: target.name }] : await listRefs(api, resource, target.namespace);
  const at = now();
  const requestedAt = reconcileRequestValue(at);
  const body = reconcileRequestPatch(requestedAt);
  const mergePatch = setHeaderOptions('Content-Type', PatchStrategy.MergePatch);
  const patched: string[] = [];
  const failures: string[] = [];
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < refs.length) {
      const ref = refs[next++]!;
      const key = objectKey(resource.kind, ref.namespace, ref.name);
      try {
        await api.patchNamespacedCustomObject({ group: resource.group, version: resource.version, plural: resource.plural, ...ref, body }, mergePatch);
        patched.push(key);
      } catch (err) {
        failures.push(`${key}: ${errorMessage(err)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(patchesInFlight, refs.length) }, worker));
  return { at, requestedAt, patched: patched.sort(), failures: failures.sort() };
}

async function listRefs(api: CustomObjectsApi, resource: FluxResource, namespace: string | undefined): Promise<Array<{ namespace: string; name: string }>> {
  const refs: Array<{ namespace: string; name: string }> = [];
  let cont: string | undefined;
  do {
    const page = { group: resource.group, version: resource.version, plural: resource.plural, limit: listPageSize, ...(cont ? { _continue: cont } : {}) };
    const list = (await (namespace ? api.listNamespacedCustomObject({ ...page, namespace }) : api.listClusterCustomObject(page))) as {
      items?: Array<{ metadata?: { namespace?: string; name?: string } }>;
      metadata?: { continue?: string; _continue?: string };
    };
    for (const item of list.items ?? []) {
      if (item.metadata?.name) refs.push({ namespace: item.metadata.namespace ?? '', name: item.metadata.name });
    }
    cont = list.metadata?._continue ?? list.metadata?.continue;
  } while (cont);
  return refs;
}
