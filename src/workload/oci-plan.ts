/**
 * The OCI side of a plan (`workload.source: oci`): which artifacts the registry holds, which
 * directory of which generated Git repo each one carries, and which OCIRepository and path each
 * Kustomization reads. Commits still land in the generated Git repos (they are the CI's source
 * of truth); each one is published as artifacts, as `flux push artifact` is used in CI.
 */
import { dirname, posix } from 'node:path';
import { FluxbenchError, UsageError } from '../util/exit-codes.ts';
import type { GeneratorOptions } from './options.ts';

/** What of a planned unit (plan.ts's UnitPlan) decides its artifact. */
interface PlannedUnit {
  id: string;
  name: string;
  team: string;
  variant: string;
  /** owner/repo */
  repo: string;
  dir: string;
  shard?: string;
}

/** The tag every OCIRepository follows; each publish moves it onto the new artifact. */
export const ociTag = 'latest';
/** The dockerconfigjson Secret OCIRepositories pull with (`workload.flux.auth: basic`). */
export const registryAuthSecretName = 'fluxbench-registry-auth';
/** The Secret holding the registry's CA (`ca.crt`) when it speaks HTTPS; OCIRepositories name it in certSecretRef. */
export const registryCaSecretName = 'fluxbench-registry-ca';
/** Where `fluxbench generate` points OCIRepositories when no registry URL is given. */
export const defaultOciBaseUrl = 'oci://127.0.0.1:5000';

export interface OciArtifactPlan {
  /** The OCIRepository's name (in the Flux namespace). */
  name: string;
  /** Repository path inside the registry: `<owner>/<fleet>`, `<owner>/apps/<app>`, `<owner>/teams/<team>`. */
  repository: string;
  /** `oci://<registry as Flux reaches it>/<repository>`: the OCIRepository's spec.url. */
  url: string;
  /** The generated Git repo (owner/name) whose files it carries. */
  sourceRepo: string;
  /** The directory of that repo it carries (the artifact's root). */
  dir: string;
  role: 'fleet' | 'apps';
  shard?: string;
}

/** The name of the HelmRepository (`type: oci`) HelmReleases take the chart from with `helm.source: helm-repository`. */
export const ociHelmRepositoryName = 'charts';

export interface OciChartPlan {
  /**
   * The Flux source HelmReleases take the chart from: `OCIRepository` (`chartRef`, no HelmChart)
   * or `HelmRepository` (`type: oci`, at `pushPath`; helm-controller makes a HelmChart per release).
   */
  sourceKind: 'OCIRepository' | 'HelmRepository';
  /** The name of that source object (the chart's name for an OCIRepository, `charts` for a HelmRepository). */
  name: string;
  /** Where `helm push` puts charts: `<owner>/charts`; the chart is `<owner>/charts/<chart>:<version>`. */
  pushPath: string;
  /** `<owner>/charts/<chart>`, the repository the chart is pulled from. */
  repository: string;
  /** `oci://<host>/<owner>/charts/<chart>`, an OCIRepository's URL (a HelmRepository's is its `pushPath`). */
  url: string;
  version: string;
}

export interface OciPlan {
  /** `oci://<host>:<port>` as Flux reaches the registry. */
  baseUrl: string;
  /** `<host>:<port>`, the key of the dockerconfigjson Secret's `auths`. */
  host: string;
  /** The registry speaks HTTPS with the run's CA (certSecretRef); otherwise plain HTTP (`insecure: true`). */
  tls: boolean;
  tag: string;
  /** The fleet's cluster directory, applied by the root Kustomization. */
  fleet: OciArtifactPlan;
  /** Every artifact, the fleet first. */
  artifacts: OciArtifactPlan[];
  /** Unit id → the OCIRepository its Kustomization reads and the path inside that artifact. */
  units: Record<string, { artifact: string; path: string }>;
  chart?: OciChartPlan;
}

/** `oci://host:port` without a trailing slash; throws UsageError for anything else. */
export function normalizeOciBaseUrl(url: string): string {
  const base = url.trim().replace(/\/+$/, '');
  if (!/^oci:\/\/[A-Za-z0-9.-]+(:\d+)?$/.test(base)) throw new UsageError(`registry URL "${url}" must be oci://<host>[:<port>] (the registry as Flux reaches it), e.g. oci://127.0.0.1:5000`);
  return base;
}

/** Per-app: the unit's own artifact; per-team: its team's (the fault helpers share one, "faults"). */
function artifactKey(options: GeneratorOptions, unit: PlannedUnit): string {
  if (options.oci.layout === 'per-app') return unit.name;
  return unit.variant.startsWith('khc') ? 'faults' : unit.team;
}

/**
 * The artifacts of an OCI workload: the fleet's `clusters/<cluster>` directory, then one per
 * app (per-app, the flux-benchmark shape) or one per team holding its apps' directories
 * (per-team), and the chart's repository when HelmReleases pull it from the registry (`chart`
 * given).
 */
export function planOci(
  options: GeneratorOptions,
  fleet: { name: string; fullName: string },
  units: readonly PlannedUnit[],
  chart: { name: string; version: string; sourceKind: OciChartPlan['sourceKind'] } | undefined,
  ociBaseUrl: string,
  tls = false,
): OciPlan {
  const baseUrl = normalizeOciBaseUrl(ociBaseUrl);
  const owner = options.owner.toLowerCase();
  const artifact = (name: string, repository: string, sourceRepo: string, dir: string, role: OciArtifactPlan['role'], shard?: string): OciArtifactPlan => ({
    name,
    repository,
    url: `${baseUrl}/${repository}`,
    sourceRepo,
    dir,
    role,
    ...(shard ? { shard } : {}),
  });
  const fleetArtifact = artifact(fleet.name, `${owner}/${fleet.name}`, fleet.fullName, `clusters/${options.cluster}`, 'fleet');
  const artifacts = [fleetArtifact];
  const byKey = new Map<string, OciArtifactPlan>();
  const unitSources: OciPlan['units'] = {};
  for (const unit of units) {
    const key = artifactKey(options, unit);
    const dir = options.oci.layout === 'per-app' ? unit.dir : dirname(unit.dir);
    let planned = byKey.get(key);
    if (!planned) {
      const repository = options.oci.layout === 'per-app' ? `${owner}/apps/${key}` : `${owner}/teams/${key}`;
      planned = artifact(key, repository, unit.repo, dir, 'apps', unit.shard);
      byKey.set(key, planned);
      artifacts.push(planned);
    } else if (planned.sourceRepo !== unit.repo || planned.dir !== dir) {
      throw new FluxbenchError(`OCI plan: ${unit.name} (${unit.repo}/${dir}) does not share artifact ${key} (${planned.sourceRepo}/${planned.dir})`);
    }
    unitSources[unit.id] = { artifact: planned.name, path: options.oci.layout === 'per-app' ? './' : `./${posix.basename(unit.dir)}` };
  }
  const chartPlan: OciChartPlan | undefined = chart && {
    sourceKind: chart.sourceKind,
    name: chart.sourceKind === 'HelmRepository' ? ociHelmRepositoryName : chart.name,
    pushPath: `${owner}/charts`,
    repository: `${owner}/charts/${chart.name}`,
    url: `${baseUrl}/${owner}/charts/${chart.name}`,
    version: chart.version,
  };
  return { baseUrl, host: baseUrl.slice('oci://'.length), tls, tag: ociTag, fleet: fleetArtifact, artifacts, units: unitSources, ...(chartPlan ? { chart: chartPlan } : {}) };
}

/** How many OCIRepositories an OCI workload makes, without planning it (for estimates). */
export function ociRepositoryCount(options: GeneratorOptions, helmReleases: number): number {
  const khc = options.graph.faults.kustomizationHelmCycle;
  const apps = options.oci.layout === 'per-app' ? options.apps + (khc ? 2 : 0) : Math.min(options.teams, options.apps) + (khc ? 1 : 0);
  return 1 + apps + (helmReleases > 0 && options.helm.source === 'oci-repository' ? 1 : 0);
}

/** The `.dockerconfigjson` of the Secret OCIRepositories pull with, for one registry host. */
export function dockerConfigJson(host: string, username: string, password: string): string {
  return JSON.stringify({ auths: { [host]: { username, password, auth: Buffer.from(`${username}:${password}`).toString('base64') } } });
}
