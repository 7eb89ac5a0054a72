/**
 * What flux.suspend, flux.resume and flux.reconcile share: the objects they target (flux.reconcile
 * narrows the kinds to those the watches see) and, for the first two, the `spec.suspend` patch.
 */
import { z } from 'zod';
import type { BaseAction } from './action.ts';
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
