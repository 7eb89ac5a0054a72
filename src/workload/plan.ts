/**
 * The workload plan: every repo, app, Flux object and dependency edge, decided up front from
 * the options and the seed, with no I/O. Rendering files and writing git history read it.
 */
import { planSpokes, spokeGraph, type SpokesPlan } from './fleet-plan.ts';
import { nodeId, shapeEdges, type BrokenRoot, type GraphNode, type GraphTruth } from './graph.ts';
import { defaultOciBaseUrl, planOci, type OciPlan } from './oci-plan.ts';
import { reservedFaultApps, type GeneratorOptions } from './options.ts';
import { SeededRandom } from './random.ts';

export const chartName = 'fluxbench-app';
export const chartVersion = '0.1.0';
export const gitAuthSecretName = 'fluxbench-git-auth';
export const shardLabel = 'sharding.fluxcd.io/key';

/** What a Kustomization's directory holds. */
export type UnitVariant =
  | 'app' // Deployment, Service, ConfigMaps (+HPA, Ingress)
  | 'broken-root' // an app plus a PVC on the absent StorageClass "fast": never ready under wait
  | 'khc-config' // the ConfigMap a HelmRelease needs, applied only after the release is ready
  | 'khc-release'; // the HelmRelease, health-checked

export interface RepoPlan {
  owner: string;
  name: string;
  /** owner/name */
  fullName: string;
  url: string;
  role: 'fleet' | 'team';
  /** The GitRepository object that serves this repo. */
  gitRepositoryName: string;
  shard?: string;
}

export interface UnitPlan {
  /** Kustomization name (an app's name for apps). */
  name: string;
  variant: UnitVariant;
  /** Team that owns it; the fleet team for fault helpers. */
  team: string;
  /** Namespace the unit's resources land in (targetNamespace). */
  targetNamespace: string;
  /** Kustomization namespace (the Flux namespace). */
  namespace: string;
  id: string;
  /** Repo full name holding the unit's directory. */
  repo: string;
  /** Directory inside the repo, no leading "./". */
  dir: string;
  /** Node ids the Kustomization waits for: Kustomizations (dependsOn) or HelmReleases (healthChecks). */
  dependsOn: string[];
  /** Bumped by history commits and churn. */
  churnable: boolean;
  forceWait: boolean;
  shard?: string;
}

export interface HelmReleasePlan {
  name: string;
  namespace: string;
  id: string;
  targetNamespace: string;
  /** Where the object's manifest lives: the fleet cluster dir, or the khc-release unit. */
  location: 'cluster' | 'khc-release';
  /** A ConfigMap in the Flux namespace the release needs values from. */
  valuesFromConfigMap?: string;
  /** Node ids it waits for (a needed ConfigMap's creator counts as a dependency). */
  dependsOn: string[];
  shard?: string;
  /** How the release is made to fail (helm.failures); absent for a healthy one. */
  failure?: HelmFailure;
}

/** The failure classes of `helm.failures`: a manifest the API server refuses, or a hook Job that fails. */
export type HelmFailure = 'invalid-manifest' | 'failing-hook';

export interface WorkloadPlan {
  options: GeneratorOptions;
  gitBaseUrl: string;
  fleet: RepoPlan;
  repos: RepoPlan[];
  teams: string[];
  units: UnitPlan[];
  helmReleases: HelmReleasePlan[];
  /** Where GitHub Pages serve the Helm repository, when a release uses it. */
  pages?: { owner: string; repo: string; url: string };
  /** True when the fleet repo carries charts/<chart>/ (a release sources its chart from git). */
  chartInGit: boolean;
  /** With `source: oci`: the artifacts, the OCIRepository and path each Kustomization reads. */
  oci?: OciPlan;
  /**
   * Fleet mode (`options.fleet`): the spokes, each getting every unit as a Kustomization in the
   * hub namespace named after it (`units` still describe the app set once, in the Flux namespace).
   */
  spokes?: SpokesPlan;
  /** In fleet mode, per spoke (fleet-plan.ts's spokeGraph). */
  graph: GraphTruth;
}

function pad(index: number, width: number): string {
  return String(index).padStart(width, '0');
}

/**
 * The whole workload as data: repositories, one Kustomization per app (and the injected faults'
 * extra ones), HelmReleases, and the dependency graph's ground truth (cycles, broken roots,
 * missing dependencies) that diagnose and settle are checked against. Pure and deterministic
 * for a given seed. `ociBaseUrl` (`oci://host:port`, the registry as Flux reaches it) is read
 * with `source: oci` only, as is `ociTls` (the registry speaks HTTPS with the run's CA).
 */
export function planWorkload(options: GeneratorOptions, gitBaseUrl: string, ociBaseUrl = defaultOciBaseUrl, ociTls = false): WorkloadPlan {
  const base = gitBaseUrl.replace(/\/+$/, '');
  const ns = options.flux.namespace;
  const owner = options.owner;
  const nextShard = shardCursor(options.flux.shards);
  const { fleet, repos, teams, teamRepo } = planRepos(options, base, nextShard);
  const units = planUnits(options, { teams, teamRepo, fleet }, nextShard);
  const { cycles, brokenRoots, missing } = injectFaults(options, units);
  const helmReleases = planHelmReleases(options, teams, nextShard);
  brokenRoots.push(...failingReleases(options, helmReleases));
  if (options.graph.faults.kustomizationHelmCycle) cycles.push(addKustomizationHelmCycle(options, fleet, units, helmReleases, nextShard));

  // With source oci the HelmRepository is on the run's registry (`type: oci`), not on the fake GitHub's Pages.
  const usesHelmRepository = helmReleases.length > 0 && options.helm.source === 'helm-repository' && options.source !== 'oci';
  const spokes = planSpokes(options);
  const rootId = nodeId('Kustomization', ns, fleet.gitRepositoryName);
  const nodes: GraphNode[] = [
    // The root Kustomization that applies the fleet's cluster directory.
    { id: rootId, kind: 'Kustomization', namespace: ns, name: fleet.gitRepositoryName, dependsOn: [] },
    ...units.map((u) => ({ id: u.id, kind: 'Kustomization' as const, namespace: u.namespace, name: u.name, dependsOn: [...u.dependsOn] })),
    ...helmReleases.map((h) => ({ id: h.id, kind: 'HelmRelease' as const, namespace: h.namespace, name: h.name, dependsOn: [...h.dependsOn] })),
  ];
  return {
    options,
    gitBaseUrl: base,
    fleet,
    repos,
    teams,
    units,
    helmReleases,
    pages: usesHelmRepository
      ? { owner, repo: options.helm.pagesRepo, url: `${base}/pages/${owner}/${options.helm.pagesRepo}/` }
      : undefined,
    chartInGit: helmReleases.length > 0 && options.helm.source === 'git-repository',
    ...(options.source === 'oci'
      ? { oci: planOci(options, fleet, units, helmReleases.length > 0 ? { name: chartName, version: chartVersion, sourceKind: options.helm.source === 'oci-repository' ? 'OCIRepository' : 'HelmRepository' } : undefined, ociBaseUrl, ociTls) }
      : {}),
    ...(spokes ? { spokes } : {}),
    graph: spokes ? spokeGraph({ nodes, cycles, brokenRoots, missing }, rootId, spokes) : { nodes, cycles, brokenRoots, missing },
  };
}


type NextShard = () => string | undefined;

/** Hands out shard1..shardN round-robin (undefined when the workload is not sharded). */
function shardCursor(shards: number): NextShard {
  let cursor = 0;
  return () => (shards > 0 ? `shard${(cursor++ % shards) + 1}` : undefined);
}

function planRepos(options: GeneratorOptions, base: string, nextShard: NextShard): { fleet: RepoPlan; repos: RepoPlan[]; teams: string[]; teamRepo: Map<string, RepoPlan> } {
  const owner = options.owner;
  const makeRepo = (name: string, role: RepoPlan['role']): RepoPlan => ({
    owner,
    name,
    fullName: `${owner}/${name}`,
    url: `${base}/${owner}/${name}.git`,
    role,
    gitRepositoryName: name,
  });
  const fleet = makeRepo(options.fleetRepo, 'fleet');
  const teams = Array.from({ length: options.teams }, (_, i) => `team-${i + 1}`);
  // `both`: odd-numbered teams (team-1, team-3, ...) get their own repo, the others stay in the monorepo.
  const teamInOwnRepo = (teamIndex: number): boolean =>
    options.layout === 'repo-per-team' || (options.layout === 'both' && teamIndex % 2 === 0);
  const repos: RepoPlan[] = [fleet];
  const teamRepo = new Map<string, RepoPlan>();
  teams.forEach((team, i) => {
    if (!teamInOwnRepo(i)) return;
    const repo = { ...makeRepo(team, 'team'), shard: nextShard() };
    repos.push(repo);
    teamRepo.set(team, repo);
  });
  return { fleet, repos, teams, teamRepo };
}

function planUnits(options: GeneratorOptions, where: { teams: string[]; teamRepo: Map<string, RepoPlan>; fleet: RepoPlan }, nextShard: NextShard): UnitPlan[] {
  const ns = options.flux.namespace;
  const width = Math.max(3, String(options.apps).length);
  const units: UnitPlan[] = [];
  for (let i = 0; i < options.apps; i++) {
    const name = `app-${pad(i + 1, width)}`;
    const team = where.teams[i % where.teams.length]!;
    const own = where.teamRepo.get(team);
    units.push({
      name,
      variant: 'app',
      team,
      targetNamespace: team,
      namespace: ns,
      id: nodeId('Kustomization', ns, name),
      repo: (own ?? where.fleet).fullName,
      dir: own ? `apps/${name}` : `apps/${team}/${name}`,
      dependsOn: [],
      // Churn bumps the app's churn ConfigMap; app.configMaps false leaves it out.
      churnable: options.app.configMaps,
      forceWait: false,
      shard: nextShard(),
    });
  }
  return units;
}

/**
 * The graph's shape on the healthy apps, then the faults on the last apps (kept out of the
 * shape, so each injected cycle is exactly one strongly connected component and the truth
 * lists every cycle there is).
 */
function injectFaults(options: GeneratorOptions, units: UnitPlan[]): Pick<GraphTruth, 'cycles' | 'brokenRoots' | 'missing'> {
  const ns = options.flux.namespace;
  const random = new SeededRandom(`${options.seed}/graph`);
  const { faults } = options.graph;
  const cycles: string[][] = [];
  const brokenRoots: BrokenRoot[] = [];
  const missing: string[] = [];
  const healthy = units.slice(0, units.length - reservedFaultApps(faults));
  shapeEdges(healthy.length, options.graph, random).forEach((deps, i) => {
    healthy[i]!.dependsOn = deps.map((d) => healthy[d]!.id);
  });
  let cursor = healthy.length;
  const take = (n: number): UnitPlan[] => {
    const taken = units.slice(cursor, cursor + n);
    cursor += n;
    return taken;
  };
  const ring = (members: UnitPlan[]): void => {
    members.forEach((unit, i) => unit.dependsOn.push(members[(i + 1) % members.length]!.id));
    cycles.push(members.map((u) => u.id));
  };
  for (let i = 0; i < faults.selfDependency; i++) ring(take(1));
  for (let i = 0; i < faults.twoCycles; i++) ring(take(2));
  for (const k of faults.cycles) ring(take(k));
  for (let i = 0; i < faults.missingDependency; i++) {
    const id = nodeId('Kustomization', ns, `missing-${pad(i + 1, 3)}`);
    take(1)[0]!.dependsOn.push(id);
    missing.push(id);
  }
  for (let i = 0; i < faults.brokenRoots; i++) {
    const [root, ...chain] = take(1 + faults.brokenChainLength);
    root!.variant = 'broken-root';
    root!.forceWait = true;
    brokenRoots.push({
      id: root!.id,
      reason: `PersistentVolumeClaim ${root!.targetNamespace}/${root!.name}-data uses StorageClass "fast", which does not exist, and the Kustomization waits for it (wait: true)`,
    });
    let previous = root!;
    for (const unit of chain) {
      unit.dependsOn.push(previous.id);
      previous = unit;
    }
  }
  return { cycles, brokenRoots, missing };
}

function planHelmReleases(options: GeneratorOptions, teams: string[], nextShard: NextShard): HelmReleasePlan[] {
  const ns = options.flux.namespace;
  const helmReleases: HelmReleasePlan[] = [];
  const releaseWidth = Math.max(3, String(options.helm.releases).length);
  for (let i = 0; i < options.helm.releases; i++) {
    const name = `release-${pad(i + 1, releaseWidth)}`;
    helmReleases.push({
      name,
      namespace: ns,
      id: nodeId('HelmRelease', ns, name),
      targetNamespace: teams[i % teams.length]!,
      location: 'cluster',
      dependsOn: [],
      shard: nextShard(),
    });
  }
  return helmReleases;
}

/**
 * Marks the last releases as failing (helm.failures: invalid manifests first, then failing hooks)
 * and returns them as broken roots: the ground truth says they never get Ready.
 */
function failingReleases(options: GeneratorOptions, releases: HelmReleasePlan[]): BrokenRoot[] {
  const { invalidManifest, failingHook } = options.helm.failures;
  const failing = releases.slice(releases.length - invalidManifest - failingHook);
  return failing.map((release, i) => {
    release.failure = i < invalidManifest ? 'invalid-manifest' : 'failing-hook';
    // helm-controller names the Helm release <targetNamespace>-<name> (no spec.releaseName), and the chart its objects after it.
    const helmRelease = `${release.targetNamespace}/${release.targetNamespace}-${release.name}`;
    const reason =
      release.failure === 'invalid-manifest'
        ? `the chart renders Service ${helmRelease}-invalid with port 70000, which the API server refuses, so every install and upgrade fails`
        : `the chart's pre-install/pre-upgrade hook Job ${helmRelease}-hook exceeds its 1 s deadline, so every install and upgrade fails`;
    return { id: release.id, reason };
  });
}

/**
 * khc-config creates the ConfigMap khc-hr needs, but only after khc-release is ready, and
 * khc-release is ready only when khc-hr is: a deadlock across kinds. Returns the cycle.
 */
function addKustomizationHelmCycle(options: GeneratorOptions, fleet: RepoPlan, units: UnitPlan[], helmReleases: HelmReleasePlan[], nextShard: NextShard): string[] {
  const ns = options.flux.namespace;
  const unit = (name: string, variant: UnitVariant): UnitPlan => ({
    name,
    variant,
    team: ns,
    targetNamespace: ns,
    namespace: ns,
    id: nodeId('Kustomization', ns, name),
    repo: fleet.fullName,
    dir: `faults/${name}`,
    dependsOn: [],
    churnable: false,
    forceWait: false,
    shard: nextShard(),
  });
  const config = unit('khc-config', 'khc-config');
  const release = unit('khc-release', 'khc-release');
  const hr: HelmReleasePlan = {
    name: 'khc-hr',
    namespace: ns,
    id: nodeId('HelmRelease', ns, 'khc-hr'),
    targetNamespace: ns,
    location: 'khc-release',
    valuesFromConfigMap: 'khc-values',
    dependsOn: [config.id],
    shard: release.shard,
  };
  config.dependsOn.push(release.id);
  release.dependsOn.push(hr.id);
  units.push(config, release);
  helmReleases.push(hr);
  return [config.id, release.id, hr.id];
}
