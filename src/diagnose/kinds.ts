/** The Flux kinds diagnosis reads, with the API versions to try, newest first. */
export interface FluxKindInfo {
  kind: string;
  group: string;
  versions: string[];
  plural: string;
  role: 'appliers' | 'sources';
}

export const fluxKinds: readonly FluxKindInfo[] = [
  { kind: 'Kustomization', group: 'kustomize.toolkit.fluxcd.io', versions: ['v1'], plural: 'kustomizations', role: 'appliers' },
  { kind: 'HelmRelease', group: 'helm.toolkit.fluxcd.io', versions: ['v2'], plural: 'helmreleases', role: 'appliers' },
  { kind: 'GitRepository', group: 'source.toolkit.fluxcd.io', versions: ['v1', 'v1beta2'], plural: 'gitrepositories', role: 'sources' },
  { kind: 'OCIRepository', group: 'source.toolkit.fluxcd.io', versions: ['v1', 'v1beta2'], plural: 'ocirepositories', role: 'sources' },
  { kind: 'HelmRepository', group: 'source.toolkit.fluxcd.io', versions: ['v1', 'v1beta2'], plural: 'helmrepositories', role: 'sources' },
  { kind: 'HelmChart', group: 'source.toolkit.fluxcd.io', versions: ['v1', 'v1beta2'], plural: 'helmcharts', role: 'sources' },
  { kind: 'Bucket', group: 'source.toolkit.fluxcd.io', versions: ['v1', 'v1beta2'], plural: 'buckets', role: 'sources' },
];

const fluxKindNames = new Set(fluxKinds.map((k) => k.kind));

export function isFluxKind(kind: string): boolean {
  return fluxKindNames.has(kind);
}

/** Kinds whose dependsOn/valuesFrom edges can form cycles. */
export function isApplierKind(kind: string): boolean {
  return kind === 'Kustomization' || kind === 'HelmRelease';
}

/**
 * apiVersions of common kinds a health check names, used when neither the inventory nor
 * spec.healthChecks says which group the kind belongs to.
 */
export const wellKnownApiVersions: Readonly<Record<string, string>> = {
  PersistentVolumeClaim: 'v1',
  PersistentVolume: 'v1',
  Pod: 'v1',
  Service: 'v1',
  ConfigMap: 'v1',
  Secret: 'v1',
  ServiceAccount: 'v1',
  Namespace: 'v1',
  Deployment: 'apps/v1',
  StatefulSet: 'apps/v1',
  DaemonSet: 'apps/v1',
  ReplicaSet: 'apps/v1',
  Job: 'batch/v1',
  CronJob: 'batch/v1',
  Ingress: 'networking.k8s.io/v1',
  StorageClass: 'storage.k8s.io/v1',
  CustomResourceDefinition: 'apiextensions.k8s.io/v1',
  Kustomization: 'kustomize.toolkit.fluxcd.io/v1',
  HelmRelease: 'helm.toolkit.fluxcd.io/v2',
};

/** Kinds that have no namespace; a health-check message names them as Kind/name. */
export const clusterScopedKinds: ReadonlySet<string> = new Set([
  'PersistentVolume',
  'StorageClass',
  'Namespace',
  'CustomResourceDefinition',
  'ClusterRole',
  'ClusterRoleBinding',
]);
