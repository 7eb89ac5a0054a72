/**
 * Dummy CustomResourceDefinitions (`workload.crds`), as flux-benchmark preinstalls 50, 250 or 500
 * of them before its Flux objects: each in its own API group under fluxbench.io, so each one is
 * one more group in the API server's discovery documents, one more group the controllers'
 * RESTMappers (kustomize-controller's and helm-controller's apply, Helm's client) learn, and one
 * more schema in the OpenAPI documents. Nothing ever creates an object of these kinds.
 *
 * The schema is the smallest a structural CRD may have (an object that keeps unknown fields)
 * unless `workload.crdSchemaSize` asks for a large one: flux-benchmark's copies each carry a
 * whole HelmRelease schema (its scripts/crd_template.yaml, 130 KB of YAML with two versions,
 * at commit e09c533), so its API server holds, converts and publishes much larger OpenAPI
 * documents; so do clusters with Crossplane providers or other operators with big CRDs.
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
 * labelled `fluxbench.io/dummy-crd: "true"`, with the minimal schema or, given `schemaBytes`
 * (`workload.crdSchemaSize`), largeSchema(schemaBytes). Throws UsageError naming `workload.crds`
 * for any other count.
 */
export function dummyCrds(count: number, schemaBytes?: number): K8sObject[] {
  if (!Number.isInteger(count) || count < 0 || count > maxCrds) {
    throw new UsageError(`workload.crds: ${count} is not a whole number from 0 to ${maxCrds.toLocaleString('en-US')}`);
  }
  // One schema object shared by every CRD: identical, as flux-benchmark's copies are, and held once in memory.
  const openAPIV3Schema = schemaBytes === undefined ? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } : largeSchema(schemaBytes);
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
          schema: { openAPIV3Schema },
        },
      ],
    },
  }));
}

/** Words for descriptions: controller-gen copies each field's Go doc comment into the schema, so real CRDs are mostly prose. */
const words = 'the field sets how often the controller reconciles this object and which source revision it applies when a dependency is not ready yet'.split(' ');

function description(index: number, length: number): string {
  const out: string[] = [`Field ${index}:`];
  let size = out[0]!.length;
  for (let w = index; size < length; w += 1) {
    const word = words[w % words.length]!;
    out.push(word);
    size += word.length + 1;
  }
  return `${out.join(' ')}.`;
}

/** One spec field as controller-gen writes them, cycling through the shapes a real API has (kept shallow: structural schemas are walked per write). */
function field(index: number): Record<string, unknown> {
  const doc = description(index, 160);
  switch (index % 6) {
    case 0:
      return { type: 'string', description: doc, enum: ['Create', 'CreateReplace', 'Skip'] };
    case 1:
      return { type: 'integer', format: 'int32', minimum: 0, maximum: 65535, description: doc };
    case 2:
      return { type: 'string', description: doc, pattern: '^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$' };
    case 3:
      return { type: 'boolean', description: doc };
    case 4:
      return {
        type: 'object',
        description: doc,
        properties: Object.fromEntries(['name', 'namespace', 'kind', 'apiVersion'].map((key, k) => [key, { type: 'string', description: description(index * 10 + k, 80), maxLength: 253 }])),
        required: ['name'],
      };
    default:
      return {
        type: 'array',
        description: doc,
        items: {
          type: 'object',
          properties: { key: { type: 'string', description: description(index * 10, 80) }, value: { type: 'string', description: description(index * 10 + 1, 80) }, optional: { type: 'boolean' } },
          required: ['key'],
        },
      };
  }
}

/**
 * A structural openAPIV3Schema of about `bytes` bytes of JSON (at least the base: apiVersion,
 * kind, metadata and a status with conditions), shaped like controller-gen's output: a `spec` of
 * fields each with a description, cycling through enums, bounded integers, patterned strings,
 * booleans, object references and lists of key/value objects. Deterministic: the same size gives
 * the same schema. Written by hand because no library generates CRD schemas of a given size.
 */
export function largeSchema(bytes: number): Record<string, unknown> {
  const properties: Record<string, unknown> = {};
  const schema = {
    type: 'object',
    description: description(0, 200),
    properties: {
      apiVersion: { type: 'string', description: description(1, 300) },
      kind: { type: 'string', description: description(2, 300) },
      metadata: { type: 'object' },
      spec: { type: 'object', description: description(3, 120), properties },
      status: {
        type: 'object',
        properties: {
          observedGeneration: { type: 'integer', format: 'int64' },
          conditions: {
            type: 'array',
            items: {
              type: 'object',
              properties: Object.fromEntries(['type', 'status', 'reason', 'message', 'lastTransitionTime'].map((key, k) => [key, { type: 'string', description: description(4 + k, 120) }])),
              required: ['type', 'status'],
            },
          },
        },
      },
    },
  };
  let size = JSON.stringify(schema).length;
  for (let i = 1; size < bytes; i += 1) {
    const name = `field${String(i).padStart(4, '0')}`;
    const value = field(i);
    properties[name] = value;
    // The field's JSON, its quoted key, the colon and a comma.
    size += JSON.stringify(value).length + name.length + 4;
  }
  return schema;
}
