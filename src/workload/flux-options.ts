/**
 * The generator's `flux` options: the namespace, intervals and settings of the Flux objects it
 * writes, their auth, sharding and tenancy.
 */
import { z } from 'zod';
import { count, dnsName, fluxDuration } from './option-fields.ts';

export const gitAuthModes = ['none', 'basic'] as const;
export const gitProviders = ['generic', 'github'] as const;

/** The ServiceAccounts Flux's controllers run as (flux2's manifests), which a tenant must not be. */
const fluxControllerAccounts = ['source-controller', 'kustomize-controller', 'helm-controller', 'notification-controller', 'image-reflector-controller', 'image-automation-controller', 'source-watcher'];

export const fluxOptionsSchema = z
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
    /**
     * `basic`: sources get a secretRef to a Secret with the run's credentials (GitRepositories: a
     * basic-auth Secret holding the fake GitHub token; OCIRepositories: a dockerconfigjson Secret
     * with the registry's user and password); `none`: anonymous fetches and pulls.
     */
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
    /**
     * Flux's multi-tenancy lockdown, as flux-benchmark runs it: every unit Kustomization and
     * HelmRelease sets `spec.serviceAccountName` to this name, so kustomize- and helm-controller
     * impersonate `system:serviceaccount:<flux namespace>:<name>` for each apply, health check,
     * prune and install. The ServiceAccount lives in the Flux namespace, bound to the ClusterRole
     * `admin` there and in every team namespace (`tenancy.yaml` of the cluster directory, applied
     * by the root as the controller). Unset: the controllers apply as themselves (cluster-admin),
     * Flux's default without `--default-service-account`.
     */
    serviceAccountName: dnsName()
      // Impersonating a controller's own ServiceAccount (cluster-admin) would lock nothing down, and the root would own and prune it.
      .refine((name) => !fluxControllerAccounts.includes(name), { error: `must not be a Flux controller's own ServiceAccount (${fluxControllerAccounts.join(', ')})` })
      // Every namespace has a `default` ServiceAccount: the run would take it over, and delete it at the end on a borrowed cluster.
      .refine((name) => name !== 'default', { error: 'must not be "default", the ServiceAccount every namespace has; use a name of its own such as "flux"' })
      .optional(),
    /**
     * `spec.postBuild.substitute` on every unit Kustomization (`APP`, `TEAM`), with the app
     * manifests' `app.kubernetes.io/part-of` label written as `${TEAM}`: kustomize-controller then
     * runs its variable substitution over every object it builds, as flux-benchmark's
     * Kustomizations do (`INDEX`, `PODS`, `MCPU`). The applied objects are the same either way.
     */
    postBuild: z.boolean().default(false),
    /** Spread objects over N shards with the `sharding.fluxcd.io/key: shard1..shardN` label; 0 = no labels. */
    // A label value per shard; more shards than kustomize-controller instances (controllers.kustomize.shards) only spreads labels.
    shards: count(64, 'more shard labels than any sharded setup runs').default(0),
  })
  .strict();
