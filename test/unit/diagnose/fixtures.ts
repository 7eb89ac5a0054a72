/**
 * Builds realistic Flux cluster state from a dependency graph in the workload generator's
 * graph.json shape, with statuses as the controllers set them: dependencies are checked first
 * (DependencyNotReady), then ConfigMaps read through valuesFrom/substituteFrom, then the
 * object's own failure.
 */
import { emptyFluxState, objectId, parseObjectId } from '../../../src/diagnose/index.ts';
import type { EventRecord, FluxState, RawObject } from '../../../src/diagnose/index.ts';

export interface GraphNode {
  id: string;
  kind: string;
  namespace: string;
  name: string;
  dependsOn: string[];
}

export interface GraphSpec {
  nodes: GraphNode[];
  cycles: string[][];
  brokenRoots: { id: string; reason: string }[];
  missing: string[];
}

export interface FixtureOptions {
  now: Date;
  /** How long ago every Ready condition last changed. */
  transitionAgoMs?: number;
  /**
   * Where cross-kind "needs" are known from: `live` puts the ConfigMap in the producer's inventory
   * (or labels it as Helm's) as if it had been applied once; `hints` passes them as producer hints.
   */
  producers?: 'live' | 'hints';
}

export const revision = 'main@sha1:0123456789abcdef0123456789abcdef01234567';
export const chartVersion = '1.0.0';

const groups: Record<string, string> = {
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
  HelmRelease: 'helm.toolkit.fluxcd.io/v2',
};

function node(nodeId: string, spec: GraphSpec): GraphNode | undefined {
  return spec.nodes.find((n) => n.id === nodeId);
}

/** ConfigMap a cross-kind edge goes through: created by `producer` in the reader's namespace. */
export function needsConfigMap(reader: GraphNode, producer: GraphNode): string {
  return objectId('ConfigMap', reader.namespace, `needs-${producer.kind.toLowerCase()}-${producer.namespace}-${producer.name}`);
}

/** HelmRelease → Kustomization: the release reads a ConfigMap the Kustomization creates. */
function isNeedsEdge(reader: GraphNode, target: string, spec: GraphSpec): boolean {
  const producer = node(target, spec);
  return producer !== undefined && reader.kind === 'HelmRelease' && producer.kind === 'Kustomization';
}

/** Kustomization → HelmRelease: Flux's dependsOn names only Kustomizations, so it is a health check. */
function isHealthCheckEdge(reader: GraphNode, target: string, spec: GraphSpec): boolean {
  const release = node(target, spec);
  return release !== undefined && reader.kind === 'Kustomization' && release.kind === 'HelmRelease';
}

function isDependsOnEdge(reader: GraphNode, target: string, spec: GraphSpec): boolean {
  return !isNeedsEdge(reader, target, spec) && !isHealthCheckEdge(reader, target, spec);
}

/** Broken-root reasons as the workload generator writes them ("PersistentVolumeClaim ... StorageClass ...") map to a failed health check. */
function brokenReason(reason: string): string {
  return /PersistentVolumeClaim|StorageClass/.test(reason) ? 'HealthCheckFailed' : reason;
}

function condition(type: string, status: string, reason: string, message: string, time: string) {
  return { type, status, reason, message, lastTransitionTime: time, observedGeneration: 1 };
}

/** Fixpoint of Flux semantics: what is applied (its ConfigMaps exist) and what is Ready. */
export function simulate(spec: GraphSpec): { ready: Set<string>; applied: Set<string>; depsOk: Set<string> } {
  const broken = new Map(spec.brokenRoots.map((b) => [b.id, brokenReason(b.reason)]));
  const ready = new Set<string>();
  const applied = new Set<string>();
  const depsOk = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const n of spec.nodes) {
      const canApply = n.dependsOn.every((d) => (isNeedsEdge(n, d, spec) ? applied.has(d) : isHealthCheckEdge(n, d, spec) ? true : ready.has(d)));
      const ok = canApply && n.dependsOn.every((d) => !isHealthCheckEdge(n, d, spec) || ready.has(d));
      if (ok && !depsOk.has(n.id)) {
        depsOk.add(n.id);
        changed = true;
      }
      const reason = broken.get(n.id);
      if (canApply && (reason === undefined || reason === 'HealthCheckFailed') && !applied.has(n.id)) {
        applied.add(n.id);
        changed = true;
      }
      if (ok && reason === undefined && !ready.has(n.id)) {
        ready.add(n.id);
        changed = true;
      }
    }
  }
  return { ready, applied, depsOk };
}

function brokenMessage(reason: string, n: GraphNode): string {
  switch (reason) {
    case 'HealthCheckFailed':
      return `health check failed after 5m0.002s: timeout waiting for: [PersistentVolumeClaim/${n.namespace}/pvc-${n.name} status: 'InProgress']`;
    case 'BuildFailed':
      return `kustomize build failed: accumulating resources: accumulation err='accumulating resources from './missing': no such file or directory'`;
    case 'ArtifactFailed':
      return 'Source artifact not found, retrying in 30s';
    case 'InstallFailed':
      return `Helm install failed for release ${n.namespace}/${n.name} with chart app@${chartVersion}: context deadline exceeded`;
    default:
      return `${reason}: reconciliation failed`;
  }
}

export function buildFluxState(spec: GraphSpec, options: FixtureOptions): FluxState {
  const now = options.now;
  const transition = new Date(now.getTime() - (options.transitionAgoMs ?? 3_600_000)).toISOString();
  const created = new Date(now.getTime() - 7_200_000).toISOString();
  const state = emptyFluxState(now.toISOString());
  const { ready, applied } = simulate(spec);
  const broken = new Map(spec.brokenRoots.map((b) => [b.id, brokenReason(b.reason)]));
  const hints: Record<string, string> = {};

  state.objects.push({
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: 'repo', namespace: 'flux-system', generation: 1, creationTimestamp: created },
    spec: { interval: '1m', url: 'http://127.0.0.1:1/org/repo.git' },
    status: {
      observedGeneration: 1,
      artifact: artifact(revision, transition),
      conditions: [condition('Ready', 'True', 'Succeeded', `stored artifact for revision '${revision}'`, transition)],
    },
  });

  if (spec.nodes.some((n) => n.kind === 'HelmRelease')) {
    state.objects.push({
      apiVersion: 'source.toolkit.fluxcd.io/v1',
      kind: 'HelmRepository',
      metadata: { name: 'charts', namespace: 'flux-system', generation: 1, creationTimestamp: created },
      spec: { interval: '10m', url: 'http://127.0.0.1:1/charts' },
      status: {
        observedGeneration: 1,
        artifact: artifact('sha256:11', transition),
        conditions: [condition('Ready', 'True', 'Succeeded', 'stored artifact: revision sha256:11', transition)],
      },
    });
  }

  // ConfigMaps each producer creates, and how each reader reads them.
  const produced = new Map<string, string[]>();
  for (const n of spec.nodes) {
    for (const target of n.dependsOn) {
      if (!isNeedsEdge(n, target, spec)) continue;
      const producer = node(target, spec)!;
      const cm = needsConfigMap(n, producer);
      produced.set(producer.id, [...(produced.get(producer.id) ?? []), cm]);
      if (options.producers === 'hints' || !applied.has(producer.id)) hints[cm] = producer.id;
    }
  }

  for (const n of spec.nodes) {
    const dependsOn = n.dependsOn
      .filter((d) => isDependsOnEdge(n, d, spec))
      .map((d) => {
        const key = parseObjectId(d);
        return {
          name: key.name,
          ...(key.namespace !== n.namespace ? { namespace: key.namespace } : {}),
          ...(key.kind !== n.kind ? { kind: key.kind } : {}),
        };
      });
    const needs = n.dependsOn.filter((d) => isNeedsEdge(n, d, spec)).map((d) => needsConfigMap(n, node(d, spec)!));
    const configRefs = needs.map((cm) => ({ kind: 'ConfigMap', name: parseObjectId(cm).name }));
    const releaseChecks = n.dependsOn.filter((d) => isHealthCheckEdge(n, d, spec));
    const healthChecks = releaseChecks.map((d) => {
      const key = parseObjectId(d);
      return { apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: key.name, namespace: key.namespace };
    });

    // The status the controller would have written, checks in the controller's order.
    let readyCondition: ReturnType<typeof condition>;
    const firstBadDep = n.dependsOn.find((d) => isDependsOnEdge(n, d, spec) && !ready.has(d));
    const firstMissingCm = n.dependsOn.find((d) => isNeedsEdge(n, d, spec) && !applied.has(d));
    const unreadyChecks = releaseChecks.filter((d) => !ready.has(d));
    if (firstBadDep !== undefined) {
      const key = parseObjectId(firstBadDep);
      const exists = node(firstBadDep, spec) !== undefined;
      const message = exists
        ? `dependency '${key.namespace}/${key.name}' is not ready`
        : `unable to get '${key.namespace}/${key.name}' dependency: ${n.kind === 'Kustomization' ? 'kustomizations.kustomize.toolkit.fluxcd.io' : 'helmreleases.helm.toolkit.fluxcd.io'} "${key.name}" not found`;
      readyCondition = condition('Ready', 'False', 'DependencyNotReady', message, transition);
    } else if (firstMissingCm !== undefined) {
      const cm = parseObjectId(needsConfigMap(n, node(firstMissingCm, spec)!));
      readyCondition =
        n.kind === 'HelmRelease'
          ? condition('Ready', 'False', 'InitFailed', `could not resolve ConfigMap chart values reference '${cm.namespace}/${cm.name}' with key 'values.yaml': configmaps "${cm.name}" not found`, transition)
          : condition('Ready', 'False', 'BuildFailed', `substitute from 'ConfigMap/${cm.name}' error: configmaps "${cm.name}" not found`, transition);
    } else if (broken.has(n.id)) {
      const reason = broken.get(n.id)!;
      readyCondition = condition('Ready', 'False', reason, brokenMessage(reason, n), transition);
    } else if (unreadyChecks.length > 0) {
      const waiting = unreadyChecks.map((d) => `${d} status: 'InProgress'`).join(', ');
      readyCondition = condition('Ready', 'False', 'HealthCheckFailed', `health check failed after 3m0.001s: timeout waiting for: [${waiting}]`, transition);
    } else {
      readyCondition = condition('Ready', 'True', 'ReconciliationSucceeded', `Applied revision: ${revision}`, transition);
    }

    const inventory =
      n.kind === 'Kustomization' && applied.has(n.id) && options.producers !== 'hints'
        ? (produced.get(n.id) ?? []).map((cm) => {
            const key = parseObjectId(cm);
            return { id: `${key.namespace}_${key.name}__ConfigMap`, v: 'v1' };
          })
        : [];
    const isReady = readyCondition.status === 'True';

    if (n.kind === 'Kustomization') {
      state.objects.push({
        apiVersion: groups.Kustomization!,
        kind: 'Kustomization',
        metadata: { name: n.name, namespace: n.namespace, generation: 1, creationTimestamp: created },
        spec: {
          interval: '5m',
          path: `./${n.name}`,
          prune: true,
          sourceRef: { kind: 'GitRepository', name: 'repo', namespace: 'flux-system' },
          ...(dependsOn.length > 0 ? { dependsOn } : {}),
          ...(configRefs.length > 0 ? { postBuild: { substituteFrom: configRefs } } : {}),
          ...(healthChecks.length > 0 ? { healthChecks } : {}),
        },
        status: {
          observedGeneration: 1,
          lastAttemptedRevision: revision,
          ...(applied.has(n.id) ? { lastAppliedRevision: revision } : {}),
          ...(inventory.length > 0 ? { inventory: { entries: inventory } } : {}),
          conditions: [readyCondition],
        },
      });
    } else {
      const chartName = `${n.namespace}-${n.name}`;
      state.objects.push({
        apiVersion: 'source.toolkit.fluxcd.io/v1',
        kind: 'HelmChart',
        metadata: { name: chartName, namespace: 'flux-system', generation: 1, creationTimestamp: created },
        spec: { chart: 'app', interval: '5m', sourceRef: { kind: 'HelmRepository', name: 'charts' } },
        status: {
          observedGeneration: 1,
          artifact: artifact(chartVersion, transition),
          conditions: [condition('Ready', 'True', 'ChartPullSucceeded', `pulled 'app' chart with version '${chartVersion}'`, transition)],
        },
      });
      state.objects.push({
        apiVersion: groups.HelmRelease!,
        kind: 'HelmRelease',
        metadata: { name: n.name, namespace: n.namespace, generation: 1, creationTimestamp: created },
        spec: {
          interval: '5m',
          chart: { spec: { chart: 'app', sourceRef: { kind: 'HelmRepository', name: 'charts', namespace: 'flux-system' } } },
          ...(dependsOn.length > 0 ? { dependsOn } : {}),
          ...(configRefs.length > 0 ? { valuesFrom: configRefs } : {}),
        },
        status: {
          observedGeneration: 1,
          helmChart: `flux-system/${chartName}`,
          lastAttemptedRevision: chartVersion,
          ...(applied.has(n.id) ? { history: [release(n, isReady ? 'deployed' : 'failed', transition)] } : {}),
          conditions: [readyCondition],
        },
      });
      if (applied.has(n.id) && options.producers !== 'hints') {
        for (const cm of produced.get(n.id) ?? []) {
          const key = parseObjectId(cm);
          state.related.push({
            apiVersion: 'v1',
            kind: 'ConfigMap',
            metadata: {
              name: key.name,
              namespace: key.namespace!,
              labels: { 'helm.toolkit.fluxcd.io/name': n.name, 'helm.toolkit.fluxcd.io/namespace': n.namespace },
            },
          });
        }
      }
    }
    state.events.push(flxEvent(n, readyCondition.status === 'True' ? 'Normal' : 'Warning', readyCondition.reason, readyCondition.message, transition));

    if (broken.get(n.id) === 'HealthCheckFailed' && firstBadDep === undefined && firstMissingCm === undefined) {
      state.related.push(pendingClaim(n.namespace, `pvc-${n.name}`, created));
      state.events.push({
        kind: 'PersistentVolumeClaim',
        namespace: n.namespace,
        name: `pvc-${n.name}`,
        type: 'Warning',
        reason: 'ProvisioningFailed',
        message: 'storageclass.storage.k8s.io "fast" not found',
        time: transition,
        count: 12,
      });
      if (!state.relatedMissing.includes('StorageClass/fast')) state.relatedMissing.push('StorageClass/fast');
    }
  }
  if (Object.keys(hints).length > 0) state.producerHints = hints;
  return state;
}

/** An artifact with every field the source CRDs require. */
function artifact(rev: string, time: string) {
  return { revision: rev, lastUpdateTime: time, digest: `sha256:${'0'.repeat(64)}`, path: `artifacts/${rev.replace(/[^a-z0-9.]/gi, '-')}.tar.gz`, url: 'http://127.0.0.1:1/artifact.tar.gz' };
}

/** A HelmRelease v2 history snapshot with every field the CRD requires. */
function release(n: GraphNode, status: string, time: string) {
  const digest = `sha256:${'1'.repeat(64)}`;
  return { name: n.name, namespace: n.namespace, version: 1, chartName: 'app', chartVersion, configDigest: digest, digest, firstDeployed: time, lastDeployed: time, status };
}

function flxEvent(n: GraphNode, type: string, reason: string, message: string, time: string): EventRecord {
  return { kind: n.kind, namespace: n.namespace, name: n.name, type, reason, message, time, count: 1 };
}

export function pendingClaim(namespace: string, name: string, created: string): RawObject {
  return {
    apiVersion: 'v1',
    kind: 'PersistentVolumeClaim',
    metadata: { name, namespace, creationTimestamp: created },
    spec: { accessModes: ['ReadWriteOnce'], storageClassName: 'fast', resources: { requests: { storage: '1Gi' } } },
    status: { phase: 'Pending' },
  };
}

/** Shorthand for a graph node id. */
export function ks(namespace: string, name: string): string {
  return objectId('Kustomization', namespace, name);
}
export function hr(namespace: string, name: string): string {
  return objectId('HelmRelease', namespace, name);
}

/** Builds a GraphSpec from `id → dependsOn` with every node's kind/namespace/name read from its id. */
export function graph(edges: Record<string, string[]>, extra: Partial<Omit<GraphSpec, 'nodes'>> = {}): GraphSpec {
  return {
    nodes: Object.entries(edges).map(([id, dependsOn]) => {
      const key = parseObjectId(id);
      return { id, kind: key.kind, namespace: key.namespace!, name: key.name, dependsOn };
    }),
    cycles: extra.cycles ?? [],
    brokenRoots: extra.brokenRoots ?? [],
    missing: extra.missing ?? [],
  };
}
