/** object.delete: deletes one object through the API server (without waiting for finalizers). */
import { z } from 'zod';
import type { ChaosActionDefinition } from '../action.ts';
import { atField, kindNameField, kubernetesNameField } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('object.delete'),
  kind: kindNameField,
  namespace: kubernetesNameField.optional(),
  name: kubernetesNameField,
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'object.delete': z.output<typeof schema>;
  }
}

export const objectDeleteAction: ChaosActionDefinition<typeof schema> = {
  name: 'object.delete',
  schema,
  requires: [],
  label: (action) => `object.delete ${action.kind}/${action.name}`,
  target: (action) => `${action.kind}/${action.namespace ? `${action.namespace}/` : ''}${action.name}`,
  async start(action, _planned, targets) {
    await targets.kubectl(['delete', action.kind, action.name, ...(action.namespace ? ['-n', action.namespace] : []), '--ignore-not-found', '--wait=false']);
    return undefined;
  },
};
