/**
 * flux.reconcile: asks Flux objects to reconcile now, as `flux reconcile` does (the
 * `reconcile.fluxcd.io/requestedAt` annotation), and records the request so the reconcile
 * measurement can time how long each object takes to handle it.
 */
import { z } from 'zod';
import { reconcileRequestedSample } from '../../metrics/reconcile-requests.ts';
import type { ChaosActionDefinition } from '../action.ts';
import { fluxObjectFields, fluxObjectLabel, fluxObjectTarget, unwatchedKindProblems, watchedKinds } from '../flux-objects.ts';
import { failedPatchesError } from '../object-patches.ts';
import { requestReconcile } from '../reconcile-requests.ts';

const schema = z.strictObject({
  ...fluxObjectFields,
  // Only kinds the watches see: the time to handle a request on any other could not be measured.
  kind: z.enum(watchedKinds).meta({ description: 'Kind of the objects to reconcile (those whose handling the run observes).' }),
  action: z.literal('flux.reconcile'),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'flux.reconcile': z.output<typeof schema>;
  }
}

export const fluxReconcileAction: ChaosActionDefinition<typeof schema> = {
  name: 'flux.reconcile',
  schema,
  requires: [],
  label: fluxObjectLabel,
  target: fluxObjectTarget,
  problems: (planned, context) => unwatchedKindProblems(planned, context, 'reconcile', watchedKinds),
  async start(action, planned, targets) {
    const outcome = await requestReconcile(targets.cluster.kubeconfigPath, action);
    if (outcome.patched.length > 0) targets.sink.write(reconcileRequestedSample(outcome.at, outcome.requestedAt, outcome.patched, { action: planned.label }));
    const failure = failedPatchesError('annotating', outcome);
    if (failure) throw failure;
    return undefined;
  },
};
