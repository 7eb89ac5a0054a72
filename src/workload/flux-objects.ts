/**
 * Flux objects of a plan: the fleet's cluster directory (sources, Kustomizations,
 * HelmReleases, team namespaces) and the root objects applied by hand to bootstrap it.
 */
import { helmReleaseObject, kustomizeFile, shardLabels, toYaml, type K8sObject } from './manifests.ts';
import { chartName, gitAuthSecretName, type RepoPlan, type UnitPlan, type WorkloadPlan } from './plan.ts';
import { UsageError } from '../util/exit-codes.ts';

export interface FluxObjectRef {
  /** `<Kind>/<namespace>/<name>` */
  id: string;
  apiVersion: string;
  kind: 'GitRepository' | 'HelmRepository' | 'Kustomization' | 'HelmRelease';
  namespace: string;
  name: string;
  /** owner/repo the object reads from (GitRepository: the repo it serves). */
  sourceRepo?: string;
  /** Path inside the source repo (Kustomization), chart path or name (HelmRelease). */
  path?: string;
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

export function kustomizationObject(plan: WorkloadPlan, unit: UnitPlan): K8sObject {
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
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: unit.name, namespace: unit.namespace, ...shardLabels(unit.shard) },
    spec: {
      interval: flux.interval,
      retryInterval: flux.retryInterval,
      timeout: flux.timeout,
      path: `./${unit.dir}`,
      prune: flux.prune,
      wait: flux.wait || unit.forceWait,
      sourceRef: { kind: 'GitRepository', name: repo.gitRepositoryName },
      ...(flux.targetNamespace || unit.variant.startsWith('khc') ? { targetNamespace: unit.targetNamespace } : {}),
      ...(kustomizationDeps.length > 0
        ? {
            dependsOn: kustomizationDeps.map((id) => {
              const [, namespace, name] = id.split('/');
              return { name: name!, namespace: namespace! };
            }),
          }
        : {}),
      ...(healthChecks.length > 0 ? { healthChecks } : {}),
    },
  };
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

/** The files of `clusters/<cluster>/` in the fleet repo, keyed by path inside that directory. */
export function renderClusterFiles(plan: WorkloadPlan): Map<string, string> {
  const files = new Map<string, string>();
  files.set(
    'namespaces.yaml',
    toYaml(plan.teams.map((team) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: team, labels: { 'fluxbench.io/team': team } } }))),
  );
  const sources: K8sObject[] = plan.repos.filter((r) => r.role === 'team').map((r) => gitRepositoryObject(plan, r));
  const helmRepository = helmRepositoryObject(plan);
  if (helmRepository) sources.push(helmRepository);
  if (sources.length > 0) files.set('sources.yaml', toYaml(sources));
  const byTeam = new Map<string, K8sObject[]>();
  for (const unit of plan.units) {
    const file = unit.variant.startsWith('khc') ? 'faults' : unit.team;
    const list = byTeam.get(file) ?? [];
    list.push(kustomizationObject(plan, unit));
    byTeam.set(file, list);
  }
  for (const [file, objects] of byTeam) files.set(`kustomizations/${file}.yaml`, toYaml(objects));
  const releases = plan.helmReleases.filter((h) => h.location === 'cluster');
  if (releases.length > 0) files.set('helmreleases.yaml', toYaml(releases.map((h) => helmReleaseObject(plan, h))));
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
}

/** What to apply by hand: the Flux namespace, the auth Secret, the fleet GitRepository and the root Kustomization. */
export function rootObjects(plan: WorkloadPlan, context: RootObjectsContext = {}): K8sObject[] {
  const { flux, cluster } = plan.options;
  const objects: K8sObject[] = [{ apiVersion: 'v1', kind: 'Namespace', metadata: { name: flux.namespace } }];
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
  objects.push({
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: plan.fleet.gitRepositoryName, namespace: flux.namespace },
    spec: {
      interval: flux.interval,
      retryInterval: flux.retryInterval,
      timeout: flux.timeout,
      path: `./clusters/${cluster}`,
      prune: true,
      wait: false,
      sourceRef: { kind: 'GitRepository', name: plan.fleet.gitRepositoryName },
    },
  });
  return objects;
}

/** Every Flux object of the workload, root ones included. */
export function fluxObjectRefs(plan: WorkloadPlan): FluxObjectRef[] {
  const ns = plan.options.flux.namespace;
  const refs: FluxObjectRef[] = [];
  const add = (ref: Omit<FluxObjectRef, 'id'>) => refs.push({ id: `${ref.kind}/${ref.namespace}/${ref.name}`, ...ref });
  for (const repo of plan.repos) {
    add({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'GitRepository', namespace: ns, name: repo.gitRepositoryName, sourceRepo: repo.fullName });
  }
  if (plan.pages) {
    add({ apiVersion: 'source.toolkit.fluxcd.io/v1', kind: 'HelmRepository', namespace: ns, name: plan.options.helm.pagesRepo, sourceRepo: `${plan.pages.owner}/${plan.pages.repo}` });
  }
  add({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: ns, name: plan.fleet.gitRepositoryName, sourceRepo: plan.fleet.fullName, path: `./clusters/${plan.options.cluster}` });
  for (const unit of plan.units) {
    add({ apiVersion: 'kustomize.toolkit.fluxcd.io/v1', kind: 'Kustomization', namespace: unit.namespace, name: unit.name, sourceRepo: unit.repo, path: `./${unit.dir}` });
  }
  for (const hr of plan.helmReleases) {
    const git = plan.options.helm.source === 'git-repository';
    add({
      apiVersion: 'helm.toolkit.fluxcd.io/v2',
      kind: 'HelmRelease',
      namespace: hr.namespace,
      name: hr.name,
      sourceRepo: git ? plan.fleet.fullName : `${plan.pages!.owner}/${plan.pages!.repo}`,
      path: git ? `./charts/${chartName}` : chartName,
    });
  }
  return refs;
}
