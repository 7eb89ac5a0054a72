/**
 * Flux objects of a plan: the fleet's cluster directory (sources, Kustomizations,
 * HelmReleases, team namespaces) and the root objects applied by hand to bootstrap it.
 */
import { helmReleaseObject, kustomizeFile, shardLabels, toYaml, type K8sObject } from './manifests.ts';
import { ociChartSourceObject, ociPlanOf, ociRepositoryObject, ociSourceOf, registryAuthSecret, registryCaSecret } from './oci-objects.ts';
import { chartName, gitAuthSecretName, type RepoPlan, type UnitPlan, type WorkloadPlan } from './plan.ts';
import { infrastructureKustomization, spokeDir, spokeKubeConfig, spokeLabels, spokeNamespaceObjects, spokeReleasePlacement, spokesOf, teamNamespacesYaml } from './fleet-objects.ts';
import { spokeInfrastructureName } from './fleet-options.ts';
import { UsageError } from '../util/exit-codes.ts';

export interface FluxObjectRef {
  /** `<Kind>/<namespace>/<name>` */
  id: string;
  apiVersion: string;
  kind: 'GitRepository' | 'OCIRepository' | 'HelmRepository' | 'Kustomization' | 'HelmRelease';
  namespace: string;
  name: string;
  /** owner/repo the object reads from (GitRepository: the repo it serves; OCIRepository: the repo its artifacts are built from). */
  sourceRepo?: string;
  /** Path inside the source repo (Kustomization), chart path or name (HelmRelease). */
  path?: string;
  /** Fleet mode: the spoke the object applies to (it lives in the hub namespace of that name). */
  spoke?: string;
  /**
   * HelmRelease with `spec.chart` (not `chartRef`): the id of the HelmChart helm-controller makes
   * for it, `HelmChart/<source namespace>/<release namespace>-<release name>` (helm-controller's
   * GetHelmChartName), before it checks dependencies.
   */
  helmChart?: string;
}

export function gitRepositoryObject(plan: WorkloadPlan, repo: RepoPlan, commit?: string): K8sObject {
  const { flux } = plan.options;
  const needsSecret = flux.auth === 'basic' || flux.provider === 'github';
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'GitRepository',
    metadata: { name: repo.gitRepositoryName, namespace: flux.namespace, ...shardLabels(repo.shard) },
    spec: {
      interval: flux.sourceInterval,
      url: repo.url,
      ref: { branch: 'main', ...(commit ? { commit } : {}) },
      ...(needsSecret ? { secretRef: { name: gitAuthSecretName } } : {}),
      ...(flux.provider === 'github' ? { provider: 'github' } : {}),
      ...(flux.ignore !== undefined ? { ignore: flux.ignore } : {}),
    },
  };
}

/**
 * The Kustomization of one unit. With `spoke` (fleet mode): the spoke's copy in the hub namespace
 * named after it, applying to the spoke through `spec.kubeConfig`, at the fleet's apps interval,
 * always with targetNamespace (the objects must land in a namespace the spoke has), its
 * dependencies moved into the spoke's namespace after the spoke's `infrastructure`.
 */
export function kustomizationObject(plan: WorkloadPlan, unit: UnitPlan, spoke?: string): K8sObject {
  const { flux } = plan.options;
  const repo = plan.repos.find((r) => r.fullName === unit.repo)!;
  const kustomizationDeps = unit.dependsOn.filter((id) => id.startsWith('Kustomization/'));
  const releaseDeps = unit.dependsOn.filter((id) => id.startsWith('HelmRelease/'));
  const healthChecks: Record<string, string>[] = [];
  if (flux.healthChecks && (unit.variant === 'app' || unit.variant === 'broken-root')) {
    healthChecks.push({ apiVersion: 'apps/v1', kind: 'Deployment', name: unit.name, namespace: unit.targetNamespace });
  }
  // Flux's dependsOn only names Kustomizations; waiting for a HelmRelease is a health check.
  for (const id of releaseDeps) {
    const [, namespace, name] = id.split('/');
    healthChecks.push({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', name: name!, namespace: namespace! });
  }
  // A spoke's dependency graph is its own: every dependency is in its namespace, after its infrastructure.
  const dependsOn: { name: string; namespace?: string }[] = kustomizationDeps.map((id) => {
    const [, namespace, name] = id.split('/');
    return { name: name!, namespace: spoke ?? namespace! };
  });
  if (spoke) dependsOn.unshift({ name: spokeInfrastructureName });
  // Cross-namespace in fleet mode: the sources stay in the Flux namespace.
  const sourceRef = { kind: 'GitRepository', name: repo.gitRepositoryName, ...(spoke ? { namespace: flux.namespace } : {}) };
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: unit.name, namespace: spoke ?? unit.namespace, ...(spoke ? spokeLabels(spoke, unit.shard) : shardLabels(unit.shard)) },
    spec: {
      interval: spoke ? spokesOf(plan).intervals.apps : flux.interval,
      retryInterval: flux.retryInterval,
      timeout: flux.timeout,
      ...(plan.oci ? ociSourceOf(plan, unit) : { path: `./${unit.dir}`, sourceRef }),
      prune: flux.prune,
      wait: flux.wait || unit.forceWait,
      ...(spoke || flux.targetNamespace || unit.variant.startsWith('khc') ? { targetNamespace: unit.targetNamespace } : {}),
      ...(dependsOn.length > 0 ? { dependsOn } : {}),
      ...(healthChecks.length > 0 ? { healthChecks } : {}),
      ...(flux.postBuild ? { postBuild: { substitute: postBuildVariables(unit) } } : {}),
      ...(flux.serviceAccountName !== undefined && !spoke ? { serviceAccountName: flux.serviceAccountName } : {}),
      ...(spoke ? spokeKubeConfig() : {}),
    },
  };
}

/** The variables a unit's Kustomization substitutes with `flux.postBuild` (the app manifests read `${TEAM}`). */
export function postBuildVariables(unit: Pick<UnitPlan, 'name' | 'team'>): Record<string, string> {
  return { APP: unit.name, TEAM: unit.team };
}

/** Flux's per-object opt-out of the root's prune (kustomize-controller reads it on every object). */
const pruneDisabled = { 'kustomize.toolkit.fluxcd.io/prune': 'disabled' };

/**
 * With `flux.serviceAccountName`: the ServiceAccount the unit Kustomizations and HelmReleases
 * impersonate, in the Flux namespace (where those objects live, so Flux resolves it there), and a
 * RoleBinding of it to the ClusterRole `admin` in the Flux namespace (the HelmReleases' storage,
 * the health checks on HelmReleases) and in each team namespace (where the apps land): the
 * namespace-admin role flux-benchmark's tenants get. Empty without it (and in fleet mode, which
 * refuses it).
 *
 * They are not pruned with the root, nor are the team Namespaces then (renderClusterFiles): the
 * unit objects' finalizers prune and uninstall as the ServiceAccount (kustomize-controller skips
 * the prune, helm-controller the uninstall, when it is gone; both retry on the 403 when its
 * binding is gone), so on a borrowed cluster the run deletes them only after those objects are
 * gone (src/run/phases/apply.ts).
 */
export function tenancyObjects(plan: WorkloadPlan): K8sObject[] {
  const { flux } = plan.options;
  const name = flux.serviceAccountName;
  if (name === undefined || plan.spokes) return [];
  const namespaces = [flux.namespace, ...plan.teams.filter((team) => team !== flux.namespace)];
  const objects: Array<K8sObject & { metadata: { annotations: Record<string, string> } }> = [
    { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name, namespace: flux.namespace, annotations: pruneDisabled } },
    ...namespaces.map((namespace) => ({
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: { name, namespace, annotations: pruneDisabled },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'admin' },
      subjects: [{ kind: 'ServiceAccount', name, namespace: flux.namespace }],
    })),
  ];
  return objects;
}

export function helmRepositoryObject(plan: WorkloadPlan): K8sObject | undefined {
  if (!plan.pages) return undefined;
  return {
    apiVersion: 'source.toolkit.fluxcd.io/v1',
    kind: 'HelmRepository',
    metadata: { name: plan.options.helm.pagesRepo, namespace: plan.options.flux.namespace },
    spec: { interval: plan.options.flux.sourceInterval, url: plan.pages.url },
  };
}

/**
 * The files of `clusters/<cluster>/` in the fleet repo, keyed by path inside that directory. In
 * fleet mode the hub's `namespaces.yaml` holds the spokes' namespaces (the team ones are the
 * spokes' own, see fleet-objects.ts) and `kustomizations/<spoke>.yaml` each spoke's
 * `infrastructure` and app Kustomizations, in place of the team files.
 */
export function renderClusterFiles(plan: WorkloadPlan): Map<string, string> {
  const files = new Map<string, string>();
  const tenancy = tenancyObjects(plan);
  files.set('namespaces.yaml', plan.spokes ? toYaml(spokeNamespaceObjects(plan)) : teamNamespacesYaml(plan, tenancy.length > 0 ? pruneDisabled : undefined));
  const sources: K8sObject[] = plan.oci
    ? plan.oci.artifacts.filter((a) => a.role !== 'fleet').map((a) => ociRepositoryObject(plan, a))
    : plan.repos.filter((r) => r.role === 'team').map((r) => gitRepositoryObject(plan, r));
  const chartSource = helmRepositoryObject(plan) ?? ociChartSourceObject(plan);
  if (chartSource) sources.push(chartSource);
  if (sources.length > 0) files.set('sources.yaml', toYaml(sources));
  const byFile = new Map<string, K8sObject[]>();
  for (const spoke of plan.spokes?.names ?? []) {
    byFile.set(spoke, [infrastructureKustomization(plan, spoke), ...plan.units.map((unit) => kustomizationObject(plan, unit, spoke))]);
  }
  for (const unit of plan.spokes ? [] : plan.units) {
    const file = unit.variant.startsWith('khc') ? 'faults' : unit.team;
    const list = byFile.get(file) ?? [];
    list.push(kustomizationObject(plan, unit));
    byFile.set(file, list);
  }
  for (const [file, objects] of byFile) files.set(`kustomizations/${file}.yaml`, toYaml(objects));
  if (tenancy.length > 0) files.set('tenancy.yaml', toYaml(tenancy));
  const releases = plan.helmReleases.filter((h) => h.location === 'cluster');
  if (releases.length > 0 && !plan.spokes) files.set('helmreleases.yaml', toYaml(releases.map((h) => helmReleaseObject(plan, h))));
  for (const spoke of releases.length > 0 ? (plan.spokes?.names ?? []) : []) {
    files.set(`helmreleases/${spoke}.yaml`, toYaml(releases.map((h) => helmReleaseObject(plan, h, spokeReleasePlacement(plan, spoke, h.shard)))));
  }
  files.set('kustomization.yaml', kustomizeFile([...files.keys()].sort()));
  return files;
}

export interface RootObjectsContext {
  /** Token the basic-auth Secret carries (the fake GitHub accepts it as the password). */
  token?: string;
  /** Data of the Git auth Secret instead of basic auth, e.g. GitHub App keys for provider github. */
  gitSecretData?: Record<string, string>;
  /** The fleet repo's head commit, for `flux.fleetRef: commit`. */
  fleetHeadSha?: string;
  /** The registry's pull credentials, for the dockerconfigjson Secret of an OCI workload (`flux.auth: basic`); without them the Secret is left out. */
  registryAuth?: { username: string; password: string };
  /**
   * The CA (PEM) of a registry that speaks HTTPS: OCIRepositories verify it through certSecretRef
   * instead of `insecure: true`, and the Secret carrying it (public) is a root object.
   */
  registryCaPem?: string;
}

/**
 * What to apply by hand: the Flux namespace, the auth Secret, the fleet GitRepository and the
 * root Kustomization; in fleet mode also, after the Flux namespace, each spoke's hub Namespace (its
 * kubeconfig Secret is the runner's: spokeKubeconfigSecrets). Throws UsageError when
 * `flux.fleetRef` commit lacks `context.fleetHeadSha`.
 */
export function rootObjects(plan: WorkloadPlan, context: RootObjectsContext = {}): K8sObject[] {
  const { flux, cluster } = plan.options;
  const objects: K8sObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: flux.namespace } }];
  if (plan.spokes) objects.push(...spokeNamespaceObjects(plan));
  if (plan.oci) return [...objects, ...ociRootObjects(plan, context)];
  if (flux.auth === 'basic' || flux.provider === 'github') {
    objects.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: gitAuthSecretName, namespace: flux.namespace },
      type: 'Opaque',
      stringData: context.gitSecretData ?? { username: 'git', password: context.token ?? '' },
    });
  }
  if (flux.fleetRef === 'commit' && !context.fleetHeadSha) throw new UsageError('workload.flux.fleetRef commit: the fleet repo\'s head commit is not known (generate the repos first)');
  objects.push(gitRepositoryObject(plan, plan.fleet, flux.fleetRef === 'commit' ? context.fleetHeadSha : undefined));
  objects.push(rootKustomization(plan, { kind: 'GitRepository', name: plan.fleet.gitRepositoryName }, `./clusters/${cluster}`));
  return objects;
}

/** An OCI workload's root: the registry Secret, the fleet OCIRepository and the root Kustomization applying it. */
function ociRootObjects(plan: WorkloadPlan, context: RootObjectsContext): K8sObject[] {
  const { flux } = plan.options;
  const objects: K8sObject[] = [];
  // Without credentials (a registry not started yet) the OCIRepositories still name the Secret;
  // the runner adds it in memory (withRegistryAuth), so the password never lands in root.yaml.
  if (flux.auth === 'basic' && context.registryAuth) objects.push(registryAuthSecret(plan.options.flux.namespace, ociPlanOf(plan).host, context.registryAuth));
  if (ociPlanOf(plan).tls) {
    if (!context.registryCaPem) throw new Error('the OCI plan is for an HTTPS registry but its CA was not given (registryCaPem)');
    objects.push(registryCaSecret(flux.namespace, context.registryCaPem));
  }
  const fleet = ociPlanOf(plan).fleet;
  objects.push(ociRepositoryObject(plan, fleet));
  // The artifact's root is the fleet's clusters/<cluster> directory.
  objects.push(rootKustomization(plan, { kind: 'OCIRepository', name: fleet.name }, './'));
  return objects;
}

/**
 * The root Kustomization: applies the fleet's cluster directory at `path` in the fleet source
 * `sourceRef`, named after the fleet repo in the Flux namespace.
 */
function rootKustomization(plan: WorkloadPlan, sourceRef: { kind: 'GitRepository' | 'OCIRepository'; name: string }, path: string): K8sObject {
  const { flux } = plan.options;
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: plan.fleet.gitRepositoryName, namespace: flux.namespace },
    spec: {
      interval: flux.interval,
      retryInterval: flux.retryInterval,
      timeout: flux.timeout,
      path,
      prune: true,
      wait: false,
      sourceRef,
    },
  };
}

/** Every Flux object of the workload, root ones included. */
export function fluxObjectRefs(plan: WorkloadPlan): FluxObjectRef[] {
  const ns = plan.options.flux.namespace;
  const refs: FluxObjectRef[] = [];
  const add = (ref: Omit<FluxObjectRef, 'id'>) => refs.push({ id: `${ref.kind}/${ref.namespace}/${ref.name}`, ...ref });
  const source = 'source.toolkit.fluxcd.io/v1';
  if (plan.oci) {
    for (const artifact of plan.oci.artifacts) add({ apiVersion: source, kind: 'OCIRepository', namespace: ns, name: artifact.name, sourceRepo: artifact.sourceRepo });
    const chart = plan.oci.chart;
    if (chart) add({ apiVersion: source, kind: chart.sourceKind, namespace: ns, name: chart.name, sourceRepo: chart.sourceKind === 'HelmRepository' ? chart.pushPath : chart.repository });
  } else {
    for (const repo of plan.repos) add({ apiVersion: source, kind: 'GitRepository', namespace: ns, name: repo.gitRepositoryName, sourceRepo: repo.fullName });
  }
  if (plan.pages) {
    add({ apiVersion: source, kind: 'HelmRepository', namespace: ns, name: plan.options.helm.pagesRepo, sourceRepo: `${plan.pages.owner}/${plan.pages.repo}` });
  }
  const rootPath = plan.oci ? './' : `./clusters/${plan.options.cluster}`;
  add({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: ns, name: plan.fleet.gitRepositoryName, sourceRepo: plan.fleet.fullName, path: rootPath });
  const unitPath = (unit: UnitPlan) => (plan.oci ? ociSourceOf(plan, unit).path : `./${unit.dir}`);
  // Fleet mode: each spoke's infrastructure and copies of the units, in its hub namespace.
  for (const spoke of plan.spokes?.names ?? []) {
    add({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: spoke, name: spokeInfrastructureName, sourceRepo: plan.fleet.fullName, path: `./${spokeDir(spoke)}`, spoke });
    for (const unit of plan.units) add({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: spoke, name: unit.name, sourceRepo: unit.repo, path: unitPath(unit), spoke });
  }
  for (const unit of plan.spokes ? [] : plan.units) {
    add({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: unit.namespace, name: unit.name, sourceRepo: unit.repo, path: unitPath(unit) });
  }
  const chartFrom = plan.oci?.chart
    ? { sourceRepo: plan.oci.chart.repository, path: chartName }
    : plan.options.helm.source === 'git-repository'
      ? { sourceRepo: plan.fleet.fullName, path: `./charts/${chartName}` }
      : { sourceRepo: `${plan.pages?.owner}/${plan.pages?.repo}`, path: chartName };
  // Every chart source but chartRef makes a HelmChart per release, in the source's namespace:
  // the Flux namespace for a spoke's copy (cross-namespace), the release's own otherwise.
  const templated = plan.oci?.chart?.sourceKind !== 'OCIRepository';
  const helmChart = (namespace: string, name: string, sourceNamespace: string) => (templated ? { helmChart: `HelmChart/${sourceNamespace}/${namespace}-${name}` } : {});
  // Fleet mode: each spoke's copy in its hub namespace.
  for (const spoke of plan.spokes?.names ?? []) {
    for (const hr of plan.helmReleases) add({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: spoke, name: hr.name, ...chartFrom, spoke, ...helmChart(spoke, hr.name, ns) });
  }
  for (const hr of plan.spokes ? [] : plan.helmReleases) {
    add({ apiVersion: 'helm.toolkit.fluxcd.io/v2', kind: 'HelmRelease', namespace: hr.namespace, name: hr.name, ...chartFrom, ...helmChart(hr.namespace, hr.name, hr.namespace) });
  }
  return refs;
}
