/**
 * The scenario file's fields (the cross-field checks are added in schema.ts). Every object is strict (an unknown key is an error, since a
 * misspelt option silently ignored would make a benchmark measure something else), and
 * defaults make a file with only `name` and `workload` valid.
 */
import { z } from 'zod';
import { controlPlaneSettingsShape, providerSettingsShape, providerTypes, type ProviderType } from '../providers/index.ts';
import { defaultVersions } from '../toolchain/index.ts';
import {
  durationSchema,
  nameSchema,
  positiveDurationSchema,
  positiveIntSchema,
  quantitySchema,
  versionSchema,
} from '../util/field-schemas.ts';
import { fleetPartSchema, githubPartSchema, registryPartSchema, workloadPartSchema } from './parts.ts';
import { regressionLimitsSchema, thresholdExpressionSchema } from './expression-schemas.ts';
import { timelineActionSchema } from '../chaos/index.ts';

export const scenarioApiVersion = 'fluxbench.io/v1alpha1';
export { providerTypes };

const providerSchema = z
  .strictObject({
    type: z.enum(providerTypes).default('local').meta({ description: 'Where the cluster comes from; "local" needs no Docker.' }),
    // kwok fakes nodes cheaply, but each is a Node and a Lease renewed every few seconds.
    nodes: positiveIntSchema.max(1_000, { error: 'must be at most 1,000: each fake node is a Node and a Lease the API server keeps renewing' }).default(1),
    // kube-apiserver, etcd and kube-controller-manager; refused on providers without the controlPlaneFlags capability.
    ...controlPlaneSettingsShape,
    // Each provider declares its own fields (src/providers/<name>/); validation refuses those of another provider.
    ...providerSettingsShape(),
  })
  .prefault({});

const toolchainSchema = z
  .strictObject({
    flux: versionSchema.default(defaultVersions.flux).meta({ description: 'Published Flux release whose controllers run.' }),
    kubernetes: versionSchema.default(defaultVersions.kubernetes).meta({ description: 'Kubernetes release of the local cluster.' }),
    controllers: z
      .strictObject({
        source: versionSchema.optional(),
        kustomize: versionSchema.optional(),
        helm: versionSchema.optional(),
        notification: versionSchema.optional(),
      })
      .prefault({})
      .meta({
        description:
          "Controller versions in place of the Flux release's own (an upgrade rehearsal), e.g. kustomize: v1.10.1; each must be served by the Go module proxy, and its CRDs come from its module. A module needing a newer Go than the machine's is built with Go 1.27.3, fetched through the module proxy.",
      }),
  })
  .prefault({});

/** A controller's --kube-api-qps (requests/s), as scenarios and sizing sweeps take it. */
export const kubeApiQpsSchema = z
  .number()
  .positive({ error: 'must be greater than 0 (requests per second)' })
  .max(100_000, { error: 'must be at most 100,000 requests per second' });
/** A controller's --kube-api-burst (requests), as scenarios and sizing sweeps take it. */
export const kubeApiBurstSchema = positiveIntSchema.max(1_000_000, { error: 'must be at most 1,000,000 requests' });

const controllerOptions = {
  concurrent: positiveIntSchema
    .max(1_000, { error: 'must be at most 1,000: more workers than any controller can keep busy on one machine' })
    .optional()
    .meta({ description: 'Reconciles run in parallel (--concurrent).' }),
  memoryLimit: quantitySchema
    .optional()
    .meta({ description: 'Memory limit (cgroup); above it the kernel OOM-kills the controller. Also GOMEMLIMIT, as Flux\'s install sets it.' }),
  tmpfs: z
    .boolean()
    .optional()
    .meta({ description: "The controller's temp dir on a RAM-backed filesystem (Flux's in-memory builds: emptyDir medium Memory on pods, /dev/shm for host processes); its files count against the memory limit." }),
  kubeApiQps: kubeApiQpsSchema
    .optional()
    .meta({ description: 'Client-side Kubernetes API rate (--kube-api-qps, Flux default 50). Flux ignores it when the API server has Priority and Fairness on (provider.apiServer.priorityAndFairness).' }),
  kubeApiBurst: kubeApiBurstSchema
    .optional()
    .meta({ description: 'Client-side Kubernetes API burst (--kube-api-burst, Flux default 300); ignored like kubeApiQps when Priority and Fairness is on.' }),
  requeueDependency: positiveDurationSchema.optional().meta({ description: 'Retry interval for objects waiting on dependencies (--requeue-dependency).' }),
  featureGates: z
    .record(z.string().regex(/^[A-Z][A-Za-z0-9]*$/, { error: 'expected a feature gate name such as "CacheSecretsAndConfigMaps"' }), z.boolean())
    .optional()
    .meta({ description: 'Feature gates (--feature-gates), e.g. {OOMWatch: true}.' }),
  args: z
    .array(z.string().regex(/^--[a-z0-9][a-z0-9-]*(=.*)?$/, { error: 'expected a flag such as "--log-level=debug"' }))
    .optional()
    .meta({ description: 'Extra command-line flags passed as-is.' }),
};

const controllersSchema = z
  .strictObject({
    source: z.strictObject(controllerOptions).prefault({}),
    kustomize: z
      .strictObject({
        ...controllerOptions,
        // Each shard is one more kustomize-controller process (~130 MiB and its share of the CPU).
        shards: positiveIntSchema
          .max(16, { error: 'must be at most 16: each shard is one more kustomize-controller process (~130 MiB)' })
          .default(1)
          .meta({ description: '1 = no sharding; N > 1 = the main instance plus N instances, each watching sharding.fluxcd.io/key=shard<i>.' }),
      })
      .prefault({}),
    helm: z.strictObject({ enabled: z.boolean().default(false), ...controllerOptions }).prefault({}),
    notification: z
      .strictObject({
        enabled: z.boolean().default(false),
        receivers: z
          .boolean()
          .default(false)
          .meta({ description: 'Drive GitRepositories by GitHub push webhooks through a Flux Receiver instead of polling alone (needs enabled: true).' }),
        alerts: z
          .strictObject({
            github: z
              .boolean()
              .default(false)
              .meta({
                description:
                  'GitHub commit statuses for every Kustomization event: a Provider of type github per repository and an Alert per Provider (needs enabled: true). They call the fake GitHub with the token named "notifications" in github.tokens, or one issued for the run, so their REST calls count against that quota.',
              }),
            githubDispatch: z
              .boolean()
              .default(false)
              .meta({
                description:
                  'A repository_dispatch for every Kustomization event (how teams start GitHub Actions workflows from Flux): a Provider of type githubdispatch per repository and an Alert, with the same token as github.',
              }),
            generic: z
              .boolean()
              .default(false)
              .meta({
                description:
                  'Every Kustomization event posted as JSON to a webhook (a CI trigger or chat bridge): a Provider of type generic per repository, addressed to the fake GitHub\'s /hooks/{owner}/{repo}, with the token as a bearer header. Counted per repository under hooks; charged against the quota only when github.rateLimits.counts includes hooks.',
              }),
          })
          .prefault({})
          .meta({ description: 'notification-controller Providers and Alerts the run creates.' }),
        ...controllerOptions,
      })
      .prefault({}),
  })
  .prefault({});

export const scenarioObjectSchema = z.strictObject({
  apiVersion: z.literal(scenarioApiVersion).default(scenarioApiVersion),
  kind: z.literal('Scenario').default('Scenario'),
  name: nameSchema.meta({ description: 'Names the run and its report directory.' }),
  description: z.string().optional(),
  provider: providerSchema,
  toolchain: toolchainSchema,
  controllers: controllersSchema,
  github: githubPartSchema.prefault({}),
  registry: registryPartSchema.prefault({}),
  workload: workloadPartSchema,
  fleet: fleetPartSchema.optional(),
  timeline: z
    .array(timelineActionSchema)
    .max(1_000, { error: 'at most 1,000 timeline actions' })
    .default([])
    .meta({ description: 'Actions at offsets from the start of the measure phase.' }),
  duration: positiveDurationSchema.default('5m').meta({ description: 'Length of the measure phase (default 5m).' }),
  sampling: z
    .strictObject({ interval: positiveDurationSchema.default('5s').meta({ description: 'Time between two samples (default 5s).' }) })
    .prefault({}),
  settle: z
    .strictObject({
      timeout: durationSchema.default('3m').meta({ description: 'Wait at most this long before measuring (default 3m); reaching it is not an error.' }),
      // 'applied' was the only behaviour before time-to-Ready: busy controllers leave some objects Ready=Unknown.
      until: z
        .enum(['ready', 'applied'])
        .default('ready')
        .meta({
          description:
            'ready (default): until every object that can be Ready (per the generator\'s ground truth) has been Ready since the apply; applied: until every Kustomization/HelmRelease that can be Ready is Ready or reconciling again after an apply.',
        }),
    })
    .prefault({}),
  stalls: z
    .strictObject({
      dependencyNotReadyAfter: positiveDurationSchema
        .default('60s')
        .meta({ description: 'An object waiting on its dependencies (DependencyNotReady) this long counts as stalled (default 60s).' }),
      staleRevisionAfter: positiveDurationSchema
        .default('60s')
        .meta({ description: "An object Ready at a revision older than its source's artifact this long counts as stalled (default 60s)." }),
      attemptedNeAppliedAfter: positiveDurationSchema
        .default('5m')
        .meta({ description: 'lastAttemptedRevision ≠ lastAppliedRevision this long (when the object has no interval) counts as stalled (default 5m).' }),
      sourceFailingAfter: positiveDurationSchema
        .default('60s')
        .meta({ description: 'A GitRepository Ready=False (it cannot fetch: rate limit, outage, auth) this long counts as stalled (default 60s).' }),
    })
    .prefault({})
    .meta({ description: 'When a stuck object counts as stalled (stalled.count, stall samples).' }),
  thresholds: z
    .array(thresholdExpressionSchema)
    .max(1_000, { error: 'at most 1,000 thresholds' })
    .default([])
    .meta({ description: 'Pass/fail criteria on summary metrics, e.g. "lag.applied.p95 < 60s".' }),
  regression: regressionLimitsSchema
    .default({})
    .meta({ description: 'Allowed change against a baseline run per metric (glob), e.g. {"memory.*.max": "+15%"}.' }),
});

/** A validated scenario with every default applied. */
export type Scenario = z.output<typeof scenarioObjectSchema>;
/** What a scenario file or defineScenario() may contain (defaults not yet applied). */
export type ScenarioInput = z.input<typeof scenarioObjectSchema>;
export type { ProviderType };
