/**
 * What flux.suspend, flux.resume, flux.reconcile and flux.patch share: the objects they target
 * (flux.reconcile and flux.patch narrow the kinds to those the watches see, and say why another
 * would never be seen taking effect) and, for the first two, the `spec.suspend` patch.
 */
import { z } from 'zod';
import { fluxResources, helmControllerKinds, type FluxKind } from '../metrics/flux-objects.ts';
import { atText, type ActionProblem, type BaseAction, type PlannedActionOf, type ProblemContext } from './action.ts';
import { atField, kubernetesNameField, suspendableKinds } from './fields.ts';
import type { ChaosTargets } from './targets.ts';

/** The fields of these actions besides `action`. */
export const fluxObjectFields = {
  at: atField,
  kind: z.enum(suspendableKinds),
  namespace: kubernetesNameField.optional(),
  name: kubernetesNameField.optional().meta({ description: 'One object; every object of the kind when omitted.' }),
};

export interface FluxObjectAction extends BaseAction {
  kind: (typeof suspendableKinds)[number];
  namespace?: string | undefined;
  name?: string | undefined;
}

export const fluxObjectLabel = (action: FluxObjectAction): string => `${action.action} ${action.kind}${action.name ? `/${action.name}` : ''}`;
export const fluxObjectTarget = (action: FluxObjectAction): string => `${action.kind}${action.name ? `/${action.name}` : ''}`;

/** Sets `spec.suspend` on one named object, or on every object of the kind (in one namespace, or in all). */
export async function setSuspend(targets: ChaosTargets, action: FluxObjectAction, suspend: boolean): Promise<void> {
  const refs = action.name
    ? [{ namespace: action.namespace ?? 'flux-system', name: action.name }]
    : (await targets.kubectl(['get', action.kind, ...(action.namespace ? ['-n', action.namespace] : ['-A']), '-o', 'jsonpath={range .items[*]}{.metadata.namespace}/{.metadata.name}{"\\n"}{end}']))
        .split('\n')
        .filter(Boolean)
        .map((line) => ({ namespace: line.split('/')[0]!, name: line.split('/')[1]! }));
  const patch = JSON.stringify({ spec: { suspend } });
  await Promise.all(refs.map((ref) => targets.kubectl(['patch', action.kind, ref.name, '-n', ref.namespace, '--type=merge', '-p', patch])));
}

/**
 * The kinds the watches observe (GitRepository, OCIRepository, HelmChart, Kustomization,
 * HelmRelease): flux.reconcile takes them all, since a request on any other kind could never be
 * seen handled; flux.patch all but HelmChart.
 */
export const watchedKinds = fluxResources.map((resource) => resource.kind) as [FluxKind, ...FluxKind[]];

/** workload.source → the Flux source kind its objects read from (and the run watches). */
const watchedSourceKind: Readonly<Record<string, string>> = { git: 'GitRepository', oci: 'OCIRepository' };
const sourceOfFluxKind: Readonly<Record<string, string>> = { GitRepository: 'git', OCIRepository: 'oci' };

/**
 * Why an action aimed at `kind` would never be seen taking effect, for flux.reconcile (`what`
 * 'reconcile': its handling) and flux.patch ('patch': Ready at the new generation): HelmReleases
 * and HelmCharts without helm-controller (nothing watches them), or a source kind other than the
 * one workload.source makes (the run watches only that one). `kinds` are the action's own, for
 * the allowed values. Empty when the watches see the kind.
 */
export function unwatchedKindProblems(
  planned: PlannedActionOf<{ action: string; at: string; kind: FluxKind }>,
  context: ProblemContext,
  what: 'reconcile' | 'patch',
  kinds: readonly FluxKind[],
): ActionProblem[] {
  const { kind } = planned.action;
  if (helmControllerKinds.has(kind) && !context.controllers.includes('helm-controller')) {
    return [
      {
        field: 'kind',
        message: `${atText(planned)} targets ${kind}s, but this scenario does not run helm-controller (controllers.helm.enabled)`,
        allowed: kinds.filter((k) => !helmControllerKinds.has(k)),
      },
    ];
  }
  const watched = context.source ? watchedSourceKind[context.source.kind] : undefined;
  if (watched && kind !== watched && kind in sourceOfFluxKind) {
    const seen = what === 'reconcile' ? 'no request on them would be seen handled' : 'no change on them would be seen reconciled';
    return [
      {
        field: 'kind',
        message: `${atText(planned)} targets ${kind} objects, but this scenario's workload.source is ${context.source!.kind}, whose sources are ${watched} objects: the run watches only those, so ${seen}`,
        allowed: kinds.filter((k) => !(k in sourceOfFluxKind) || k === watched),
      },
    ];
  }
  return [];
}
