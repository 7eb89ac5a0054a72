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
      for (const step of tenantRemoval(workload)) await kubectl(['delete', '-f', '-', '--ignore-not-found', `--wait=${step.wait}`, `--timeout=${step.timeoutSeconds}s`], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: step.items }));
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

/** One `kubectl delete` of tenantRemoval: what, whether to wait until it is gone, and for how long at most. */
export interface RemovalStep {
  items: Array<{ apiVersion: string; kind: string; metadata: { name: string; namespace?: string } }>;
  wait: boolean;
  timeoutSeconds: number;
}

/**
 * What a borrowed cluster still holds of a tenant workload (`workload.flux.serviceAccountName`)
 * once its root objects are deleted, in the order to delete it: the Kustomizations and
 * HelmReleases, waited for, since their finalizers prune and uninstall as the tenant (two
 * minutes, or half a second each when more); then the tenant's ServiceAccount and RoleBindings,
 * which the root does not prune; then the team Namespaces, which it then does not prune either
 * (their RoleBinding would go with them, and the finalizers would retry on 403). Pure; empty
 * without a tenant.
 */
export function tenantRemoval(workload: Pick<GeneratedWorkload, 'tenancy' | 'fluxObjects'>): RemovalStep[] {
  const { tenancy } = workload;
  const account = tenancy.find((o) => o.kind === 'ServiceAccount');
  if (!account) return [];
  const impersonating = workload.fluxObjects
    .filter((o) => o.kind === 'Kustomization' || o.kind === 'HelmRelease')
    .map((o) => ({ apiVersion: o.apiVersion, kind: o.kind, metadata: { name: o.name, namespace: o.namespace } }));
  const teams = [...new Set(tenancy.flatMap((o) => (o.metadata.namespace && o.metadata.namespace !== account.metadata.namespace ? [o.metadata.namespace] : [])))];
  return [
    { items: impersonating, wait: true, timeoutSeconds: Math.max(120, Math.ceil(impersonating.length / 2)) },
    { items: tenancy, wait: true, timeoutSeconds: 60 },
    { items: teams.map((name) => ({ apiVersion: 'v1', kind: 'Namespace', metadata: { name } })), wait: false, timeoutSeconds: 60 },
  ];
}
