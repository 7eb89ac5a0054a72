/**
 * flux.reconcile: asks Flux objects to reconcile now, as `flux reconcile` does (the
 * `reconcile.fluxcd.io/requestedAt` annotation), and records the request so the reconcile
 * measurement can time how long each object takes to handle it.
 */
import { z } from 'zod';
import { helmControllerKinds } from '../../metrics/flux-objects.ts';
import { reconcileRequestedSample } from '../../metrics/reconcile-requests.ts';
import { atText, type ChaosActionDefinition } from '../action.ts';
import { fluxObjectFields, fluxObjectLabel, fluxObjectTarget } from '../flux-objects.ts';
import { reconcilableKinds, requestReconcile } from '../reconcile-requests.ts';

const schema = z.strictObject({
  ...fluxObjectFields,
  // Only kinds the watches see: the time to handle a request on any other could not be measured.
  kind: z.enum(reconcilableKinds).meta({ description: 'Kind of the objects to reconcile (those whose handling the run observes).' }),
  action: z.literal('flux.reconcile'),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'flux.reconcile': z.output<typeof schema>;
  }
}

/** workload.source → the Flux source kind its objects read from (and the run watches). */
const watchedSourceKind: Readonly<Record<string, string>> = { git: 'GitRepository', oci: 'OCIRepository' };
const sourceOfFluxKind: Readonly<Record<string, string>> = { GitRepository: 'git', OCIRepository: 'oci' };

export const fluxReconcileAction: ChaosActionDefinition<typeof schema> = {
  name: 'flux.reconcile',
  schema,
  requires: [],
  label: fluxObjectLabel,
  target: fluxObjectTarget,
  problems(planned, context) {
    const { kind } = planned.action;
    // Requests on what the watches do not see (no helm-controller) would never be seen handled.
    if (helmControllerKinds.has(kind) && !context.controllers.includes('helm-controller')) {
      return [
        {
          field: 'kind',
          message: `${atText(planned)} targets ${kind}s, but this scenario does not run helm-controller (controllers.helm.enabled)`,
          allowed: reconcilableKinds.filter((k) => !helmControllerKinds.has(k)),
        },
      ];
    }
    // A run watches the sources of its own kind only: a request on the other would never be seen handled.
    const watched = context.source ? watchedSourceKind[context.source.kind] : undefined;
    if (watched && kind !== watched && kind in sourceOfFluxKind) {
      return [
        {
          field: 'kind',
          message: `${atText(planned)} targets ${kind} objects, but this scenario's workload.source is ${context.source!.kind}, whose sources are ${watched} objects: the run watches only those`,
          allowed: reconcilableKinds.filter((k) => !(k in sourceOfFluxKind) || k === watched),
        },
      ];
    }
    return [];
  },
  async start(action, planned, targets) {
    const outcome = await requestReconcile(targets.cluster.kubeconfigPath, action);
    if (outcome.patched.length > 0) targets.sink.write(reconcileRequestedSample(outcome.at, outcome.requestedAt, outcome.patched, { action: planned.label }));
    if (outcome.failures.length > 0) {
      const more = outcome.failures.length > 1 ? ` (+${outcome.failures.length - 1} more)` : '';
      throw new Error(`annotating ${outcome.failures.length} of ${outcome.failures.length + outcome.patched.length} objects failed: ${outcome.failures[0]}${more}`);
    }
    return undefined;
  },
};
