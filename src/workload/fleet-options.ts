/**
 * Fleet mode's options (a scenario's top-level `fleet:` section): one hub Flux managing many
 * spoke clusters through Flux's remote-cluster mode (`spec.kubeConfig.secretRef`). The spokes'
 * names come from spokeNames, which the runner (the clusters it starts) and the measurements
 * (hub namespaces) use too, so names and namespaces agree.
 */
import { z } from 'zod';
import { positiveDurationSchema } from '../util/field-schemas.ts';

/** Local spokes are binary clusters of this machine: each is one more etcd, API server and kube-controller-manager. */
export const maxSpokes = 100;

/** HelmReleases a cluster holds at most: `helm.releases` alone, or over all spokes of a fleet in the hub. */
export const maxHelmReleases = 5_000;

/** Namespaces of the hub that no spoke may be named after: Kubernetes' own and Flux's default. */
const reservedHubNamespaces = ['default', 'kube-system', 'kube-public', 'kube-node-lease', 'flux-system'];

/** An existing cluster as a spoke: a context of a kubeconfig file of this machine. */
export const fleetContextSchema = z.strictObject({
  name: z
    .string()
    .max(40, { error: 'must be at most 40 characters (it names a hub namespace)' })
    .regex(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/, { error: 'expected a DNS label (lowercase letters, digits and "-"), e.g. "edge-1"' })
    .refine((name) => !/^spoke-[0-9]+$/.test(name), { error: 'spoke-<number> names the local spokes of fleet.spokes; choose another, e.g. "edge-1"' })
    // The spoke's name is a hub namespace the run fills and empties: never one of the cluster's own.
    .refine((name) => !reservedHubNamespaces.includes(name), { error: `names a namespace of the hub itself (${reservedHubNamespaces.join(', ')}); choose another, e.g. "edge-1"` })
    .meta({ description: "The spoke's name in the hub: its namespace there, and its row in the report." }),
  context: z.string().min(1).meta({ description: 'The kubeconfig context of the existing cluster.' }),
  kubeconfig: z
    .string()
    .min(1)
    .optional()
    .meta({ description: 'The kubeconfig file holding the context (`~` expanded); default: the first file of $KUBECONFIG, else ~/.kube/config.' }),
});
export type FleetContext = z.output<typeof fleetContextSchema>;

/**
 * `fleet:` as a scenario writes it; parsing fills the intervals' defaults and turns bare numbers
 * into seconds ("90" → "90s"), so the output parses again to itself.
 */
export const fleetOptionsSchema = z.strictObject({
  spokes: z
    .number()
    .int({ error: 'expected a whole number' })
    .min(0, { error: 'must be at least 0' })
    .max(maxSpokes, { error: `must be at most ${maxSpokes}: each spoke is one more etcd, API server and kube-controller-manager on this machine` })
    .default(0)
    .meta({ description: 'Local spoke clusters the hub manages, named spoke-01, spoke-02, ... (three digits at 100); each gets the whole app set.' }),
  contexts: z
    .array(fleetContextSchema)
    .max(maxSpokes, { error: `at most ${maxSpokes}` })
    .optional()
    .meta({
      description:
        "Existing clusters as spokes, each a kubeconfig context: the hub applies the same app set to them, and at the end Flux prunes what it applied (the run refuses a cluster that already has the workload's namespaces). No chaos acts on them.",
    }),
  intervals: z
    .strictObject({
      infrastructure: positiveDurationSchema
        .default('15m')
        .meta({ description: "Interval of each spoke's `infrastructure` Kustomization (the team Namespaces on the spoke; default 15m)." }),
      apps: positiveDurationSchema.default('2m').meta({ description: "Interval of each spoke's app Kustomizations (default 2m)." }),
    })
    .prefault({})
    .meta({ description: 'Intervals of the per-spoke Kustomizations in the hub.' }),
});

/** The spokes of a fleet: the local ones (spokeNames) first, then the existing clusters' names, in order. */
export function fleetSpokeNames(fleet: Pick<FleetOptions, 'spokes' | 'contexts'>): string[] {
  return [...spokeNames(fleet.spokes), ...(fleet.contexts ?? []).map((c) => c.name)];
}

/** Problems of the section as a whole: no spoke at all, a context name given twice. */
export function fleetSectionProblems(fleet: Pick<FleetOptions, 'spokes' | 'contexts'>): FleetProblem[] {
  const problems: FleetProblem[] = [];
  if (fleet.spokes === 0 && (fleet.contexts ?? []).length === 0) {
    problems.push({ field: ['spokes'], message: 'the fleet has no spoke: set fleet.spokes (local spoke clusters) or fleet.contexts (existing clusters)' });
  }
  const seen = new Set<string>();
  (fleet.contexts ?? []).forEach((c, i) => {
    if (seen.has(c.name)) problems.push({ field: ['contexts', i, 'name'], message: `"${c.name}" names two spokes; each needs its own` });
    seen.add(c.name);
  });
  return problems;
}

/** The `fleet` section as written (before defaults). */
export type FleetOptionsInput = z.input<typeof fleetOptionsSchema>;
/** The `fleet` section with defaults filled in. */
export type FleetOptions = z.output<typeof fleetOptionsSchema>;

/** The label the hub's per-spoke Namespaces and Kustomizations carry: its value is the spoke's name. */
export const spokeLabel = 'fluxbench.io/spoke';
/** The label each team Namespace applied to a spoke carries: its value is the team's name. */
export const teamLabel = 'fluxbench.io/team';
/** The Secret (key `value`, a kubeconfig) in each spoke's hub namespace that `spec.kubeConfig.secretRef` names. */
export const spokeKubeconfigSecretName = 'kubeconfig';
/** The per-spoke Kustomization applying the team Namespaces to the spoke; every app Kustomization depends on it. */
export const spokeInfrastructureName = 'infrastructure';

/**
 * The spokes' names, `spoke-01` .. `spoke-NN`, zero-padded to at least two digits and to as many
 * as the count has, so they sort (`spoke-001` .. `spoke-100` for 100). The runner names the spoke
 * clusters with them. Each is also the hub namespace holding
 * that spoke's Flux objects. Throws RangeError for a count that is not a whole number 0..100.
 */
export function spokeNames(count: number): string[] {
  if (!Number.isInteger(count) || count < 0 || count > maxSpokes) throw new RangeError(`spoke count ${count} must be a whole number from 0 to ${maxSpokes}`);
  const width = Math.max(2, String(count).length);
  return Array.from({ length: count }, (_, i) => `spoke-${String(i + 1).padStart(width, '0')}`);
}

/** What of the workload options fleet mode reads (a scenario's `workload` section, before or after defaults). */
export interface FleetWorkloadView {
  source?: string;
  helm?: { releases?: number; values?: string };
  graph?: { faults?: { kustomizationHelmCycle?: boolean } };
  flux?: { namespace?: string; prune?: boolean; serviceAccountName?: string };
  app?: { replicas?: number };
  apps?: number;
}

/** A workload field fleet mode cannot honour: its path under `workload` and why. */
export interface FleetProblem {
  field: Array<string | number>;
  message: string;
  allowed?: string[];
}

/**
 * Workload options the generator does not render in fleet mode yet, each with the field to
 * blame (under `workload`) and a message naming both it and `fleet`: OCI sources, the
 * Kustomization↔HelmRelease cycle (its HelmRelease lives in a Kustomization's directory, not
 * rendered per spoke), a Flux namespace named like a spoke, and apps with Pods, HelmReleases'
 * included (a spoke runs no nodes and no scheduler). Empty when none.
 */
export function fleetWorkloadProblems(workload: FleetWorkloadView, fleet: Pick<FleetOptions, 'spokes' | 'contexts'>, maxApps: number): FleetProblem[] {
  const problems: FleetProblem[] = [];
  const names = fleetSpokeNames(fleet);
  if ((workload.source ?? 'git') === 'oci') {
    problems.push({ field: ['source'], message: "oci is not rendered in fleet mode yet (fleet is set): the spokes' Kustomizations read the hub's GitRepositories", allowed: ['git'] });
  }
  // helm.values minimal pins replicas to 1 whatever app.replicas says.
  if ((workload.helm?.releases ?? 0) > 0 && (workload.helm?.values ?? 'minimal') === 'minimal') {
    problems.push({
      field: ['helm', 'values'],
      message: 'minimal with fleet: its releases run 1 replica, which never becomes Available on a spoke (no nodes, no scheduler); set workload.helm.values: app (it follows workload.app.replicas: 0)',
      allowed: ['app'],
    });
  }
  if (workload.graph?.faults?.kustomizationHelmCycle === true) {
    problems.push({
      field: ['graph', 'faults', 'kustomizationHelmCycle'],
      message: 'the cycle carries a HelmRelease, which fleet mode does not render for spokes yet: set workload.graph.faults.kustomizationHelmCycle: false or remove fleet',
    });
  }
  if (workload.flux?.serviceAccountName !== undefined) {
    // A spoke's objects are applied through spec.kubeConfig, where the hub's ServiceAccount does not exist.
    problems.push({ field: ['flux', 'serviceAccountName'], message: 'impersonation is not rendered in fleet mode: the spokes have no such ServiceAccount; remove it or remove fleet' });
  }
  const namespace = workload.flux?.namespace;
  if (namespace !== undefined && names.includes(namespace)) {
    problems.push({ field: ['flux', 'namespace'], message: `"${namespace}" is the hub namespace of the fleet's spoke ${namespace}; choose another, such as "flux-system"` });
  }
  // The hub holds every app once per spoke: the same bound as a single cluster's apps.
  const apps = workload.apps ?? 0;
  const releases = workload.helm?.releases ?? 0;
  if (apps * names.length > maxApps) {
    problems.push({ field: ['apps'], message: `${apps} apps on each of the fleet's ${names.length} spokes are ${apps * names.length} Kustomizations in the hub; at most ${maxApps} in all` });
  } else if (releases * names.length > maxHelmReleases) {
    // A single cluster's bound on releases (each also makes a HelmChart on the hub).
    problems.push({
      field: ['helm', 'releases'],
      message: `${releases} HelmReleases on each of the fleet's ${names.length} spokes are ${releases * names.length} HelmReleases and HelmCharts in the hub; at most ${maxHelmReleases} in all`,
    });
  } else if ((apps + releases) * names.length > maxApps) {
    problems.push({
      field: ['helm', 'releases'],
      message: `${apps} apps and ${releases} HelmReleases on each of the fleet's ${names.length} spokes are ${(apps + releases) * names.length} Flux objects in the hub; at most ${maxApps} in all`,
    });
  }
  // At the end Flux prunes what it applied to an existing cluster: without prune it would stay there.
  if ((fleet.contexts ?? []).length > 0 && workload.flux?.prune === false) {
    problems.push({ field: ['flux', 'prune'], message: 'false with fleet.contexts: at the end of the run Flux prunes what it applied to the existing clusters, which needs prune', allowed: ['true'] });
  }
  // The workload's default is 2 replicas; a scenario that keeps it must say 0 for a fleet.
  const replicas = workload.app?.replicas ?? 2;
  if (replicas > 0) {
    problems.push({
      field: ['app', 'replicas'],
      message: `${replicas} with fleet: spokes run no nodes and no scheduler (one etcd, API server and kube-controller-manager each, so many fit on one machine), so a Deployment with Pods never becomes Available there; set workload.app.replicas: 0 (flux-benchmark's app is scaled to zero too)`,
      allowed: ['0'],
    });
  }
  return problems;
}
