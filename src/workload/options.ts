/**
 * The generator's options as a scenario's `workload:` section sets them, with defaults.
 * Parsing never lets a bad value through to git: every problem becomes a UsageError naming
 * the field and what is allowed.
 */
import { z } from 'zod';
import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';
import { parseDuration, parseQuantity } from '../util/units.ts';

export const layouts = ['monorepo', 'repo-per-team', 'both'] as const;
export const graphShapes = ['none', 'chain', 'fan-out', 'fan-in', 'random'] as const;
export const helmSources = ['helm-repository', 'git-repository'] as const;
export const gitAuthModes = ['none', 'basic'] as const;
export const gitProviders = ['generic', 'github'] as const;

const count = () => z.number().int({ error: 'expected a whole number' }).min(0, { error: 'must be 0 or more' });
const atLeastOne = () => z.number().int({ error: 'expected a whole number' }).min(1, { error: 'must be at least 1' });

/** A Kubernetes object name segment: lowercase letters, digits and "-". */
const dnsName = () =>
  z
    .string()
    .regex(/^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/, { error: 'expected lowercase letters, digits and "-" (not at the start or end)' })
    .max(40, { error: 'must be at most 40 characters' });

/** A Go duration Flux understands ("1m", "30s", "1h30m"); numbers mean seconds. */
const fluxDuration = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      const ms = parseDuration(value);
      if (ms <= 0) throw new Error('must be longer than 0s');
      return typeof value === 'number' ? `${value}s` : value.trim();
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
      return z.NEVER;
    }
  });

/** A size as bytes or a quantity ("64Ki", "200Mi"), parsed to a byte count. */
const byteSize = () =>
  z.union([z.string(), z.number()]).transform((value, ctx) => {
    try {
      const bytes = parseQuantity(value);
      if (bytes < 0) throw new Error(`size ${value} must not be negative`);
      return bytes;
    } catch (err) {
      ctx.issues.push({ code: 'custom', message: (err as Error).message, input: value });
      return z.NEVER;
    }
  });

/** Leaves room for metadata under the API server's 1MiB object limit. */
const maxConfigMapPayload = 1_000_000;

const appOptionsSchema = z
  .object({
    /** Manifest files per app; the first three are Deployment, Service and ConfigMap, extras are ConfigMaps. */
    manifests: z.number().int({ error: 'expected a whole number' }).min(3, { error: 'must be at least 3 (Deployment, Service, ConfigMap)' }).default(3),
    /** Payload bytes in each ConfigMap manifest (large ConfigMaps stress apply and etcd). */
    bytesPerManifest: byteSize()
      .refine((bytes) => bytes <= maxConfigMapPayload, { error: `must be at most ${maxConfigMapPayload} bytes: the API server refuses ConfigMaps over 1MiB` })
      .default(256),
    replicas: count().default(2),
    hpa: z.boolean().default(false),
    ingress: z.boolean().default(false),
  })
  .strict();

const historyOptionsSchema = z
  .object({
    /** Commits per repo, the initial one included. */
    commits: atLeastOne().default(1),
    /** Apps whose churn ConfigMap each history commit bumps. */
    appsPerCommit: atLeastOne().default(1),
  })
  .strict();

const filesOptionsSchema = (defaultBytes: number) =>
  z
    .object({
      count: count().default(0),
      bytes: byteSize().default(defaultBytes),
    })
    .strict();

const fluxOptionsSchema = z
  .object({
    namespace: dnsName().default('flux-system'),
    /** Interval of every GitRepository / HelmRepository. */
    sourceInterval: fluxDuration().default('1m'),
    /** Interval of every Kustomization / HelmRelease. */
    interval: fluxDuration().default('10m'),
    retryInterval: fluxDuration().default('1m'),
    timeout: fluxDuration().default('3m'),
    wait: z.boolean().default(false),
    prune: z.boolean().default(true),
    /** Add a healthCheck on each app's Deployment. */
    healthChecks: z.boolean().default(false),
    /** Set targetNamespace to the app's team namespace. */
    targetNamespace: z.boolean().default(true),
    /** `basic`: GitRepositories get a secretRef to a basic-auth Secret holding the fake GitHub token. */
    auth: z.enum(gitAuthModes).default('none'),
    provider: z.enum(gitProviders).default('generic'),
    /** GitRepository `spec.ignore` (gitignore syntax); unset leaves Flux's defaults plus .sourceignore. */
    ignore: z.string().optional(),
    /**
     * How the fleet GitRepository (the root, applied by hand) references its repo: `branch`
     * (main; source-controller clones at depth 1) or `commit` (main pinned to the generated head
     * commit; source-controller clones a commit with its whole history).
     */
    fleetRef: z.enum(['branch', 'commit']).default('branch'),
    /** Spread objects over N shards with the `sharding.fluxcd.io/key: shard1..shardN` label; 0 = no labels. */
    shards: count().default(0),
  })
  .strict();

const helmOptionsSchema = z
  .object({
    releases: count().default(0),
    source: z.enum(helmSources).default('helm-repository'),
    /** Repository under the owner whose GitHub Pages serve the chart (helm-repository source). */
    pagesRepo: dnsName().default('charts'),
  })
  .strict();

const faultsOptionsSchema = z
  .object({
    selfDependency: count().default(0),
    twoCycles: count().default(0),
    /** Lengths of extra dependency cycles, e.g. [3, 5] = one 3-cycle and one 5-cycle. */
    cycles: z.array(z.number().int({ error: 'expected a whole number' }).min(2, { error: 'a cycle needs at least 2 apps' })).default([]),
    /** Kustomization <-> HelmRelease deadlock through a ConfigMap (3 extra objects). */
    kustomizationHelmCycle: z.boolean().default(false),
    missingDependency: count().default(0),
    /** Chains whose root never becomes ready (PVC on an absent StorageClass "fast", wait: true). */
    brokenRoots: count().default(0),
    /** Dependents chained below each broken root. */
    brokenChainLength: count().default(2),
  })
  .strict();

const graphOptionsSchema = z
  .object({
    shape: z.enum(graphShapes).default('none'),
    /** chain: apps per chain. */
    depth: atLeastOne().default(3),
    /** fan-out / fan-in: children per node. */
    fanOut: atLeastOne().default(3),
    /** random: chance that an app depends on each earlier app. */
    edgeProbability: z.number().min(0, { error: 'must be between 0 and 1' }).max(1, { error: 'must be between 0 and 1' }).default(0.1),
    /** random: most dependsOn entries per app. */
    maxDependsOn: atLeastOne().default(3),
    faults: faultsOptionsSchema.prefault({}),
  })
  .strict();

export const generatorOptionsSchema = z
  .object({
    seed: count().default(1),
    /** GitHub owner (org) of every generated repo. */
    owner: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9-]{0,38}$/, { error: 'expected 1-39 letters, digits or "-"' }).default('fluxbench'),
    /** Cluster name: the fleet repo keeps its Flux objects under clusters/<cluster>/. */
    cluster: dnsName().default('dev'),
    layout: z.enum(layouts).default('monorepo'),
    /** Name of the fleet repo (the monorepo when layout is monorepo or both). */
    fleetRepo: dnsName().default('fleet'),
    teams: atLeastOne().default(2),
    apps: count().default(10),
    app: appOptionsSchema.prefault({}),
    history: historyOptionsSchema.prefault({}),
    /** Target size of all history together; the gap is filled with incompressible files under assets/. 0 = no target. */
    repoSizeBytes: byteSize().default(0),
    /** Large binary files in every repo's HEAD (assets/large-<i>.bin). */
    largeFiles: filesOptionsSchema(1024 * 1024).prefault({}),
    /** Files under ignored/ that .sourceignore makes source-controller skip. */
    ignoredFiles: filesOptionsSchema(64 * 1024).prefault({}),
    flux: fluxOptionsSchema.prefault({}),
    helm: helmOptionsSchema.prefault({}),
    graph: graphOptionsSchema.prefault({}),
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
  const { faults } = options.graph;
  for (const [index, k] of faults.cycles.entries()) {
    if (k > options.apps) {
      throw new UsageError(
        `${where}.graph.faults.cycles.${index}: a ${k}-cycle needs ${k} apps but the workload has only ${options.apps} (workload.apps); use a cycle length between 2 and ${options.apps} or raise apps`,
      );
    }
  }
  const reserved = reservedFaultApps(faults);
  if (reserved > options.apps) {
    throw new UsageError(
      `${where}.graph.faults: the injected faults need ${reserved} apps (selfDependency + 2×twoCycles + sum(cycles) + missingDependency + brokenRoots×(1+brokenChainLength)) but ${where}.apps is ${options.apps}; raise apps or ask for fewer faults`,
    );
  }
  return options;
}
