import type { StartedCluster } from '../../cluster/index.ts';
import type { StartedFlux } from '../../flux/index.ts';
import type { StartedFakeGitHub } from '../../github/index.ts';
import { providerCapabilities } from '../../providers/index.ts';
import { FluxbenchError } from '../../util/exit-codes.ts';
import type { StartedFleet } from '../../fleet/index.ts';
import { spokeKubeconfigSecrets, type GeneratedWorkload } from '../../workload/index.ts';
import { checkContextSpokes, pruneContextSpokes } from '../context-spokes.ts';
import type { RunContext } from '../context.ts';
import type { Kubectl } from '../kubectl.ts';
import { alertManifests, alertTargets } from '../alerts.ts';
import { installReceivers } from '../receivers.ts';

/**
 * Applies the workload's root objects (server-side). On a borrowed cluster the namespaces the
 * run creates are tracked and the workload is removed at teardown through Flux's own pruning;
 * with `notification.receivers` one Receiver per repository gets the fake GitHub's push webhooks;
 * with `notification.alerts.*` one Provider and Alert per repository and type post commit statuses,
 * repository dispatches or generic webhooks.
 */
export async function applyPhase(
  ctx: RunContext,
  parts: { cluster: StartedCluster; flux: StartedFlux; github: StartedFakeGitHub; workload: GeneratedWorkload; kubectl: Kubectl; fleet?: StartedFleet },
): Promise<void> {
  const { cluster, workload, kubectl } = parts;
  if (parts.fleet) {
    // Before the root objects, so no spoke Kustomization runs before its kubeconfig exists (a
    // failed first attempt waits out retryInterval); from memory and server-side, so the spokes'
    // client keys land neither in a file of the run nor in a last-applied annotation.
    const kubeconfigs = Object.fromEntries(parts.fleet.spokes.map((s) => [s.name, s.kubeconfig]));
    const secrets = spokeKubeconfigSecrets(parts.fleet.spokes.map((s) => s.name), kubeconfigs);
    await checkContextSpokes(parts.fleet, workload.spokeNamespaces ?? [...new Set(workload.apps.map((a) => a.team))]);
    await kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: secrets }));
  }
  if (providerCapabilities(ctx.scenario.provider.type).ownsCluster) {
    await kubectl(['apply', '--server-side', '-f', '-'], workload.rootYaml);
  } else {
    if (!cluster.track) throw new FluxbenchError(`provider ${cluster.provider} borrows its cluster but cannot track the run's namespaces`);
    // Namespaces the run creates are tracked (and deleted at the end); existing ones, flux-system among them, are only used.
    for (const ns of workload.rootObjects.filter((o) => o.kind === 'Namespace')) await cluster.track(ns.metadata.name);
    const objects = JSON.stringify({ apiVersion: 'v1', kind: 'List', items: workload.rootObjects.filter((o) => o.kind !== 'Namespace') });
    await kubectl(['apply', '--server-side', '-f', '-'], objects);
    // Deleting the root Kustomization makes Flux prune everything the workload created.
    ctx.teardown.defer('removing the workload', async () => {
      await kubectl(['delete', '-f', '-', '--ignore-not-found', '--wait=true', '--timeout=120s'], objects);
      if (workload.tenancy.length === 0) return;
      // The tenant outlives what impersonates it: their finalizers prune and uninstall as it (the
      // root leaves it unpruned), so wait for those objects to be gone, then delete it.
      const impersonating = workload.fluxObjects
        .filter((o) => o.kind === 'Kustomization' || o.kind === 'HelmRelease')
        .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, namespace: o.namespace } }));
      await kubectl(['delete', '-f', '-', '--ignore-not-found', '--wait=true', '--timeout=120s'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: impersonating }));
      await kubectl(['delete', '-f', '-', '--ignore-not-found', '--wait=true', '--timeout=60s'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: workload.tenancy }));
    });
  }
  // Once the root objects are in (the root Kustomization the prune suspends exists), and after
  // the hub's controllers were registered, so it runs before they stop: their finalizers prune.
  const { fleet } = parts;
  const root = workload.rootObjects.find((o) => o.kind === 'Kustomization');
  if (fleet && root && fleet.spokes.some((s) => s.origin === 'context')) {
    const ref = { namespace: root.metadata.namespace ?? ctx.scenario.workload.flux.namespace, name: root.metadata.name };
    ctx.teardown.defer('pruning the existing spokes', () => pruneContextSpokes(kubectl, fleet, ref, ctx.log, { helmReleases: ctx.scenario.workload.helm.releases > 0 }));
  }
  const notification = ctx.scenario.controllers.notification;
  if (notification.enabled && notification.receivers) {
    const hooks = await installReceivers({ kubectl, flux: parts.flux, workload, namespace: parts.flux.namespace });
    parts.github.admin.setWebhooks(hooks);
    ctx.log(`webhooks: each repository's pushes are delivered to its own Flux Receiver (${hooks.length}, e.g. ${hooks[0]?.url})`);
  }
  const { alerts } = notification;
  const types = ([['github', alerts.github], ['githubdispatch', alerts.githubDispatch], ['generic', alerts.generic]] as const).filter(([, on]) => on).map(([type]) => type);
  if (types.length > 0) {
    // A token of its own, as Flux's docs set up commit statuses (it needs write access); declared
    // as "notifications" in github.tokens, it gets the limit the scenario gives it.
    const { github } = parts;
    const token = github.tokens().find((t) => t.name === 'notifications') ?? github.issueToken({ name: 'notifications', permission: 'write' });
    const targets = alertTargets(workload);
    // Server-side: a client-side apply would copy the token into the last-applied annotation.
    const manifests = alertManifests({ namespace: parts.flux.namespace, githubUrl: workload.gitBaseUrl, token: token.token, targets, types });
    await kubectl(['apply', '--server-side', '-f', '-'], manifests);
    if (!providerCapabilities(ctx.scenario.provider.type).ownsCluster) {
      ctx.teardown.defer('removing the notification Providers and Alerts', async () => {
        await kubectl(['delete', '-f', '-', '--ignore-not-found', '--wait=false'], manifests);
      });
    }
    ctx.log(`alerts: Kustomization events go to the fake GitHub through ${targets.length * types.length} Provider(s) (${types.join(', ')}) as "notifications"`);
  }
}
