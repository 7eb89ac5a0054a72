/**
 * Fleet mode's objects and files: in the hub, a Namespace per spoke holding an `infrastructure`
 * Kustomization (the team Namespaces, applied to the spoke) and the spoke's kubeconfig Secret (a
 * root object, never in Git); in the fleet repo, `spokes/<spoke>/` for `infrastructure` to
 * apply. The per-spoke app Kustomizations are flux-objects.ts's kustomizationObject with a spoke,
 * the per-spoke HelmReleases manifests.ts's helmReleaseObject with spokeReleasePlacement.
 */
import { spokeInfrastructureName, spokeKubeconfigSecretName, spokeLabel, teamLabel } from './fleet-options.ts';
import type { SpokesPlan } from './fleet-plan.ts';
import { kustomizeFile, shardLabels, toYaml, type K8sObject, type RemoteReleasePlacement } from './manifests.ts';
import type { WorkloadPlan } from './plan.ts';
import { UsageError } from '../util/exit-codes.ts';

/**
 * The team Namespaces: the hub's `namespaces.yaml` without fleet, every spoke's with it.
 * `annotations` (the tenant's prune opt-out, see tenancyObjects) keeps the root from deleting
 * them, and with them the tenant's RoleBindings, before the objects that impersonate the tenant
 * have pruned.
 */
export function teamNamespacesYaml(plan: Pick<WorkloadPlan, 'teams'>, annotations?: Record<string, string>): string {
  return toYaml(plan.teams.map((team) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: team, labels: { [teamLabel]: team }, ...(annotations ? { annotations } : {}) } })));
}

/** Metadata labels of a per-spoke object: the spoke's, plus its shard's when sharded. */
export function spokeLabels(spoke: string, shard?: string): { labels: Record<string, string> } {
  return { labels: { [spokeLabel]: spoke, ...shardLabels(shard).labels } };
}

/** The plan's spokes; throws (a bug, not a usage error) for a plan without fleet. */
export function spokesOf(plan: Pick<WorkloadPlan, 'spokes'>): SpokesPlan {
  if (!plan.spokes) throw new Error('the workload plan has no spokes (options.fleet is not set)');
  return plan.spokes;
}

/** The hub Namespace holding one spoke's Flux objects and kubeconfig Secret, in spokeNames order. */
export function spokeNamespaceObjects(plan: Pick<WorkloadPlan, 'spokes'>): K8sObject[] {
  return namespacesOf(spokesOf(plan).names);
}

function namespacesOf(spokes: readonly string[]): K8sObject[] {
  return spokes.map((spoke) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: spoke, ...spokeLabels(spoke) } }));
}

/** Path of a spoke's directory in the fleet repo (no leading "./"). */
export function spokeDir(spoke: string): string {
  return `spokes/${spoke}`;
}

/**
 * The spoke's `infrastructure` Kustomization in its hub namespace: applies `spokes/<spoke>/` of
 * the fleet repo (the team Namespaces) to the spoke through the kubeconfig Secret, and waits for
 * them, so the app Kustomizations that depend on it find their targetNamespace there.
 */
export function infrastructureKustomization(plan: WorkloadPlan, spoke: string): K8sObject {
  const { flux } = plan.options;
  return {
    apiVersion: 'kustomize.toolkit.fluxcd.io/v1',
    kind: 'Kustomization',
    metadata: { name: spokeInfrastructureName, namespace: spoke, ...spokeLabels(spoke) },
    spec: {
      interval: spokesOf(plan).intervals.infrastructure,
      retryInterval: flux.retryInterval,
      timeout: flux.timeout,
      path: `./${spokeDir(spoke)}`,
      // The fleet GitRepository lives in the Flux namespace, this Kustomization in the spoke's.
      sourceRef: { kind: 'GitRepository', name: plan.fleet.gitRepositoryName, namespace: flux.namespace },
      prune: true,
      wait: true,
      ...spokeKubeConfig(),
    },
  };
}

/** `spec.kubeConfig` of every per-spoke Flux object: the Secret in the spoke's hub namespace (key `value`, Flux's default). */
export function spokeKubeConfig(): { kubeConfig: { secretRef: { name: string } } } {
  return { kubeConfig: { secretRef: { name: spokeKubeconfigSecretName } } };
}

/** Where a spoke's copy of a HelmRelease goes: its hub namespace, at the apps interval, through its kubeconfig Secret. */
export function spokeReleasePlacement(plan: WorkloadPlan, spoke: string, shard?: string): RemoteReleasePlacement {
  return { namespace: spoke, ...spokeLabels(spoke, shard), interval: spokesOf(plan).intervals.apps, ...spokeKubeConfig() };
}

/** The fleet repo's `spokes/<spoke>/` files (path from the repo root → content): kustomization.yaml and namespaces.yaml. */
export function spokeRepoFiles(plan: Pick<WorkloadPlan, 'spokes' | 'teams'>): Map<string, string> {
  const files = new Map<string, string>();
  const namespaces = teamNamespacesYaml(plan);
  for (const spoke of spokesOf(plan).names) {
    files.set(`${spokeDir(spoke)}/kustomization.yaml`, kustomizeFile(['namespaces.yaml']));
    files.set(`${spokeDir(spoke)}/namespaces.yaml`, namespaces);
  }
  return files;
}

/**
 * Each spoke's `kubeconfig` Secret (key `value`) in its hub namespace, from `kubeconfigs` (spoke
 * name → kubeconfig YAML, client key included). Not a root object: the runner applies them
 * (server-side, from memory) before the root objects, so no credentials land in the workload's
 * files (root.yaml, workload.json) and no spoke Kustomization ever runs before its Secret exists.
 * Throws UsageError naming the spokes without one.
 */
export function spokeKubeconfigSecrets(spokes: readonly string[], kubeconfigs: Readonly<Record<string, string>>): K8sObject[] {
  const missing = spokes.filter((spoke) => typeof kubeconfigs[spoke] !== 'string' || kubeconfigs[spoke].trim() === '');
  if (missing.length > 0) {
    const shown = missing.length > 5 ? `${missing.slice(0, 5).join(', ')} and ${missing.length - 5} more` : missing.join(', ');
    throw new UsageError(`fleet: no kubeconfig for spoke ${shown}`);
  }
  return [
    ...namespacesOf(spokes),
    ...spokes.map((spoke) => ({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: spokeKubeconfigSecretName, namespace: spoke, ...spokeLabels(spoke) },
      type: 'Opaque',
      stringData: { value: kubeconfigs[spoke]! },
    })),
  ];
}
