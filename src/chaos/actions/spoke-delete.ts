/**
 * spoke.delete: deletes one spoke cluster outright (its objects, etcd's data, its certificates),
 * as when a workload cluster is torn down; the hub keeps its Flux objects and its kubeconfig
 * Secret for it, so they fail as for an unreachable spoke. With a `duration`, the spoke is then
 * re-added: a new, empty cluster of the same name (new address, new certificates), its hub
 * Secret `<spoke>/kubeconfig` updated, and, unless `reconcile: false`, its Kustomizations (and
 * HelmReleases) asked to reconcile now as `flux reconcile` does (otherwise they wait for their
 * interval, 15 minutes for infrastructure in the seed's layout). Everything then has to be applied again from scratch.
 */
import { z } from 'zod';
import { reconcileRequestedSample } from '../../metrics/reconcile-requests.ts';
import { positiveDurationSchema } from '../../util/field-schemas.ts';
import { parseDuration } from '../../util/units.ts';
import { spokeKubeconfigSecrets } from '../../workload/index.ts';
import type { ChaosActionDefinition } from '../action.ts';
import { atField, spokeField, spokeProblems } from '../fields.ts';
import { requestReconcile } from '../reconcile-requests.ts';
import type { ChaosTargets } from '../targets.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('spoke.delete'),
  spoke: spokeField,
  duration: positiveDurationSchema.optional().meta({ description: 'How long the spoke stays deleted before it is re-added (a new, empty cluster); deleted to the end of the run when omitted.' }),
  reconcile: z
    .boolean()
    .default(true)
    .meta({ description: "After the re-add, ask the spoke's Kustomizations and HelmReleases to reconcile now (as `flux reconcile` does); false leaves them to their interval." }),
});

declare module '../action.ts' {
  interface ChaosActionTypes {
    'spoke.delete': z.output<typeof schema>;
  }
}

/**
 * Re-adds a deleted spoke: a new cluster, the hub's Secret pointed at it, its Kustomizations and
 * HelmReleases (when the workload has any for it) asked to reconcile. A HelmRelease would
 * otherwise wait out helm-controller's backoff, grown while the spoke was gone, before installing
 * again on the new, empty cluster.
 */
async function readd(action: z.output<typeof schema>, label: string, targets: ChaosTargets): Promise<void> {
  const spoke = targets.fleet!.spoke(action.spoke);
  await spoke.recreate();
  // Server-side and from memory, as the apply phase does: the client key lands in no file and no annotation.
  const secrets = spokeKubeconfigSecrets([spoke.name], { [spoke.name]: spoke.kubeconfig });
  await targets.kubectl(['apply', '--server-side', '-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'List', items: secrets }));
  if (!action.reconcile) return;
  const kinds = spokeKinds(targets, spoke.name);
  for (const kind of kinds) {
    const outcome = await requestReconcile(targets.cluster.kubeconfigPath, { kind, namespace: spoke.name });
    if (outcome.patched.length > 0) targets.sink.write(reconcileRequestedSample(outcome.at, outcome.requestedAt, outcome.patched, { action: label }));
    if (outcome.failures.length > 0) throw new Error(`re-added ${spoke.name}, but asking ${outcome.failures.length} ${kind}(s) to reconcile failed: ${outcome.failures[0]}`);
  }
}

/** The Flux kinds the workload has in a spoke's hub namespace, Kustomizations first. */
function spokeKinds(targets: ChaosTargets, spoke: string): Array<'Kustomization' | 'HelmRelease'> {
  const releases = targets.workload.fluxObjects.some((o) => o.kind === 'HelmRelease' && o.spoke === spoke);
  return releases ? ['Kustomization', 'HelmRelease'] : ['Kustomization'];
}

export const spokeDeleteAction: ChaosActionDefinition<typeof schema> = {
  name: 'spoke.delete',
  schema,
  requires: ['hostControlPlane'],
  label: (action) => `spoke.delete ${action.spoke}`,
  target: (action) => action.spoke,
  // Without a duration nothing ends it before the teardown: an instant action on the timeline.
  endMs: (planned) => (planned.action.duration !== undefined ? planned.atMs + parseDuration(planned.action.duration) : undefined),
  problems: (planned, context) => spokeProblems(planned.action.spoke, context),
  async start(action, planned, targets) {
    const spoke = targets.fleet?.spoke(action.spoke);
    if (!spoke) throw new Error(`the run has no spoke ${action.spoke}`);
    await spoke.delete();
    return action.duration !== undefined ? () => readd(action, planned.label, targets) : undefined;
  },
};
