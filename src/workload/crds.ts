/**
 * Dummy CustomResourceDefinitions (`workload.crds`), as flux-benchmark preinstalls 50, 250 or 500
 * of them before its Flux objects: each in its own API group under fluxbench.io, so each one is
 * one more group in the API server's discovery documents, one more group the controllers'
 * RESTMappers (kustomize-controller's and helm-controller's apply, Helm's client) learn, and one
 * more schema in the OpenAPI documents. Nothing ever creates an object of these kinds.
 *
 * The schema is the smallest a structural CRD may have (an object that keeps unknown fields):
 * flux-benchmark's copies carry a whole HelmRelease schema each, so its OpenAPI documents are
 * much larger than these.
 */
import { UsageError } from '../util/exit-codes.ts';
import type { K8sObject } from './manifests.ts';
import { maxCrds } from './options.ts';

/** The label on every dummy CRD (value "true"): what a run applies, waits for and removes. */
export const dummyCrdLabel = 'fluxbench.io/dummy-crd';
/** Every dummy CRD's group is `d<NNNN>.<dummyCrdGroupSuffix>`. */
export const dummyCrdGroupSuffix = 'crds.fluxbench.io';
const plural = 'dummies';

/**
 * The API group of dummy CRD `index` (1-based): `d0001.crds.fluxbench.io`. Four digits whatever
 * the count, so the same CRD has the same name in every run (a second run on a borrowed cluster
 * re-applies rather than adds).
 */
export function dummyCrdGroup(index: number): string {
  return `d${String(index).padStart(4, '0')}.${dummyCrdGroupSuffix}`;
}

/** The CRD's name as the API server requires it: `<plural>.<group>`, e.g. `dummies.d0001.crds.fluxbench.io`. */
export function dummyCrdName(index: number): string {
  return `${plural}.${dummyCrdGroup(index)}`;
}

/**
 * `count` dummy CRDs (0 to maxCrds): kind Dummy, namespaced, one version v1 served and stored,
 * labelled `fluxbench.io/dummy-crd: "true"`. Throws UsageError naming `workload.crds` for any
 * other count.
 */
export function dummyCrds(count: number): K8sObject[] {
  if (!Number.isInteger(count) || count < 0 || count > maxCrds) {
    throw new UsageError(`workload.crds: ${count} is not a whole number from 0 to ${maxCrds.toLocaleString('en-US')}`);
  }
  return Array.from({ length: count }, (_, i) => ({
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: dummyCrdName(i + 1), labels: { [dummyCrdLabel]: 'true', 'app.kubernetes.io/managed-by': 'fluxbench' } },
    spec: {
      group: dummyCrdGroup(i + 1),
      names: { kind: 'Dummy', listKind: 'DummyList', plural, singular: 'dummy' },
      scope: 'Namespaced',
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  }));
}
