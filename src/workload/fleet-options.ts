/**
 * Fleet mode's options (a scenario's top-level `fleet:` section): one hub Flux managing many
 * spoke clusters through Flux's remote-cluster mode (`spec.kubeConfig.secretRef`). The spokes'
 * names come from spokeNames, which the runner (the clusters it starts) and the measurements
 * (hub namespaces) use too, so names and namespaces agree.
 */
import { z } from 'zod';
import { positiveDurationSchema } from '../util/field-schemas.ts';

/** Spokes are local binary clusters of this machine: each is one more etcd, API server and kube-controller-manager. */
export const maxSpokes = 100;

/**
 * `fleet:` as a scenario writes it; parsing fills the intervals' defaults and turns bare numbers
 * into seconds ("90" → "90s"), so the output parses again to itself.
 */
export const fleetOptionsSchema = z.strictObject({
  spokes: z
    .number()
    .int({ error: 'expected a whole number' })
    .min(1, { error: 'must be at least 1' })
    .max(maxSpokes, { error: `must be at most ${maxSpokes}: each spoke is one more etcd, API server and kube-controller-manager on this machine` })
    .meta({ description: 'Spoke clusters the hub manages, named spoke-01, spoke-02, ... (three digits at 100); each gets the whole app set.' }),
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

/** The `fleet` section as written (before defaults). */
export type FleetOptionsInput = z.input<typeof fleetOptionsSchema>;
/** The `fleet` section with defaults filled in. */
export type FleetOptions = z.output<typeof fleetOptionsSchema>;

/** The label the hub's per-spoke Namespaces and Kustomizations carry: its value is the spoke's name. */
export const spokeLabel = 'fluxbench.io/spoke';
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
  helm?: { releases?: number };
  graph?: { faults?: { kustomizationHelmCycle?: boolean } };
  flux?: { namespace?: string };
  app?: { replicas?: number };
  apps?: number;
}

/** A workload field fleet mode cannot honour: its path under `workload` and why. */
export interface FleetProblem {
  field: string[];
  message: string;
  allowed?: string[];
}

/**
 * Workload options the generator does not render in fleet mode yet, each with the field to
 * blame (under `workload`) and a message naming both it and `fleet`: OCI sources, HelmReleases
 * (a remote release also needs its storage namespace and chart source per spoke), the
 * Kustomization↔HelmRelease cycle (it carries a HelmRelease), a Flux namespace named like a
 * spoke, and apps with Pods (a spoke runs no nodes and no scheduler). Empty when none.
 */
export function fleetWorkloadProblems(workload: FleetWorkloadView, fleet: Pick<FleetOptions, 'spokes'>, maxApps: number): FleetProblem[] {
  const problems: FleetProblem[] = [];
  if ((workload.source ?? 'git') === 'oci') {
    problems.push({ field: ['source'], message: "oci is not rendered in fleet mode yet (fleet is set): the spokes' Kustomizations read the hub's GitRepositories", allowed: ['git'] });
  }
  const releases = workload.helm?.releases ?? 0;
  if (releases > 0) {
    problems.push({
      field: ['helm', 'releases'],
      message: `${releases} with fleet: HelmReleases are not rendered for spokes yet (each would need its kubeConfig, storage namespace and chart source per spoke); set workload.helm.releases: 0 or remove fleet`,
    });
  }
  if (workload.graph?.faults?.kustomizationHelmCycle === true) {
    problems.push({
      field: ['graph', 'faults', 'kustomizationHelmCycle'],
      message: 'the cycle carries a HelmRelease, which fleet mode does not render for spokes yet: set workload.graph.faults.kustomizationHelmCycle: false or remove fleet',
    });
  }
  const namespace = workload.flux?.namespace;
  if (namespace !== undefined && spokeNames(fleet.spokes).includes(namespace)) {
    problems.push({ field: ['flux', 'namespace'], message: `"${namespace}" is the hub namespace of a spoke with fleet.spokes ${fleet.spokes}; choose another, such as "flux-system"` });
  }
  // The hub holds every app once per spoke: the same bound as a single cluster's apps.
  const apps = workload.apps ?? 0;
  if (apps * fleet.spokes > maxApps) {
    problems.push({ field: ['apps'], message: `${apps} apps on each of fleet.spokes ${fleet.spokes} are ${apps * fleet.spokes} Kustomizations in the hub; at most ${maxApps} in all` });
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
