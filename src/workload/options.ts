/**
 * The generator's options as a scenario's `workload:` section sets them, with defaults.
 * Parsing never lets a bad value through to git: every problem becomes a UsageError naming
 * the field and what is allowed.
 */
import { z } from 'zod';
import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';
import { fleetOptionsSchema, fleetWorkloadProblems, maxHelmReleases } from './fleet-options.ts';
import { fluxOptionsSchema } from './flux-options.ts';
import { atLeastOne, bounded, byteSize, count, dnsName, fluxDuration, objectName } from './option-fields.ts';

export const layouts = ['monorepo', 'repo-per-team', 'both'] as const;
export const graphShapes = ['none', 'chain', 'fan-out', 'fan-in', 'random'] as const;
export const helmSources = ['helm-repository', 'git-repository', 'oci-repository'] as const;
/** What HelmReleases ask the chart to render: see helmOptionsSchema's `values`. */
export const helmValueShapes = ['minimal', 'app'] as const;
/** HelmRelease `spec.driftDetection.mode`. */
export const driftDetectionModes = ['disabled', 'warn', 'enabled'] as const;
/** Where Flux fetches the workload from: the fake GitHub, or the run's OCI registry. */
export const workloadSources = ['git', 'oci'] as const;
/** per-app: one OCIRepository per app (the flux-benchmark shape); per-team: one per team. */
export const ociLayouts = ['per-app', 'per-team'] as const;
export { gitAuthModes, gitProviders } from './flux-options.ts';

/**
 * Apps: each is a Kustomization plus ~8 objects it applies (Deployment, ReplicaSet, Pods,
 * Service, EndpointSlices, ConfigMaps), ~30 KiB in etcd and several times that in the API
 * server's watch cache and the controllers' informers: 20,000 apps are ~200,000 objects, about
 * what 24 GiB holds beside etcd and Flux (500 already do not settle in 10 minutes on 2 cores).
 */
export const maxApps = 20_000;
const appsWhy = 'more apps than a 24 GiB machine can hold (~200,000 objects at 20,000)';
/** Dummy CRDs: flux-benchmark's largest set is 500; twice that is already far past most clusters. */
export const maxCrds = 1_000;
/**
 * The largest `workload.crdSchemaSize`: a CRD is one etcd value, which etcd refuses over 1.5 MiB
 * by default, and server-side apply stores the schema's field paths again in managedFields.
 */
export const maxCrdSchemaBytes = 512 * 1024;
/** The most schema bytes all dummy CRDs may carry together: they are applied as one list, and etcd's default quota is 2 GiB. */
export const maxCrdSchemaTotalBytes = 256 * 1024 * 1024;
/** Bytes bounds: repos live on this machine's disk and a clone in source-controller's memory. */
const maxFileBytes = 2 ** 30;
const maxRepoBytes = 16 * 2 ** 30;

/** Leaves room for metadata under the API server's 1MiB object limit. */
const maxConfigMapPayload = 1_000_000;

const appOptionsSchema = z
  .object({
    /** Manifest files per app; the first three are Deployment, Service and ConfigMap, extras are ConfigMaps. */
    manifests: z
      .number()
      .int({ error: 'expected a whole number' })
      .min(3, { error: 'must be at least 3 (Deployment, Service, ConfigMap)' })
      // Extra manifests are ConfigMaps: 100 per app are already 2,000,000 objects at maxApps.
      .max(100, { error: 'must be at most 100: every manifest past 3 is one more ConfigMap per app' })
      .default(3),
    /** Payload bytes in each ConfigMap manifest (large ConfigMaps stress apply and etcd). */
    bytesPerManifest: byteSize()
      .refine((bytes) => bytes <= maxConfigMapPayload, { error: `must be at most ${maxConfigMapPayload} bytes: the API server refuses ConfigMaps over 1MiB` })
      .default(256),
    // kwok fakes Pods, but each is a real object with a status (~3.5 KiB in etcd).
    replicas: count(100, 'each replica is a Pod object; 100 per app are 2,000,000 Pods at the apps bound').default(2),
    hpa: z.boolean().default(false),
    ingress: z.boolean().default(false),
    /** The Ingress's `spec.ingressClassName` (flux-benchmark's: nginx); unset leaves it out. No IngressClass need exist: nothing serves these. */
    ingressClassName: objectName().optional(),
    /** A ServiceAccount `<app>` per app, named by the Deployment's serviceAccountName (the flux-benchmark app has one). */
    serviceAccount: z.boolean().default(false),
    /**
     * false: the app has no ConfigMap at all: neither `<app>-config` (nor the Deployment's envFrom)
     * nor the churn ConfigMap history and churn commits bump, so its apps cannot be churned.
     * With serviceAccount, ingress and replicas 0 this is flux-benchmark's app exactly.
     */
    configMaps: z.boolean().default(true),
  })
  .strict();

const historyOptionsSchema = z
  .object({
    /** Commits per repo, the initial one included. */
    // git fast-import writes ~1,000 commits in 9 s here: 50,000 per repo is minutes of generation.
    commits: atLeastOne(50_000, 'history is generated before the run starts, ~1,000 commits per 9 s').default(1),
    /** Apps whose churn ConfigMap each history commit bumps. */
    appsPerCommit: atLeastOne(maxApps, 'a commit cannot bump more apps than the workload has at most').default(1),
  })
  .strict();

const filesOptionsSchema = (defaultBytes: number, maxCount: number) =>
  z
    .object({
      count: count(maxCount, 'files are written into every repo').default(0),
      bytes: byteSize()
        .refine((bytes) => bytes <= maxFileBytes, { error: `must be at most ${maxFileBytes} bytes (1Gi): every repo carries the file and a clone holds it in memory` })
        .default(defaultBytes),
    })
    .strict();

const helmOptionsSchema = z
  .object({
    // Each release is a HelmRelease, a HelmChart, a Helm storage Secret (~10 KiB) and the chart's objects.
    releases: count(maxHelmReleases, 'each release also makes a HelmChart, a Helm release Secret and the chart\'s objects').default(0),
    /**
     * Where HelmReleases get the chart: `helm-repository` (a HelmRepository and a HelmChart per
     * release: with source git on the fake GitHub's Pages, with source oci a HelmRepository of
     * `type: oci` on the run's registry, as flux-benchmark's), `git-repository` (charts/ in the
     * fleet repo; source git only), `oci-repository` (HelmRelease `chartRef` to one OCIRepository
     * on the run's registry, no HelmCharts; source oci only). With source oci the chart is pushed
     * to the registry with `helm push` either way.
     */
    source: z.enum(helmSources).default('helm-repository'),
    /** Repository under the owner whose GitHub Pages serve the chart (helm-repository source). */
    pagesRepo: dnsName().default('charts'),
    /**
     * `minimal`: each release is one Deployment (1 replica) and a ConfigMap; `app`: each release is
     * the app as `app` describes it (app.replicas, a Service, a ServiceAccount with
     * app.serviceAccount, an Ingress with app.ingress, a ConfigMap unless app.configMaps is false),
     * as flux-benchmark's HelmReleases install podinfo scaled to zero.
     */
    values: z.enum(helmValueShapes).default('minimal'),
    /** HelmRelease `spec.driftDetection.mode`; unset leaves the field out (helm-controller's default, disabled). */
    driftDetection: z.enum(driftDetectionModes).optional(),
    /**
     * Releases that fail, taken from the last of `releases`: `invalidManifest` render a Service
     * the API server refuses (port 70000), so install and upgrade fail at once; `failingHook`
     * carry a pre-install/pre-upgrade hook Job whose deadline (1 s) the Job controller enforces,
     * so the hook fails. They never get Ready (the ground truth says so).
     */
    failures: z
      .object({
        invalidManifest: count(5_000, 'failing releases come from helm.releases').default(0),
        failingHook: count(5_000, 'failing releases come from helm.releases').default(0),
      })
      .strict()
      .prefault({}),
    /**
     * HelmRelease remediation as Flux spells it, on every release: `retries` (spec.install and
     * spec.upgrade `.remediation.retries`; -1 = retry forever), `strategy` (upgrade: rollback or
     * uninstall), `remediateLastFailure`, and `maxHistory` (spec.maxHistory; 0 = unlimited, which
     * with unbounded retries grows Helm's release Secrets in etcd). Unset fields are left out.
     */
    remediation: z
      .object({
        retries: bounded(-1, 1_000, 'retries beyond 1,000 are what -1 (forever) means').optional(),
        strategy: z.enum(['rollback', 'uninstall']).optional(),
        remediateLastFailure: z.boolean().optional(),
        maxHistory: count(1_000, 'Helm keeps that many release Secrets per release').optional(),
      })
      .strict()
      .prefault({}),
  })
  .strict();

// Fault counts take apps from the pool (checked against apps below); the bound only stops overflow.
const faultCount = () => count(maxApps, 'faults take apps from the workload, which has at most that many');
const faultsOptionsSchema = z
  .object({
    selfDependency: faultCount().default(0),
    twoCycles: faultCount().default(0),
    /** Lengths of extra dependency cycles, e.g. [3, 5] = one 3-cycle and one 5-cycle. */
    cycles: z
      .array(z.number().int({ error: 'expected a whole number' }).min(2, { error: 'a cycle needs at least 2 apps' }).max(maxApps, { error: `must be at most ${maxApps}: a cycle's apps come from the workload` }))
      .max(1_000, { error: 'at most 1,000 cycles' })
      .default([]),
    /** Kustomization <-> HelmRelease deadlock through a ConfigMap (3 extra objects). */
    kustomizationHelmCycle: z.boolean().default(false),
    missingDependency: faultCount().default(0),
    /** Chains whose root never becomes ready (PVC on an absent StorageClass "fast", wait: true). */
    brokenRoots: faultCount().default(0),
    /** Dependents chained below each broken root. */
    brokenChainLength: faultCount().default(2),
  })
  .strict();

const ociOptionsSchema = z
  .object({
    /** per-app: one artifact and OCIRepository per app (path ./); per-team: one per team, each app a directory in it. */
    layout: z.enum(ociLayouts).default('per-app'),
  })
  .strict();

const graphOptionsSchema = z
  .object({
    shape: z.enum(graphShapes).default('none'),
    /** chain: apps per chain. */
    depth: atLeastOne(maxApps, 'a chain cannot be longer than the workload has apps at most').default(3),
    /** fan-out / fan-in: children per node. */
    fanOut: atLeastOne(1_000, 'dependsOn lists of that many entries are already far past real ones').default(3),
    /** random: chance that an app depends on each earlier app. */
    edgeProbability: z.number().min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' }).default(0.1),
    /** random: most dependsOn entries per app. */
    maxDependsOn: atLeastOne(1_000, 'dependsOn lists of that many entries are already far past real ones').default(3),
    faults: faultsOptionsSchema.prefault({}),
  })
  .strict();

export const generatorOptionsSchema = z
  .object({
    // Not a count: any whole number picks a different (reproducible) workload.
    seed: z.number().int({ error: 'expected a whole number' }).min(0, { error: 'must be 0 or more' }).default(1),
    /** GitHub owner (org) of every generated repo. */
    owner: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, { error: 'expected 1-39 letters, digits or "-"' }).default('fluxbench'),
    /** Cluster name: the fleet repo keeps its Flux objects under clusters/<cluster>/. */
    cluster: dnsName().default('dev'),
    layout: z.enum(layouts).default('monorepo'),
    /**
     * `git`: GitRepositories clone the generated repos from the fake GitHub; `oci`: every commit
     * is published to the run's OCI registry (flux push artifact) and OCIRepositories pull it.
     */
    source: z.enum(workloadSources).default('git'),
    /** How an OCI workload is cut into artifacts (source oci). */
    oci: ociOptionsSchema.prefault({}),
    /** Name of the fleet repo (the monorepo when layout is monorepo or both). */
    fleetRepo: dnsName().default('fleet'),
    // One Namespace each, and with repo-per-team one repo and GitRepository each.
    teams: atLeastOne(1_000, 'each team is a namespace and, with repo-per-team, a repo polled by its own GitRepository').default(2),
    apps: count(maxApps, appsWhy).default(10),
    app: appOptionsSchema.prefault({}),
    history: historyOptionsSchema.prefault({}),
    /** Target size of all history together; the gap is filled with incompressible files under assets/. 0 = no target. */
    repoSizeBytes: byteSize()
      .refine((bytes) => bytes <= maxRepoBytes, { error: `must be at most ${maxRepoBytes} bytes (16Gi): every repo is that big on disk, and source-controller clones it` })
      .default(0),
    /** Large binary files in every repo's HEAD (assets/large-<i>.bin). */
    largeFiles: filesOptionsSchema(1024 * 1024, 1_000).prefault({}),
    /** Files under ignored/ that .sourceignore makes source-controller skip. */
    ignoredFiles: filesOptionsSchema(64 * 1024, 10_000).prefault({}),
    flux: fluxOptionsSchema.prefault({}),
    helm: helmOptionsSchema.prefault({}),
    graph: graphOptionsSchema.prefault({}),
    /**
     * Dummy CustomResourceDefinitions applied (and Established) before the root objects, one API
     * group each, as flux-benchmark preinstalls 50, 250 or 500 to load the API server's discovery
     * and the controllers' RESTMappers (see crds.ts).
     */
    crds: count(maxCrds, 'each CRD is one more API group the API server serves and every client discovers').default(0),
    /**
     * Bytes of JSON schema in each dummy CRD (1Ki to 512Ki; "76Ki" is as many as the two versions
     * of flux-benchmark's HelmRelease copies together), or unset for the minimal schema (see crds.ts).
     */
    crdSchemaSize: byteSize()
      .refine((bytes) => bytes >= 1024 && bytes <= maxCrdSchemaBytes, {
        error: 'must be from 1Ki to 512Ki: a CRD is one etcd value, which etcd caps at 1.5 MiB, and server-side apply stores its field paths again',
      })
      .optional(),
    /** Fleet mode: a scenario's top-level `fleet` section, which the runner copies here (fleet-options.ts). */
    fleet: fleetOptionsSchema.optional(),
  })
  .strict();

/** Options as written in a scenario (before defaults). */
export type GeneratorOptionsInput = z.input<typeof generatorOptionsSchema>;
/** Options with every default filled in and sizes in bytes. */
export type GeneratorOptions = z.output<typeof generatorOptionsSchema>;

/** Fault apps reserved out of the app pool, by fault. */
export function reservedFaultApps(faults: GeneratorOptions['graph']['faults']): number {
  return (
    faults.selfDependency +
    faults.twoCycles * 2 +
    faults.cycles.reduce((sum, k) => sum + k, 0) +
    faults.missingDependency +
    faults.brokenRoots * (1 + faults.brokenChainLength)
  );
}

/**
 * Validates and defaults generator options; `where` names the source (a file, "--config")
 * so the message points at it.
 */
export function parseGeneratorOptions(input: unknown, where = 'workload'): GeneratorOptions {
  const result = generatorOptionsSchema.safeParse(input ?? {});
  if (!result.success) {
    const lines = formatZodIssues(result.error.issues, { root: where, prefix: '  ' });
    throw new UsageError(`invalid workload generator options:\n${lines.join('\n')}`);
  }
  const options = result.data;
  if (/^team-\d+$/.test(options.fleetRepo)) {
    throw new UsageError(`${where}.fleetRepo: "${options.fleetRepo}" is taken by team repos (team-<n>); choose another name such as "fleet"`);
  }
  if (options.crdSchemaSize !== undefined && options.crds * options.crdSchemaSize > maxCrdSchemaTotalBytes) {
    throw new UsageError(
      `${where}.crdSchemaSize: ${options.crds} CRDs (${where}.crds) of ${options.crdSchemaSize} bytes each are more than ${maxCrdSchemaTotalBytes / 2 ** 20} MiB of schema together (applied as one list, stored in etcd with its 2 GiB default quota); ask for fewer or smaller CRDs`,
    );
  }
  if (!options.app.configMaps && options.app.manifests > 3) {
    throw new UsageError(
      `${where}.app.manifests: ${options.app.manifests} asks for ${options.app.manifests - 3} extra ConfigMap(s) per app, but ${where}.app.configMaps is false (no ConfigMaps); use manifests 3 or configMaps true`,
    );
  }
  const sourceProblem = sourceOptionsProblem(options, where);
  if (sourceProblem) throw new UsageError(sourceProblem);
  const fleetProblem = options.fleet && fleetWorkloadProblems(options, options.fleet, maxApps)[0];
  if (fleetProblem) throw new UsageError(`${where}.${fleetProblem.field.join('.')}: ${fleetProblem.message}${fleetProblem.allowed ? ` (allowed: ${fleetProblem.allowed.join(', ')})` : ''}`);
  const { faults } = options.graph;
  for (const [index, k] of faults.cycles.entries()) {
    if (k > options.apps) {
      throw new UsageError(
        `${where}.graph.faults.cycles.${index}: a ${k}-cycle needs ${k} apps but the workload has only ${options.apps} (workload.apps); use a cycle length between 2 and ${options.apps} or raise apps`,
      );
    }
  }
  const failing = options.helm.failures.invalidManifest + options.helm.failures.failingHook;
  if (failing > options.helm.releases) {
    throw new UsageError(
      `${where}.helm.failures: ${failing} failing releases (invalidManifest + failingHook) but ${where}.helm.releases is ${options.helm.releases}; they are taken from the releases: raise releases or ask for fewer failures`,
    );
  }
  const reserved = reservedFaultApps(faults);
  if (reserved > options.apps) {
    throw new UsageError(
      `${where}.graph.faults: the injected faults need ${reserved} apps (selfDependency + 2×twoCycles + sum(cycles) + missingDependency + brokenRoots×(1+brokenChainLength)) but ${where}.apps is ${options.apps}; raise apps or ask for fewer faults`,
    );
  }
  return options;
}

/** Options that only one source kind can honour, set for the other; the message names field and allowed values. */
function sourceOptionsProblem(options: GeneratorOptions, where: string): string | undefined {
  const hasReleases = options.helm.releases > 0 || options.graph.faults.kustomizationHelmCycle;
  if (options.source === 'git') {
    if (options.helm.source === 'oci-repository') {
      return `${where}.helm.source: oci-repository pulls the chart from the run's OCI registry, which only ${where}.source oci starts (allowed with source git: helm-repository, git-repository)`;
    }
    return undefined;
  }
  if (options.flux.provider === 'github') {
    return `${where}.flux.provider: github authenticates GitRepositories as a GitHub App; with ${where}.source oci there are none (allowed: generic)`;
  }
  if (options.flux.fleetRef === 'commit') {
    return `${where}.flux.fleetRef: commit pins the fleet GitRepository to a commit; with ${where}.source oci the fleet is an OCIRepository following its tag (allowed: branch)`;
  }
  if (hasReleases && options.helm.source === 'git-repository') {
    return `${where}.helm.source: git-repository takes the chart from the fleet's Git repository, which Flux does not reach with ${where}.source oci (allowed with source oci: oci-repository, helm-repository)`;
  }
  return undefined;
}
