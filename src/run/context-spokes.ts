/**
 * What a run owes the existing clusters it uses as spokes (`fleet.contexts`): it must not take
 * over namespaces that were there before it, and it must leave nothing behind. Local spokes need
 * neither: they are created empty and deleted whole.
 */
import { CoreV1Api, KubeConfig } from '@kubernetes/client-node';
import type { StartedFleet, StartedSpoke } from '../fleet/index.ts';
import { FluxbenchError } from '../util/exit-codes.ts';
import { teamLabel } from '../workload/index.ts';
import type { Kubectl } from './kubectl.ts';

/** How long the teardown waits for Flux to prune one existing spoke (its Kustomizations' finalizers). */
export const contextPruneTimeoutSeconds = 120;

/**
 * Refuses an existing spoke that already has one of the namespaces the workload applies there
 * (the teams'): Flux would adopt it and, at the end of the run, prune it with everything in it.
 * Throws FluxbenchError naming the spoke and the namespaces; an API error is thrown as it is
 * (with the spoke's name), since the run could not reach that spoke anyway.
 */
export async function checkContextSpokes(fleet: StartedFleet, namespaces: readonly string[]): Promise<void> {
  for (const spoke of fleet.spokes.filter((s) => s.origin === 'context')) {
    let existing: string[];
    try {
      existing = (await namespacesOn(spoke)).map((n) => n.name);
    } catch (err) {
      throw new FluxbenchError(`spoke ${spoke.name} (fleet.contexts, ${spoke.apiServerUrl}): cannot list its namespaces: ${(err as Error).message.slice(0, 200)}`);
    }
    const taken = namespaces.filter((ns) => existing.includes(ns));
    if (taken.length > 0) {
      throw new FluxbenchError(
        `spoke ${spoke.name} (fleet.contexts, ${spoke.apiServerUrl}) already has namespace(s) ${taken.join(', ')}, which the workload applies there and Flux would prune at the end of the run; use a cluster without them`,
      );
    }
  }
}

/** A spoke's namespaces (those with `labelSelector`, or all), through its own kubeconfig. Throws the client's error. */
async function namespacesOn(spoke: StartedSpoke, labelSelector?: string): Promise<Array<{ name: string; deleting: boolean }>> {
  const kubeConfig = new KubeConfig();
  kubeConfig.loadFromString(spoke.kubeconfig);
  const list = await kubeConfig.makeApiClient(CoreV1Api).listNamespace(labelSelector ? { labelSelector } : {});
  return list.items.map((n) => ({ name: n.metadata?.name ?? '', deleting: Boolean(n.metadata?.deletionTimestamp) }));
}

/**
 * Removes from each existing spoke what the hub applied there. First the hub's root
 * Kustomization (`root`, which applies the per-spoke Kustomizations from Git) is suspended, so it
 * cannot put them back; then each existing spoke's HelmReleases (when `workload.helmReleases`:
 * their finalizers uninstall the releases) and Kustomizations are deleted and waited for:
 * their finalizers make kustomize-controller prune what it applied (prune is on; the spoke's
 * `infrastructure` Kustomization deletes the team namespaces and everything in them). Last, each
 * spoke is asked for the workload's namespaces still there and not being deleted, since a
 * finalizer also lets go without pruning (a spoke it cannot reach). Runs at teardown while the
 * hub's controllers still run. Throws FluxbenchError naming each spoke where something is left,
 * and what.
 */
export async function pruneContextSpokes(
  kubectl: Kubectl,
  fleet: StartedFleet,
  root: { namespace: string; name: string },
  log: (line: string) => void,
  workload: { helmReleases: boolean },
): Promise<void> {
  const spokes = fleet.spokes.filter((s) => s.origin === 'context');
  if (spokes.length === 0) return;
  await kubectl(['patch', 'kustomizations.kustomize.toolkit.fluxcd.io', root.name, '-n', root.namespace, '--type=merge', '-p', '{"spec":{"suspend":true}}']);
  const failed: string[] = [];
  for (const spoke of spokes) {
    const began = Date.now();
    // HelmReleases first: helm-controller uninstalls each through the spoke's kubeconfig, and
    // its Helm storage is in a team namespace `infrastructure` would delete under it. Each
    // delete is tried even when the one before failed: what can still be pruned is.
    const errors: string[] = [];
    for (const resource of [...(workload.helmReleases ? ['helmreleases.helm.toolkit.fluxcd.io'] : []), 'kustomizations.kustomize.toolkit.fluxcd.io']) {
      try {
        await kubectl(['delete', resource, '--all', '-n', spoke.name, '--wait=true', `--timeout=${contextPruneTimeoutSeconds}s`]);
      } catch (err) {
        errors.push(firstLine(err));
      }
    }
    try {
      // The workload's team namespaces still there and not being deleted.
      const left = (await namespacesOn(spoke, teamLabel)).filter((n) => !n.deleting).map((n) => n.name);
      if (left.length > 0) errors.push(`namespace(s) ${left.join(', ')} left`);
    } catch (err) {
      errors.push(firstLine(err));
    }
    if (errors.length > 0) failed.push(`${spoke.name}: ${errors.join('; ')}`);
    else log(`spoke ${spoke.name}: Flux pruned what it applied (${((Date.now() - began) / 1000).toFixed(1)}s)`);
  }
  if (failed.length > 0) throw new FluxbenchError(`existing spokes not cleaned up (delete the workload's team namespaces there by hand): ${failed.join('; ')}`);
}

/** An error's first line, at most 160 characters: kubectl's and the client's can run long. */
function firstLine(err: unknown): string {
  return (err as Error).message.split('\n')[0]?.slice(0, 160) ?? '';
}
