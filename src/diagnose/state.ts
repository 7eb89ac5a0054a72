/**
 * The raw cluster state diagnosis works on: Flux objects and the few other objects and events
 * their failures point at, as the API server returned them. It is plain JSON so a state can be
 * saved, replayed and built by hand in tests without a cluster.
 */

export interface RawObjectMeta {
  name: string;
  namespace?: string;
  generation?: number;
  creationTimestamp?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
}

export interface RawObject {
  apiVersion: string;
  kind: string;
  metadata: RawObjectMeta;
  spec?: Record<string, unknown>;
  status?: Record<string, unknown>;
}

/** A core v1 Event reduced to what a diagnosis shows. */
export interface EventRecord {
  kind: string;
  namespace: string;
  name: string;
  type: string;
  reason: string;
  message: string;
  /** ISO time of the latest occurrence. */
  time: string;
  count: number;
}

export interface FluxState {
  /** ISO time the state was read. */
  collectedAt: string;
  /** kubeconfig context it was read from, when known. */
  context?: string;
  /** Namespaces read; undefined means all. */
  namespaces?: string[];
  /** Kustomizations, HelmReleases and Flux sources. */
  objects: RawObject[];
  /** Non-Flux objects a failure points at (health-checked objects, their StorageClass, ConfigMaps). */
  related: RawObject[];
  /** Ids (see objectId) of related objects that were looked up and do not exist. */
  relatedMissing: string[];
  events: EventRecord[];
  /** What could not be read and was skipped (a CRD not installed, a forbidden list). */
  notes: string[];
  /**
   * Who creates which ConfigMap/Secret (`ConfigMap/ns/name` → `Kind/ns/name`), as known outside
   * the cluster (the generated repos): before anything was applied, no inventory or label says it.
   */
  producerHints?: Record<string, string>;
}

/** `Kind/namespace/name`, or `Kind/name` for cluster-scoped objects. */
export function objectId(kind: string, namespace: string | undefined, name: string): string {
  return namespace ? `${kind}/${namespace}/${name}` : `${kind}/${name}`;
}

export interface ObjectKey {
  kind: string;
  namespace?: string;
  name: string;
}

export function parseObjectId(id: string): ObjectKey {
  const parts = id.split('/');
  if (parts.length === 3) return { kind: parts[0]!, namespace: parts[1]!, name: parts[2]! };
  if (parts.length === 2) return { kind: parts[0]!, name: parts[1]! };
  throw new Error(`invalid object id "${id}": expected Kind/namespace/name or Kind/name`);
}

export function rawObjectId(object: RawObject): string {
  return objectId(object.kind, object.metadata.namespace, object.metadata.name);
}

/** An empty state, the starting point for collection and for test fixtures. */
export function emptyFluxState(collectedAt: string): FluxState {
  return { collectedAt, objects: [], related: [], relatedMissing: [], events: [], notes: [] };
}
