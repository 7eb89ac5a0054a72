import { asList, asRecord, asText, conditionOf, durationMsOf, gitRepositoryDefaultTimeoutMs, helmReleaseAppliedRevision, intervalMsOf, refOf } from '../util/flux-object.ts';

/**
 * The few fields of Flux objects the lag tracker, stall detector and readiness counts read,
 * pulled out of raw API objects once, so the pure logic works on plain snapshots.
 */

export type FluxKind = 'GitRepository' | 'OCIRepository' | 'HelmChart' | 'Kustomization' | 'HelmRelease';

/**
 * The source kinds (source-controller's, with an artifact): a commit's lag is measured against a
 * GitRepository's or OCIRepository's artifact revision, and each is a `source_failing` stall while
 * it cannot fetch. A HelmChart's revision is a chart version, naming no commit, so it gives
 * readiness and stalls but no lag.
 */
export const sourceKinds: ReadonlySet<FluxKind> = new Set<FluxKind>(['GitRepository', 'OCIRepository', 'HelmChart']);

/**
 * The kinds that exist only with helm-controller: its HelmReleases (their CRD comes with it) and
 * the HelmCharts it makes for them. The runner watches them, and `flux.reconcile` and
 * `flux.patch` may target them, only when a scenario runs helm-controller.
 */
export const helmControllerKinds: ReadonlySet<string> = new Set<FluxKind>(['HelmRelease', 'HelmChart']);

export interface FluxResource {
  kind: FluxKind;
  group: string;
  version: string;
  plural: string;
}

export const fluxResources: readonly FluxResource[] = [
  { kind: 'GitRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'gitrepositories' },
  { kind: 'OCIRepository', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'ocirepositories' },
  // Made by helm-controller for each HelmRelease with spec.chart, reconciled by source-controller.
  { kind: 'HelmChart', group: 'source.toolkit.fluxcd.io', version: 'v1', plural: 'helmcharts' },
  { kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', version: 'v1', plural: 'kustomizations' },
  { kind: 'HelmRelease', group: 'helm.toolkit.fluxcd.io', version: 'v2', plural: 'helmreleases' },
];

export function resourcePath(resource: FluxResource): string {
  return `/apis/${resource.group}/${resource.version}/${resource.plural}`;
}

export interface ReadyCondition {
  status: 'True' | 'False' | 'Unknown';
  reason?: string;
  message?: string;
}

export interface FluxObjectSnapshot {
  kind: FluxKind;
  namespace: string;
  name: string;
  /** `<Kind>/<namespace>/<name>`, the `object` label of lag and stall samples. */
  key: string;
  /** GitRepository: `<owner>/<repo>` from spec.url; OCIRepository: the repository path of spec.url. */
  repo?: string;
  /** Kustomization/HelmRelease: key of the GitRepository or OCIRepository it reads from, when it reads from one. */
  sourceKey?: string;
  /** GitRepository: status.artifact.revision (`main@sha1:<sha>`); OCIRepository: `<tag>@sha256:<digest>`; HelmChart: the chart version. */
  artifactRevision?: string;
  /** Kustomization: status.lastAppliedRevision; HelmRelease: the deployed chart version. */
  appliedRevision?: string;
  lastAttemptedRevision?: string;
  ready?: ReadyCondition;
  /** The Reconciling condition is True: a reconcile is in progress (Progressing, or ProgressingWithRetry after a failure). */
  reconciling?: boolean;
  /** Keys of the objects named in spec.dependsOn. */
  dependsOn: string[];
  suspended: boolean;
  /** spec.interval in ms, when set and parseable. */
  intervalMs?: number;
  /** GitRepository: spec.timeout in ms (Flux's default, 60 s, when unset), the bound of one clone. */
  timeoutMs?: number;
  /** metadata.creationTimestamp in ms (second precision). */
  createdAt?: number;
  /** status.lastHandledReconcileAt: the `reconcile.fluxcd.io/requestedAt` value the controller last reconciled after. */
  lastHandledReconcileAt?: string;
  /** metadata.generation: bumped by the API server at every change of the spec. */
  generation?: number;
  /** status.observedGeneration: the generation the controller last finished reconciling. */
  observedGeneration?: number;
}

export function objectKey(kind: string, namespace: string, name: string): string {
  return `${kind}/${namespace}/${name}`;
}

/**
 * `https://127.0.0.1:8443/acme/app-1.git`, `ssh://git@host/acme/app-1`, `git@host:acme/app-1.git`
 * → `acme/app-1` (the last two path segments, without `.git`).
 */
export function repoFromUrl(url: string): string | undefined {
  const path = url.replace(/^[a-z+]+:\/\/[^/]*/i, '').replace(/^[^@/]+@[^:]+:/, '');
  const segments = path.replace(/\.git\/?$/, '').replace(/\/+$/, '').split('/').filter(Boolean);
  if (segments.length < 2) return undefined;
  return `${segments[segments.length - 2]}/${segments[segments.length - 1]}`;
}

/** `oci://127.0.0.1:5000/acme/apps/app-1[:tag]` → `acme/apps/app-1`: the repository inside the registry. */
export function ociRepositoryFromUrl(url: string): string | undefined {
  const match = /^oci:\/\/[^/]+\/([^:@]+)/i.exec(url.trim());
  const path = match?.[1]?.replace(/\/+$/, '');
  return path || undefined;
}

/** Hex runs of 7 to 64 characters in a revision (`main@sha1:<sha>`, `main/<sha>`, `1.0.0+<sha12>`), lower-cased. */
export function revisionShaTokens(revision: string): string[] {
  return revision.match(/(?<![0-9a-f])[0-9a-f]{7,64}(?![0-9a-f])/gi)?.map((t) => t.toLowerCase()) ?? [];
}

/**
 * Whether a Flux revision names the commit `sha`. Helm chart versions built with
 * reconcileStrategy Revision carry only a 12-character prefix, so prefixes match.
 */
export function revisionMatchesSha(revision: string | undefined, sha: string): boolean {
  if (!revision) return false;
  const wanted = sha.toLowerCase();
  return revisionShaTokens(revision).some((token) => wanted.startsWith(token) || token.startsWith(wanted));
}

/** Whether two revisions name the same commit; undefined when either carries no commit id. */
export function sameCommit(a: string, b: string): boolean | undefined {
  const left = revisionShaTokens(a);
  const right = revisionShaTokens(b);
  if (left.length === 0 || right.length === 0) return undefined;
  return left.some((x) => right.some((y) => x.startsWith(y) || y.startsWith(x)));
}

/** Builds a snapshot from a raw API object of the given kind. */
export function toSnapshot(kind: FluxKind, raw: unknown): FluxObjectSnapshot {
  const obj = asRecord(raw);
  const metadata = asRecord(obj.metadata);
  const spec = asRecord(obj.spec);
  const status = asRecord(obj.status);
  const namespace = asText(metadata.namespace) ?? '';
  const name = asText(metadata.name) ?? '';
  const snapshot: FluxObjectSnapshot = {
    kind,
    namespace,
    name,
    key: objectKey(kind, namespace, name),
    dependsOn: [],
    suspended: spec.suspend === true,
  };
  const created = Date.parse(asText(metadata.creationTimestamp) ?? '');
  if (Number.isFinite(created)) snapshot.createdAt = created;
  const intervalMs = intervalMsOf(spec);
  if (asText(spec.interval)) snapshot.intervalMs = intervalMs;
  const ready = conditionOf(status, 'Ready');
  if (ready) snapshot.ready = { status: ready.status, reason: ready.reason, message: ready.message };
  if (conditionOf(status, 'Reconciling')?.status === 'True') snapshot.reconciling = true;
  const handled = asText(status.lastHandledReconcileAt);
  if (handled) snapshot.lastHandledReconcileAt = handled;
  if (typeof metadata.generation === 'number') snapshot.generation = metadata.generation;
  if (typeof status.observedGeneration === 'number') snapshot.observedGeneration = status.observedGeneration;

  const sourceRefFrom = (value: unknown): void => {
    const ref = refOf(value, namespace);
    if (ref?.kind && sourceKinds.has(ref.kind as FluxKind)) snapshot.sourceKey = objectKey(ref.kind, ref.namespace, ref.name);
  };

  if (kind === 'GitRepository') {
    const url = asText(spec.url);
    if (url) snapshot.repo = repoFromUrl(url);
    snapshot.timeoutMs = durationMsOf(spec.timeout) ?? gitRepositoryDefaultTimeoutMs;
    snapshot.artifactRevision = asText(asRecord(status.artifact).revision);
  } else if (kind === 'OCIRepository') {
    const url = asText(spec.url);
    if (url) snapshot.repo = ociRepositoryFromUrl(url);
    snapshot.artifactRevision = asText(asRecord(status.artifact).revision);
  } else if (kind === 'HelmChart') {
    snapshot.artifactRevision = asText(asRecord(status.artifact).revision);
  } else if (kind === 'Kustomization') {
    sourceRefFrom(spec.sourceRef);
    snapshot.appliedRevision = asText(status.lastAppliedRevision);
    snapshot.lastAttemptedRevision = asText(status.lastAttemptedRevision);
  } else {
    // spec.chart.spec.sourceRef builds a HelmChart; spec.chartRef names the source directly (an OCI chart).
    sourceRefFrom(asRecord(asRecord(spec.chart).spec).sourceRef ?? spec.chartRef);
    snapshot.appliedRevision = helmReleaseAppliedRevision(status);
    snapshot.lastAttemptedRevision = asText(status.lastAttemptedRevision);
  }

  for (const dep of asList(spec.dependsOn)) {
    const ref = refOf(dep, namespace);
    if (ref) snapshot.dependsOn.push(objectKey(kind, ref.namespace, ref.name));
  }
  return snapshot;
}
