/**
 * What a workload will put in the cluster and on disk, from its options alone: arithmetic, no
 * planning, so it answers in microseconds for any size the schema allows (planning 20,000 apps
 * would itself cost what it is asked to predict). The byte constants were measured on the
 * generator's output (`initialTree`, see test/unit/workload/estimate.test.ts, which keeps them
 * honest) and on etcd's and the API server's storage of such objects; they are estimates, not
 * limits.
 */
import type { GeneratorOptions } from './options.ts';
import { ociRepositoryCount } from './oci-plan.ts';

/** One kind of object the workload makes exist in the cluster. */
export interface ObjectEstimate {
  kind: string;
  count: number;
  /** Bytes one such object takes in etcd (encoded, with managedFields and status). */
  bytesEach: number;
}

export interface WorkloadEstimate {
  /** Objects by kind, Flux's first, then what applying them creates (and what controllers derive). */
  objects: ObjectEstimate[];
  /** Sum of counts. */
  objectCount: number;
  /** Sum of count × bytesEach: the live objects as etcd stores them. */
  objectBytes: number;
  /** Services that need a ClusterIP from the cluster's service range. */
  services: number;
  /** Pods (kwok fakes them, but each is a real API object with a status). */
  pods: number;
  repos: number;
  /** Bytes of every repo's HEAD tree (what source-controller packs into artifacts). */
  headBytes: number;
  /** The largest repo's HEAD bytes (what one clone holds in memory). */
  largestHeadBytes: number;
  /** Bytes of all bare repos on disk, history included (uncompressed: an upper bound). */
  repoBytes: number;
  /** The largest repo's bytes, history included. */
  largestRepoBytes: number;
}

/** Measured on initialTree: an app's files without its ConfigMaps' payload. */
const appFixedBytes = 1_251;
/** One ConfigMap manifest's YAML around its payload. */
const configMapOverheadBytes = 250;
const hpaBytes = 465;
const ingressBytes = 432;
const serviceAccountBytes = 237;
/** What app.configMaps false leaves out of appFixedBytes: the config ConfigMap's YAML (its payload is counted apart), the churn ConfigMap and the envFrom. */
const configMapsFixedBytes = 224;
/** The fleet's clusters/<name>/ files: per Flux object and the constant part. */
const clusterFileBytesPerObject = 340;
const clusterFileBaseBytes = 300;
/** One history commit: the bumped churn ConfigMap, plus commit and (delta-compressed) trees. */
const historyBytesPerChange = 300;
const commitBytes = 250;

/** Encoded sizes in etcd (protobuf for built-in kinds, JSON for Flux's), managedFields included. */
const etcdBytes = {
  GitRepository: 2_000,
  Kustomization: 2_500,
  /** Added to a Kustomization per inventory entry (each object it applied). */
  inventoryEntry: 120,
  HelmRelease: 4_000,
  HelmRepository: 2_000,
  HelmChart: 2_000,
  Namespace: 500,
  Deployment: 3_000,
  ReplicaSet: 2_500,
  Pod: 3_500,
  Service: 1_200,
  EndpointSlice: 800,
  Endpoints: 600,
  /** Added to a ConfigMap's payload. */
  ConfigMap: 700,
  Secret: 600,
  /** Helm's release record: the gzipped release with its chart and rendered manifest. */
  helmReleaseSecret: 10_000,
  HorizontalPodAutoscaler: 1_200,
  Ingress: 1_200,
  PersistentVolumeClaim: 1_000,
  ServiceAccount: 500,
  RoleBinding: 700,
  /** A dummy CRD (a minimal schema) with its status and managedFields. */
  CustomResourceDefinition: 2_000,
} as const;

/** Namespaces every cluster has before the workload: default, kube-system, kube-public, kube-node-lease. */
const systemNamespaces = 4;

/** The repos a layout makes: the fleet, plus one per team that has its own. */
export function repoCount(options: Pick<GeneratorOptions, 'layout' | 'teams'>): number {
  if (options.layout === 'repo-per-team') return 1 + options.teams;
  if (options.layout === 'both') return 1 + Math.ceil(options.teams / 2);
  return 1;
}

/** Bytes of one app's directory at HEAD. */
export function appDirectoryBytes(app: GeneratorOptions['app']): number {
  // The config ConfigMap and the extras carry a payload (the churn ConfigMap is in appFixedBytes).
  const configMaps = app.configMaps ? app.manifests - 2 : 0;
  // seededText breaks its payload into lines of 76 characters.
  const payload = app.bytesPerManifest + Math.ceil(app.bytesPerManifest / 76);
  return (
    appFixedBytes -
    (app.configMaps ? 0 : configMapsFixedBytes) +
    configMaps * (configMapOverheadBytes + payload) +
    (app.hpa ? hpaBytes : 0) +
    (app.ingress ? ingressBytes : 0) +
    (app.serviceAccount ? serviceAccountBytes : 0)
  );
}

/** Objects of each kind one HelmRelease's chart renders (helm-chart.ts, as helm.values asks). */
export function releaseObjects(options: Pick<GeneratorOptions, 'app' | 'helm'>): { pods: number; services: number; serviceAccounts: number; ingresses: number; configMaps: number } {
  if (options.helm.values === 'minimal') return { pods: 1, services: 0, serviceAccounts: 0, ingresses: 0, configMaps: 1 };
  const { app } = options;
  return { pods: app.replicas, services: 1, serviceAccounts: app.serviceAccount ? 1 : 0, ingresses: app.ingress ? 1 : 0, configMaps: app.configMaps ? 1 : 0 };
}

/** Counts and sizes of every object and repo the workload makes; pure and O(1) in its size. */
export function estimateWorkload(options: GeneratorOptions): WorkloadEstimate {
  const { apps, app, helm, graph } = options;
  const khc = graph.faults.kustomizationHelmCycle;
  const releases = helm.releases + (khc ? 1 : 0);
  const repos = repoCount(options);
  // Flux's sources: a GitRepository per repo, or (source oci) an OCIRepository per artifact.
  const sources = options.source === 'oci' ? ociRepositoryCount(options, releases) : repos;
  const kustomizations = apps + 1 + (khc ? 2 : 0);
  const namespaces = options.teams + 1 + systemNamespaces;
  const perRelease = releaseObjects(options);
  const deployments = apps + releases;
  const pods = apps * app.replicas + releases * perRelease.pods;
  const services = apps + releases * perRelease.services;
  const configMapsPerApp = app.configMaps ? app.manifests - 1 : 0; // config + extras + the churn ConfigMap
  const fluxObjects = sources + kustomizations + releases;
  // tenancyObjects: the tenant's ServiceAccount, bound in the Flux namespace and each team's.
  const tenant = options.flux.serviceAccountName !== undefined ? 1 : 0;
  const kustomizationBytes = etcdBytes.Kustomization + etcdBytes.inventoryEntry * (app.manifests + 2);
  const rootInventoryBytes = etcdBytes.inventoryEntry * (fluxObjects + options.teams + tenant * (options.teams + 2));
  const objects: ObjectEstimate[] = [
    { kind: options.source === 'oci' ? 'OCIRepository' : 'GitRepository', count: sources, bytesEach: etcdBytes.GitRepository },
    { kind: 'Kustomization', count: kustomizations, bytesEach: kustomizationBytes + Math.ceil(rootInventoryBytes / kustomizations) },
    { kind: 'HelmRelease', count: releases, bytesEach: etcdBytes.HelmRelease },
    // A HelmRelease with chartRef to an OCIRepository needs no HelmChart.
    { kind: 'HelmChart', count: helm.source === 'oci-repository' ? 0 : releases, bytesEach: etcdBytes.HelmChart },
    { kind: 'HelmRepository', count: releases > 0 && helm.source === 'helm-repository' ? 1 : 0, bytesEach: etcdBytes.HelmRepository },
    { kind: 'Namespace', count: namespaces, bytesEach: etcdBytes.Namespace },
    // A large schema is stored once more in managedFields, as the field paths server-side apply owns (about 0.4 of it).
    { kind: 'CustomResourceDefinition', count: options.crds, bytesEach: etcdBytes.CustomResourceDefinition + Math.ceil((options.crdSchemaSize ?? 0) * 1.4) },
    { kind: 'Deployment', count: deployments, bytesEach: etcdBytes.Deployment },
    { kind: 'ReplicaSet', count: deployments, bytesEach: etcdBytes.ReplicaSet },
    { kind: 'Pod', count: pods, bytesEach: etcdBytes.Pod },
    { kind: 'Service', count: services, bytesEach: etcdBytes.Service },
    { kind: 'EndpointSlice', count: services, bytesEach: etcdBytes.EndpointSlice },
    { kind: 'Endpoints', count: services, bytesEach: etcdBytes.Endpoints },
    // Each namespace gets kube-root-ca.crt; a release's chart renders one ConfigMap unless told not to.
    { kind: 'ConfigMap', count: apps * configMapsPerApp + releases * perRelease.configMaps + namespaces + (khc ? 1 : 0), bytesEach: etcdBytes.ConfigMap + averageConfigMapPayload(options) },
    // The apps' own; the controller manager's `default` one in each namespace is not counted.
    { kind: 'ServiceAccount', count: (app.serviceAccount ? apps : 0) + releases * perRelease.serviceAccounts + tenant, bytesEach: etcdBytes.ServiceAccount },
    { kind: 'RoleBinding', count: tenant * (options.teams + 1), bytesEach: etcdBytes.RoleBinding },
    { kind: 'Secret', count: (needsAuthSecret(options) ? 1 : 0) + releases, bytesEach: releases > 0 ? etcdBytes.helmReleaseSecret : etcdBytes.Secret },
    { kind: 'HorizontalPodAutoscaler', count: app.hpa ? apps : 0, bytesEach: etcdBytes.HorizontalPodAutoscaler },
    { kind: 'Ingress', count: (app.ingress ? apps : 0) + releases * perRelease.ingresses, bytesEach: etcdBytes.Ingress },
    { kind: 'PersistentVolumeClaim', count: graph.faults.brokenRoots, bytesEach: etcdBytes.PersistentVolumeClaim },
  ].filter((o) => o.count > 0);
  const repoSizes = repoBytes(options, repos);
  return {
    objects,
    objectCount: objects.reduce((sum, o) => sum + o.count, 0),
    objectBytes: objects.reduce((sum, o) => sum + o.count * o.bytesEach, 0),
    services,
    pods,
    repos,
    ...repoSizes,
  };
}

function needsAuthSecret(options: GeneratorOptions): boolean {
  return options.flux.auth === 'basic' || options.flux.provider === 'github';
}

/** Mean payload over every ConfigMap (the app ones carry bytesPerManifest, the rest little). */
function averageConfigMapPayload(options: GeneratorOptions): number {
  const { apps, app } = options;
  const payloadMaps = app.configMaps ? apps * (app.manifests - 2) : 0;
  const all = (app.configMaps ? apps * (app.manifests - 1) : 0) + options.teams + 1;
  return all > 0 ? Math.round((payloadMaps * app.bytesPerManifest) / all) : 0;
}

/**
 * HEAD and whole-history bytes over every repo. Apps and Flux objects are spread as the plan
 * spreads them (the fleet holds what no team repo does); every repo carries the large and
 * ignored files; history padding fills each repo up to repoSizeBytes.
 */
function repoBytes(options: GeneratorOptions, repos: number): Pick<WorkloadEstimate, 'headBytes' | 'largestHeadBytes' | 'repoBytes' | 'largestRepoBytes'> {
  const { apps, history } = options;
  const perRepoFiles = options.largeFiles.count * options.largeFiles.bytes + options.ignoredFiles.count * options.ignoredFiles.bytes;
  const fluxObjects = repos + apps + options.helm.releases;
  const fleetOnly = clusterFileBaseBytes + clusterFileBytesPerObject * fluxObjects;
  const appBytes = appDirectoryBytes(options.app);
  const teamRepos = repos - 1;
  // Apps go round-robin over teams; a team repo holds its team's apps, the fleet the rest.
  const appsPerTeam = Math.ceil(apps / options.teams);
  const appsInTeamRepos = Math.min(apps, teamRepos * appsPerTeam);
  const fleetApps = apps - appsInTeamRepos;
  const head = (appCount: number, fleet: boolean) => appCount * appBytes + perRepoFiles + (fleet ? fleetOnly : 0);
  const withHistory = (headSize: number, appCount: number) => {
    const changes = appCount > 0 ? Math.min(history.appsPerCommit, appCount) : 1;
    const content = headSize + (history.commits - 1) * (commitBytes + changes * historyBytesPerChange);
    return Math.max(content, options.repoSizeBytes);
  };
  const fleetHead = head(fleetApps, true);
  const teamHead = teamRepos > 0 ? head(appsPerTeam, false) : 0;
  const fleetTotal = withHistory(fleetHead, fleetApps);
  const teamTotal = teamRepos > 0 ? withHistory(teamHead, appsPerTeam) : 0;
  return {
    headBytes: fleetHead + teamRepos * teamHead,
    largestHeadBytes: Math.max(fleetHead, teamHead),
    repoBytes: fleetTotal + teamRepos * teamTotal,
    largestRepoBytes: Math.max(fleetTotal, teamTotal),
  };
}
