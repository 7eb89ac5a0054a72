/** controller.memoryLimit: sets (or tightens) a controller's memory limit; above it the kernel OOM-kills it. */
import { z } from 'zod';
import { quantitySchema, quantityValue } from '../../util/field-schemas.ts';
import type { ChaosActionDefinition } from '../action.ts';
import { controllerLabel, controllerProblems, controllerTarget, runningInstances } from '../controllers.ts';
import { atField, controllerNameSchema, shardField } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('controller.memoryLimit'),
  controller: controllerNameSchema,
  shard: shardField.optional(),
  limit: quantitySchema.meta({ description: 'New memory limit (cgroup); the kernel OOM-kills the controller above it.' }),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'controller.memoryLimit': z.output<typeof schema>;
  }
}

export const controllerMemoryLimitAction: ChaosActionDefinition<typeof schema> = {
  name: 'controller.memoryLimit',
  schema,
  requires: ['ownsControllers'],
  label: controllerLabel,
  target: controllerTarget,
  problems: controllerProblems,
  // The limit stays for the rest of the run: an instant action.
  async start(action, _planned, targets) {
    for (const c of runningInstances(targets, action)) await c.process.setMemoryLimit(quantityValue(action.limit));
    return undefined;
  },
};
