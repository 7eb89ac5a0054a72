import {
  asList as list,
  asRecord as record,
  asText as str,
  conditionOf as condition,
  durationMsOf,
  gitRepositoryDefaultTimeoutMs,
  helmReleaseAppliedRevision,
  intervalMsOf as intervalOf,
  timeMs,
} from '../util/flux-object.ts';
import { clusterScopedKinds, isApplierKind } from './kinds.ts';
import { pullIdentityOf, type PullIdentity } from './registry-pulls.ts';
import { isUnreachableMessage, remoteClusterOf } from './remote-clusters.ts';
import { objectId, rawObjectId } from './state.ts';
import type { EventRecord, RawObject } from './state.ts';

export type ReadyStatus = 'True' | 'False' | 'Unknown' | 'None';

/** Why one object waits on another. */
export type EdgeVia = 'dependsOn' | 'needs' | 'source' | 'healthCheck';

export interface ConfigRef {
  kind: 'ConfigMap' | 'Secret';
  namespace: string;
  name: string;
  optional: boolean;
}

export interface InventoryEntry {
  id: string;
  kind: string;
  namespace?: string;
  name: string;
  apiVersion: string;
}

export interface HealthCheckRef {
  id: string;
  kind: string;
  namespace?: string;
  name: string;
  apiVersion?: string;
}

/** A Flux object reduced to the facts diagnosis reasons about. */
export interface FluxNode {
  id: string;
  kind: string;
  namespace: string;
  name: string;
  suspended: boolean;
  intervalMs?: number;
  /** GitRepository: spec.timeout in ms (Flux's default, 60 s, when unset), the bound of one clone. */
  timeoutMs?: number;
  /** OCIRepository, OCI HelmRepository: the registry and the credentials it pulls with. */
  pullIdentity?: PullIdentity;
  /** Remote-cluster mode: `Secret/<ns>/<name>` of spec.kubeConfig.secretRef (the cluster it applies to). */
  remoteCluster?: string;
  ready: ReadyStatus;
  readyReason?: string;
  readyMessage?: string;
  /** ms epoch of the Ready condition's lastTransitionTime. */
  readySinceMs?: number;
  stalled?: { reason: string; message: string };
  reconciling: boolean;
  /** ms epoch of metadata.creationTimestamp. */
  createdMs?: number;
  generation?: number;
  observedGeneration?: number;
  lastAttemptedRevision?: string;
  lastAppliedRevision?: string;
  /** Sources: the artifact they serve. */
  artifactRevision?: string;
  artifactUpdatedMs?: number;
  /** reconcile.fluxcd.io/requestedAt annotation and status.lastHandledReconcileAt. */
  requestedAt?: string;
  lastHandledReconcileAt?: string;
  dependsOn: string[];
  sourceRef?: string;
  configRefs: ConfigRef[];
  healthChecks: HealthCheckRef[];
  inventory: InventoryEntry[];
  /**
   * kustomize-controller is waiting on its health checks right now (Healthy=Unknown, reason
   * Progressing, "Running health checks for revision … with a timeout of …"): Ready says only
   * "Reconciliation in progress", so this is what tells diagnosis to look at the inventory.
   */
  healthCheckRunning?: boolean;
}

/**
 * A dependsOn entry names an object of the same kind in the same namespace unless it says
 * otherwise (newer Flux APIs accept kind/apiVersion on the reference).
 */
function dependsOnIds(owner: RawObject, spec: Record<string, unknown>): string[] {
  const ns = owner.metadata.namespace ?? '';
  return list(spec.dependsOn)
    .map(record)
    .filter((ref) => str(ref.name))
    .map((ref) => objectId(str(ref.kind) ?? owner.kind, str(ref.namespace) ?? ns, str(ref.name)!));
}

function sourceRefId(owner: RawObject, spec: Record<string, unknown>, status: Record<string, unknown>): string | undefined {
  const ns = owner.metadata.namespace ?? '';
  if (owner.kind === 'HelmRelease') {
    // The HelmChart the controller generated is what the release really waits on.
    const chart = str(status.helmChart);
    if (chart && chart.includes('/')) {
      const [chartNs, chartName] = chart.split('/');
      return objectId('HelmChart', chartNs, chartName!);
    }
    const chartRef = record(spec.chartRef);
    if (str(chartRef.kind) && str(chartRef.name)) {
      return objectId(str(chartRef.kind)!, str(chartRef.namespace) ?? ns, str(chartRef.name)!);
    }
    const chartSourceRef = record(record(record(spec.chart).spec).sourceRef);
    if (str(chartSourceRef.kind) && str(chartSourceRef.name)) {
      return objectId(str(chartSourceRef.kind)!, str(chartSourceRef.namespace) ?? ns, str(chartSourceRef.name)!);
    }
    return undefined;
  }
  const sourceRef = record(spec.sourceRef);
  if (str(sourceRef.kind) && str(sourceRef.name)) {
    return objectId(str(sourceRef.kind)!, str(sourceRef.namespace) ?? ns, str(sourceRef.name)!);
  }
  return undefined;
}

function configRefs(owner: RawObject, spec: Record<string, unknown>): ConfigRef[] {
  const ns = owner.metadata.namespace ?? '';
  const entries =
    owner.kind === 'HelmRelease'
      ? list(spec.valuesFrom)
      : owner.kind === 'Kustomization'
        ? list(record(spec.postBuild).substituteFrom)
        : [];
  const refs: ConfigRef[] = [];
  for (const entry of entries.map(record)) {
    const kind = entry.kind;
    const name = str(entry.name);
    if ((kind === 'ConfigMap' || kind === 'Secret') && name) {
      refs.push({ kind, namespace: ns, name, optional: entry.optional === true });
    }
  }
  return refs;
}

/** Parses kustomize-controller's inventory ids: `<namespace>_<name>_<group>_<kind>`. */
export function parseInventoryEntry(entry: { id?: unknown; v?: unknown }): InventoryEntry | undefined {
  const id = str(entry.id);
  if (!id) return undefined;
  const parts = id.split('_');
  if (parts.length !== 4) return undefined;
  const [namespace, name, group, kind] = parts as [string, string, string, string];
  const version = str(entry.v) ?? 'v1';
  return {
    id: objectId(kind, namespace || undefined, name),
    kind,
    ...(namespace ? { namespace } : {}),
    name,
    apiVersion: group ? `${group}/${version}` : version,
  };
}

function inventory(status: Record<string, unknown>): InventoryEntry[] {
  return list(record(status.inventory).entries)
    .map((entry) => parseInventoryEntry(record(entry)))
    .filter((entry): entry is InventoryEntry => entry !== undefined);
}

function healthChecks(owner: RawObject, spec: Record<string, unknown>): HealthCheckRef[] {
  const ns = owner.metadata.namespace ?? '';
  return list(spec.healthChecks)
    .map(record)
    .filter((ref) => str(ref.kind) && str(ref.name))
    .map((ref) => {
      const kind = str(ref.kind)!;
      const namespace = clusterScopedKinds.has(kind) ? undefined : (str(ref.namespace) ?? ns);
      const apiVersion = str(ref.apiVersion);
      return {
        id: objectId(kind, namespace, str(ref.name)!),
        kind,
        ...(namespace ? { namespace } : {}),
        name: str(ref.name)!,
        ...(apiVersion ? { apiVersion } : {}),
      };
    });
}

/** The revision an object last applied (a HelmRelease: its last release that deployed). */
function appliedRevision(owner: RawObject, status: Record<string, unknown>): string | undefined {
  return owner.kind === 'HelmRelease' ? helmReleaseAppliedRevision(status) : str(status.lastAppliedRevision);
}

/**
 * Mid-retry an object is Ready=Unknown ("Reconciliation in progress") and its status no longer
 * says why the last attempt failed; its newest Warning event still does. A health check that
 * keeps timing out spends much of its time in this state, so without the event the chain would
 * end at "Progressing" instead of at the object the health check waits on. So does an object in
 * remote-cluster mode retried often (a dependent's requeue, a new revision) while its cluster
 * is gone: seen in a fleet run, where the spoke's `infrastructure` Kustomization failed with
 * "connection refused" every 5 s and a diagnosis caught it in progress 10 times out of 10.
 */
function lastFailureWhileRetrying(node: FluxNode, events: readonly EventRecord[]): EventRecord | undefined {
  let newest: EventRecord | undefined;
  let newestNormal: EventRecord | undefined;
  for (const event of events) {
    if (event.kind !== node.kind || event.name !== node.name || event.namespace !== node.namespace) continue;
    if (event.type === 'Normal' && (!newestNormal || event.time > newestNormal.time)) newestNormal = event;
    if (event.type !== 'Warning') continue;
    if (!newest || event.time > newest.time) newest = event;
  }
  if (!newest) return undefined;
  if (newest.reason === 'HealthCheckFailed' || /health check failed|timeout waiting for/i.test(newest.message)) return newest;
  // A cluster that answered since (a spoke back, or re-created on the same address): the object
  // has applied or reconciled there after the failure, and this attempt is a fresh one.
  const answeredSince = newestNormal !== undefined && newestNormal.time > newest.time;
  return node.remoteCluster && isUnreachableMessage(newest.message) && !answeredSince ? newest : undefined;
}

/**
 * A HelmRepository of `type: oci`: source-controller (1.9 here) reconciles it once into a
 * static object, deleting its artifact and resetting its status, so it has no conditions by design.
 * Whether the registry answers shows on the HelmCharts that pull through it, not on it.
 */
function isStaticSource(object: RawObject, spec: Record<string, unknown>): boolean {
  return object.kind === 'HelmRepository' && spec.type === 'oci';
}

export function toFluxNode(object: RawObject, events: readonly EventRecord[] = []): FluxNode {
  const spec = record(object.spec);
  const status = record(object.status);
  const ready = condition(status, 'Ready');
  const stalled = condition(status, 'Stalled');
  const reconciling = condition(status, 'Reconciling');
  const artifact = record(status.artifact);
  const intervalMs = intervalOf(spec);
  const requestedAt = str(object.metadata.annotations?.['reconcile.fluxcd.io/requestedAt']);
  const node: FluxNode = {
    id: rawObjectId(object),
    kind: object.kind,
    namespace: object.metadata.namespace ?? '',
    name: object.metadata.name,
    suspended: spec.suspend === true,
    // conditionOf normalises the status; no Ready condition at all is 'None', but for a static object.
    ready: ready?.status ?? (isStaticSource(object, spec) ? 'True' : 'None'),
    reconciling: reconciling?.status === 'True',
    dependsOn: isApplierKind(object.kind) ? dependsOnIds(object, spec) : [],
    configRefs: configRefs(object, spec),
    healthChecks: healthChecks(object, spec),
    inventory: inventory(status),
  };
  if (intervalMs !== undefined) node.intervalMs = intervalMs;
  if (object.kind === 'GitRepository') node.timeoutMs = durationMsOf(spec.timeout) ?? gitRepositoryDefaultTimeoutMs;
  const pullIdentity = pullIdentityOf(object);
  if (pullIdentity) node.pullIdentity = pullIdentity;
  const remoteCluster = remoteClusterOf(object);
  if (remoteCluster) node.remoteCluster = remoteCluster;
  if (ready) {
    const { reason, message } = ready;
    const since = ready.lastTransitionMs;
    if (reason) node.readyReason = reason;
    if (message) node.readyMessage = message;
    if (since !== undefined) node.readySinceMs = since;
  }
  const lastFailure = node.ready === 'Unknown' ? lastFailureWhileRetrying(node, events) : undefined;
  if (lastFailure) {
    node.readyReason = lastFailure.reason;
    node.readyMessage = `${lastFailure.message} (last attempt, ${lastFailure.time}; retrying)`;
  }
  const healthy = condition(status, 'Healthy');
  // The first attempt has no failure event yet; for up to spec.timeout the only trace is Healthy.
  if (!lastFailure && node.ready === 'Unknown' && healthy?.status === 'Unknown' && healthy.reason === 'Progressing') {
    node.healthCheckRunning = true;
    if (healthy.message) node.readyMessage = healthy.message;
  }
  if (stalled?.status === 'True') node.stalled = { reason: stalled.reason ?? 'Stalled', message: stalled.message ?? '' };
  const created = timeMs(object.metadata.creationTimestamp);
  if (created !== undefined) node.createdMs = created;
  if (typeof object.metadata.generation === 'number') node.generation = object.metadata.generation;
  if (typeof status.observedGeneration === 'number') node.observedGeneration = status.observedGeneration;
  const attempted = str(status.lastAttemptedRevision);
  const applied = appliedRevision(object, status);
  if (attempted) node.lastAttemptedRevision = attempted;
  if (applied) node.lastAppliedRevision = applied;
  const artifactRevision = str(artifact.revision);
  if (artifactRevision) node.artifactRevision = artifactRevision;
  const artifactUpdated = timeMs(artifact.lastUpdateTime);
  if (artifactUpdated !== undefined) node.artifactUpdatedMs = artifactUpdated;
  if (requestedAt) node.requestedAt = requestedAt;
  const handled = str(status.lastHandledReconcileAt);
  if (handled) node.lastHandledReconcileAt = handled;
  const source = isApplierKind(object.kind) || object.kind === 'HelmChart' ? sourceRefId(object, spec, status) : undefined;
  if (source) node.sourceRef = source;
  return node;
}

const objectRefPattern = /\b([A-Z][A-Za-z0-9]*)\/([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?)(?:\/([a-z0-9](?:[-a-z0-9.]*[a-z0-9])?))?/g;

/**
 * Objects a failure message names as `Kind/namespace/name` (or `Kind/name` for cluster-scoped
 * kinds), as kstatus-based health checks print them: "timeout waiting for: [PersistentVolumeClaim/storage/pvc-x status: 'InProgress']".
 */
export function objectRefsInMessage(message: string): string[] {
  const ids = new Set<string>();
  for (const match of message.matchAll(objectRefPattern)) {
    const [, kind, first, second] = match as unknown as [string, string, string, string | undefined];
    if (second) ids.add(objectId(kind, first, second));
    else if (clusterScopedKinds.has(kind)) ids.add(objectId(kind, undefined, first));
  }
  return [...ids];
}

/** Kinds whose readiness kstatus judges, and so can hold a `wait: true` health check. */
const workloadKinds = new Set(['PersistentVolumeClaim', 'Deployment', 'StatefulSet', 'DaemonSet', 'ReplicaSet', 'Job', 'Pod']);

/**
 * The objects a failing health check may be waiting on. Flux's message usually names them
 * ("timeout waiting for: [PersistentVolumeClaim/ns/x ...]"), but not always: when the check
 * ends on a client error ("client rate limiter Wait returned an error"), only the inventory
 * (everything `wait: true` checks) says what to look at.
 */
export function healthCheckCandidates(node: FluxNode): string[] {
  if (!waitsOnHealthCheck(node)) return [];
  const named = objectRefsInMessage(node.readyMessage ?? '');
  if (named.length > 0) return named;
  return node.inventory.filter((entry) => workloadKinds.has(entry.kind)).map((entry) => entry.id);
}

/**
 * A health check that failed or is still running: the only states in which the inventory (or
 * the message) names the objects to look at.
 */
export function waitsOnHealthCheck(node: FluxNode): boolean {
  return (
    node.healthCheckRunning === true ||
    node.readyReason === 'HealthCheckFailed' ||
    // helm-controller's wait failures name the resource too: "resource Deployment/apps/web not ready. status: InProgress".
    /health check failed|timeout waiting for|\bnot ready\. status:/i.test(node.readyMessage ?? '')
  );
}
