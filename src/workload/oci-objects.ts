/**
 * The Flux objects of an OCI workload as Flux users write them: an OCIRepository per artifact
 * following a tag over plain HTTP (`insecure: true`) or HTTPS verified against the run's CA
 * (`certSecretRef`), the chart's source (an OCIRepository with Helm's layer selector, or a
 * HelmRepository of `type: oci`), and the Secrets they pull with.
 */
import { helmMediaTypes } from '../util/oci-media-types.ts';
import { shardLabels, type K8sObject } from './manifests.ts';
import { dockerConfigJson, registryAuthSecretName, registryCaSecretName, type OciArtifactPlan, type OciPlan } from './oci-plan.ts';
import type { UnitPlan, WorkloadPlan } from './plan.ts';

/** The plan's OCI part; throws when the plan is a Git one (a caller bug, not bad input). */
export function ociPlanOf(plan: WorkloadPlan): OciPlan {
  if (!plan.oci) throw new Error('the workload plan has no OCI part (workload.source is not oci)');
  return plan.oci;
}

function pullSpec(plan: WorkloadPlan): Record<string, unknown> {
  const { flux } = plan.options;
  return {
    interval: flux.sourceInterval,
    // HTTPS: the run's CA, as a private registry's is handed to Flux. Plain HTTP: on loopback
    // (or through the relay to pods), where source-controller must be told not to use TLS.
    ...(ociPlanOf(plan).tls ? { certSecretRef: { name: registryCaSecretName } } : { insecure: true }),
    ...(flux.auth === 'basic' ? { secretRef: { name: registryAuthSecretName } } : {}),
  };
}

export function ociRepositoryObject(plan: WorkloadPlan, artifact: OciArtifactPlan): K8sObject {
  const { flux } = plan.options;
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata: { name: artifact.name, namespace: flux.namespace, ...shardLabels(artifact.shard) },
    spec: {
      ...pullSpec(plan),
      url: artifact.url,
      ref: { tag: ociPlanOf(plan).tag },
      ...(flux.ignore !== undefined ? { ignore: flux.ignore } : {}),
    },
  };
}

/**
 * The source HelmReleases take the chart from (undefined without one), by `chart.sourceKind`:
 * - `OCIRepository`, referenced through `chartRef`: source-controller's docs recommend it over a
 *   HelmRepository of `type: oci`, which they put in maintenance mode. `operation: copy` keeps the
 *   chart tarball as Helm pushed it.
 * - `HelmRepository` of `type: oci` at the chart's push path, as flux-benchmark's HelmReleases
 *   use: helm-controller then makes a HelmChart per release, which source-controller reconciles
 *   (a tag listing and a pull each), so source-controller does the work its published figures include.
 */
export function ociChartSourceObject(plan: WorkloadPlan): K8sObject | undefined {
  const chart = plan.oci?.chart;
  if (!chart) return undefined;
  const metadata = { name: chart.name, namespace: plan.options.flux.namespace };
  if (chart.sourceKind === 'HelmRepository') {
    return { apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', metadata, spec: { type: 'oci', ...pullSpec(plan), url: `${ociPlanOf(plan).baseUrl}/${chart.pushPath}` } };
  }
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'OCIRepository',
    metadata,
    spec: {
      ...pullSpec(plan),
      url: chart.url,
      ref: { tag: chart.version },
      layerSelector: { mediaType: helmMediaTypes.chart, operation: 'copy' },
    },
  };
}

/** The Secret OCIRepositories pull with (`flux.auth: basic`), as `kubectl create secret docker-registry` makes it. */
export function registryAuthSecret(namespace: string, host: string, auth: { username: string; password: string }): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: registryAuthSecretName, namespace },
    type: 'kubernetes.io/dockerconfigjson',
    stringData: { '.dockerconfigjson': dockerConfigJson(host, auth.username, auth.password) },
  };
}

/** The Secret with the registry's CA certificate (`ca.crt`, the key source-controller's certSecretRef reads); public. */
export function registryCaSecret(namespace: string, caPem: string): K8sObject {
  return {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: registryCaSecretName, namespace },
    type: 'Opaque',
    stringData: { 'ca.crt': caPem },
  };
}

/** The source a unit's Kustomization reads with source oci: its OCIRepository and the path inside the artifact. */
export function ociSourceOf(plan: WorkloadPlan, unit: UnitPlan): { sourceRef: { kind: 'OCIRepository'; name: string }; path: string } {
  const source = ociPlanOf(plan).units[unit.id];
  if (!source) throw new Error(`no OCI artifact planned for ${unit.id}`);
  return { sourceRef: { kind: 'OCIRepository', name: source.artifact }, path: source.path };
}
