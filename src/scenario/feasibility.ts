/**
 * Can the provider hold this scenario? An estimate of what a run puts in etcd, in memory and on
 * disk (from the workload's options, the controllers and the timeline), checked against the
 * provider's declared limits (its Service range, etcd's quota) and, when given, this machine's
 * memory and free disk. Pure: no I/O; the callers pass the machine's figures.
 *
 * The estimates are deliberately coarse (calibrated on the shipped scenarios' measurements, e.g.
 * manifest-bloat-500: ~40 MiB of live objects, etcd.db_bytes 82 MiB) and name themselves as
 * estimates: a hard limit is only an error when the estimate is past it.
 */
import { providerDefinition } from '../providers/index.ts';
import { estimateWorkload, fleetSpokeNames, type WorkloadEstimate } from '../workload/index.ts';
import { formatBytes, parseDuration } from '../util/units.ts';
import type { Scenario } from './object-schema.ts';
import type { ScenarioProblem } from './timeline.ts';

const KiB = 1024;
const MiB = 1024 * KiB;

export interface EstimatePart {
  name: string;
  bytes: number;
}

export interface ScenarioEstimate {
  workload: WorkloadEstimate;
  /** Most commits the timeline's churn can push, over every repo. */
  churnCommits: number;
  /** etcd's database: live objects (twice over: bbolt pages, status and apply revisions) plus churn history. */
  etcdBytes: number;
  /** Expected peak memory of what runs on this machine, by component. */
  memory: { totalBytes: number; parts: EstimatePart[] };
  /** Disk a run fills: repos, artifacts, etcd, samples and logs. */
  disk: { totalBytes: number; parts: EstimatePart[] };
}

/** This machine's figures; without them only the provider's limits are checked. */
export interface MachineResources {
  memoryBytes?: number;
  diskFreeBytes?: number;
}

export interface FeasibilityFinding extends ScenarioProblem {
  severity: 'error' | 'warning';
}

/** A share of a limit past which an estimate earns a warning (estimates are rough). */
const warnShare = 0.75;
/** What a fake node adds to etcd (the Node, its Lease, kwok's status). */
const nodeBytes = 5 * KiB;
/** Per churn commit: the ConfigMap's new revision, two Kustomization and one GitRepository status writes, events. */
const churnRevisionBytes = (configMapBytes: number) => configMapBytes + 3 * 3 * KiB + 2 * KiB;

/** Commits each churn.start may push: rate × time left (until the run ends), capped by maxCommits, per matched repo. */
function churnCommits(scenario: Scenario, repos: number): number {
  const durationMs = parseDuration(scenario.duration);
  let total = 0;
  for (const action of scenario.timeline) {
    if (action.action !== 'churn.start') continue;
    const spanMs = Math.max(0, durationMs - parseDuration(action.at));
    const perRepo = Math.min(action.maxCommits ?? 10_000, Math.ceil((action.rate * spanMs) / 1000));
    const matched = action.repo === undefined || action.repo.includes('*') ? repos : 1;
    total += perRepo * matched;
  }
  return total;
}

/** Kustomize-controller instances: one, or the main one plus each shard. */
function kustomizeInstances(scenario: Scenario): number {
  const shards = scenario.controllers.kustomize.shards;
  return shards > 1 ? shards + 1 : 1;
}

/**
 * What large CRD schemas cost kube-apiserver beyond the objects themselves: it keeps each schema
 * decoded, compiled into validators and in the OpenAPI documents it serves. Measured (bench:mttp,
 * 2026-12-02, 500 per-app OCI Kustomizations): 500 CRDs of 76 KiB schemas took its peak from 1,608
 * to 5,197 MiB against minimal ones, ~94 bytes per schema byte, of which the watch-cache term
 * (4 × the stored object) accounts for ~6; 128 KiB ones ~75 (a lower bound, read with ps).
 */
const crdSchemaBytesInApiServer = 88;

function crdSchemaMemory(scenario: Scenario): number {
  return scenario.workload.crds * (scenario.workload.crdSchemaSize ?? 0) * crdSchemaBytesInApiServer;
}

function memoryParts(scenario: Scenario, workload: WorkloadEstimate, etcdBytes: number): EstimatePart[] {
  const live = workload.objectBytes;
  const { apps } = scenario.workload;
  const releases = scenario.workload.helm.releases;
  const nodes = scenario.provider.nodes;
  const parts: EstimatePart[] = [];
  if (providerDefinition(scenario.provider.type).capabilities.ownsCluster) {
    // bbolt maps the whole database; the API server's watch cache holds decoded objects (~4× encoded).
    parts.push({ name: 'etcd', bytes: 64 * MiB + etcdBytes });
    parts.push({ name: 'kube-apiserver', bytes: 256 * MiB + 4 * live + crdSchemaMemory(scenario) });
    parts.push({ name: 'kube-controller-manager', bytes: 64 * MiB + live });
    parts.push({ name: 'kube-scheduler', bytes: 48 * MiB + workload.pods * 4 * KiB });
    parts.push({ name: 'kwok', bytes: 48 * MiB + (workload.pods + nodes) * 4 * KiB });
    // Measured: ~180 MiB peak for a ~96 MiB repo (monorepo-memory); a clone is held whole.
    parts.push({ name: 'source-controller', bytes: 96 * MiB + workload.largestRepoBytes });
    // Measured (sizing): 137 MiB at 50 apps, 164 MiB at 500, i.e. ~60 KiB per app, per instance base.
    // A fleet's hub reconciles every app and release once per spoke.
    const copies = scenario.fleet ? fleetSpokeNames(scenario.fleet).length : 1;
    parts.push({ name: 'kustomize-controller', bytes: kustomizeInstances(scenario) * 128 * MiB + apps * copies * 64 * KiB });
    if (scenario.controllers.helm.enabled || releases > 0) parts.push({ name: 'helm-controller', bytes: 72 * MiB + releases * copies * 512 * KiB });
    if (scenario.controllers.notification.enabled) parts.push({ name: 'notification-controller', bytes: 40 * MiB });
    // Measured (bench:fleet, 5 spokes of 2 apps, 2026-12-01): kube-apiserver 254 MiB, etcd 42 MiB,
    // kube-controller-manager 75 MiB (its trimmed set), 371 MiB a spoke; plus each spoke's copy of the apps' objects,
    // held as on the hub (encoded in etcd, ~4× decoded in the API server's watch cache).
    if (scenario.fleet && scenario.fleet.spokes > 0) {
      parts.push({ name: `spoke clusters (${scenario.fleet.spokes} × etcd, kube-apiserver, kube-controller-manager)`, bytes: scenario.fleet.spokes * (370 * MiB + 5 * live) });
    }
  }
  // Measured (bench:overhead): 193-226 MiB observing 1,000 Kustomizations; informers keep ~1 KiB an object.
  parts.push({ name: 'fluxbench (samplers, fake GitHub)', bytes: 200 * MiB + workload.objectCount * KiB });
  // git pack-objects of the fake GitHub serving one clone of the largest repo.
  parts.push({ name: 'git (fake GitHub)', bytes: 32 * MiB + workload.largestHeadBytes });
  return parts;
}

function diskParts(scenario: Scenario, workload: WorkloadEstimate, etcdBytes: number, commits: number): EstimatePart[] {
  const durationMs = parseDuration(scenario.duration);
  const intervalMs = parseDuration(scenario.sampling.interval);
  const sourceIntervalMs = parseDuration(scenario.workload.flux.sourceInterval);
  // Samples: ~100 a round (controllers, objects, API) plus a request sample per poll and lag per commit.
  const samples = ((durationMs / intervalMs) * 100 + workload.repos * (durationMs / sourceIntervalMs) * 2 + commits * 10) * 300;
  const parts: EstimatePart[] = [
    { name: 'repositories', bytes: workload.repoBytes },
    // source-controller keeps each repo's artifact (its HEAD, gzipped) and the previous one.
    { name: 'artifacts', bytes: 2 * workload.headBytes },
    { name: 'samples and logs', bytes: 32 * MiB + samples },
  ];
  if (providerDefinition(scenario.provider.type).capabilities.ownsCluster) parts.push({ name: 'etcd', bytes: etcdBytes });
  return parts;
}

const sum = (parts: EstimatePart[]) => parts.reduce((total, p) => total + p.bytes, 0);

/**
 * What a run of `scenario` should cost: objects by kind, repos, etcd, peak memory and disk.
 * O(1) in the workload's size; never throws for a scenario that passed the schema.
 */
export function estimateScenario(scenario: Scenario): ScenarioEstimate {
  const workload = estimateWorkload(scenario.workload);
  const commits = churnCommits(scenario, workload.repos);
  const configMap = workload.objects.find((o) => o.kind === 'ConfigMap')?.bytesEach ?? 0;
  const etcdBytes = 2 * (workload.objectBytes + scenario.provider.nodes * nodeBytes) + commits * churnRevisionBytes(configMap);
  const memory = memoryParts(scenario, workload, etcdBytes);
  const disk = diskParts(scenario, workload, etcdBytes, commits);
  return { workload, churnCommits: commits, etcdBytes, memory: { totalBytes: sum(memory), parts: memory }, disk: { totalBytes: sum(disk), parts: disk } };
}

/** Addresses in an IPv4 CIDR that Services can take (network and broadcast excluded). */
export function serviceRangeSize(cidr: string): number {
  const prefix = Number(/\/(\d+)$/.exec(cidr)?.[1] ?? '32');
  return Math.max(0, 2 ** (32 - prefix) - 2);
}

/** The field most responsible for etcd's size: the biggest kind's driver. */
function etcdBlame(scenario: Scenario, estimate: ScenarioEstimate): (string | number)[] {
  const churn = estimate.churnCommits * churnRevisionBytes(0);
  const biggest = [...estimate.workload.objects].sort((a, b) => b.count * b.bytesEach - a.count * a.bytesEach)[0];
  if (!biggest || churn > biggest.count * biggest.bytesEach) return ['timeline'];
  if (biggest.kind === 'ConfigMap') return scenario.workload.app.bytesPerManifest >= 4 * KiB ? ['workload', 'app', 'bytesPerManifest'] : ['workload', 'app', 'manifests'];
  if (biggest.kind === 'Pod') return ['workload', 'app', 'replicas'];
  if (['HelmRelease', 'HelmChart', 'Secret'].includes(biggest.kind)) return ['workload', 'helm', 'releases'];
  return ['workload', 'apps'];
}

/** The field most responsible for the repos' size. */
function repoBlame(scenario: Scenario): (string | number)[] {
  const w = scenario.workload;
  const candidates: Array<[number, (string | number)[]]> = [
    [w.repoSizeBytes, ['workload', 'repoSizeBytes']],
    [w.largeFiles.count * w.largeFiles.bytes, ['workload', 'largeFiles']],
    [w.ignoredFiles.count * w.ignoredFiles.bytes, ['workload', 'ignoredFiles']],
    [w.history.commits * 600, ['workload', 'history', 'commits']],
  ];
  const top = candidates.sort((a, b) => b[0] - a[0])[0]!;
  return top[0] > 0 ? top[1] : ['workload', 'apps'];
}

function againstLimit(path: (string | number)[], what: string, estimate: number, limit: number, limitName: string, consequence: string): FeasibilityFinding[] {
  if (estimate > limit) return [{ severity: 'error', path, message: `${what} ≈ ${formatBytes(estimate)} (estimate) but ${limitName} is ${formatBytes(limit)}: ${consequence}` }];
  if (estimate > warnShare * limit) {
    return [{ severity: 'warning', path, message: `${what} ≈ ${formatBytes(estimate)} (estimate), ${Math.round((100 * estimate) / limit)}% of ${limitName} (${formatBytes(limit)}): ${consequence}` }];
  }
  return [];
}

/**
 * Where the scenario does not fit: errors past a hard limit (the provider's Service range and
 * etcd quota, this machine's free disk), warnings near one or for memory (the kernel may swap or
 * OOM-kill, but the estimate is too rough to refuse on). Each names the field to change, the
 * estimate and the limit.
 */
export function feasibilityFindings(scenario: Scenario, estimate: ScenarioEstimate, machine: MachineResources = {}): FeasibilityFinding[] {
  const findings: FeasibilityFinding[] = [];
  const type = scenario.provider.type;
  const limits = providerDefinition(type).limits ?? {};
  if (limits.serviceClusterIpRange) {
    const capacity = serviceRangeSize(limits.serviceClusterIpRange) - 1; // the `kubernetes` Service takes one
    if (estimate.workload.services > capacity) {
      findings.push({
        severity: 'error',
        path: ['workload', 'apps'],
        message: `${estimate.workload.services.toLocaleString('en-US')} Services (one per app) need a ClusterIP each but provider ${type}'s service range ${limits.serviceClusterIpRange} has ${capacity.toLocaleString('en-US')} free: the API server would refuse the rest ("range is full")`,
      });
    }
  }
  if (limits.etcdQuotaBackendBytes) {
    const what = `${estimate.workload.objectCount.toLocaleString('en-US')} objects${estimate.churnCommits > 0 ? ` and ${estimate.churnCommits.toLocaleString('en-US')} churn commits` : ''} in etcd`;
    findings.push(...againstLimit(etcdBlame(scenario, estimate), what, estimate.etcdBytes, limits.etcdQuotaBackendBytes, `provider ${type}'s etcd quota`, 'past it etcd refuses every write ("database space exceeded")'));
  }
  if (machine.diskFreeBytes !== undefined) {
    findings.push(...againstLimit(repoBlame(scenario), 'the run\'s disk (repos, artifacts, etcd, samples)', estimate.disk.totalBytes, machine.diskFreeBytes, 'the free disk here', 'the run would stop with a full disk'));
  }
  if (machine.memoryBytes !== undefined) {
    const top = [...estimate.memory.parts].sort((a, b) => b.bytes - a.bytes)[0]!;
    const path =
      top.name === 'source-controller'
        ? repoBlame(scenario)
        : top.name === 'kube-apiserver' && crdSchemaMemory(scenario) > top.bytes / 2
          ? ['workload', 'crdSchemaSize']
          : ['workload', 'apps'];
    const found = againstLimit(path, `peak memory (largest: ${top.name} ≈ ${formatBytes(top.bytes)})`, estimate.memory.totalBytes, machine.memoryBytes, 'this machine\'s memory', 'expect swapping or OOM kills that measure the machine, not Flux');
    findings.push(...found.map((f) => ({ ...f, severity: 'warning' as const })));
  }
  return findings;
}

/** The provider-limit errors, as schema problems (they need no machine figures, so every load checks them). */
export function feasibilityProblems(scenario: Scenario): ScenarioProblem[] {
  return feasibilityFindings(scenario, estimateScenario(scenario))
    .filter((f) => f.severity === 'error')
    .map(({ path, message }) => ({ path, message }));
}
