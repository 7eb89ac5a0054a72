/** controller.kill: signals a controller (all its instances, or one shard); its supervisor or Deployment restarts it. */
import { z } from 'zod';
import type { ChaosActionDefinition } from '../action.ts';
import { controllerLabel, controllerProblems, controllerTarget, runningInstances } from '../controllers.ts';
import { atField, controllerNameSchema, killSignals, shardField } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('controller.kill'),
  controller: controllerNameSchema,
  shard: shardField.optional(),
  signal: z.enum(killSignals).default('SIGKILL'),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'controller.kill': z.output<typeof schema>;
  }
}

export const controllerKillAction: ChaosActionDefinition<typeof schema> = {
  name: 'controller.kill',
  schema,
  requires: ['ownsControllers'],
  label: controllerLabel,
  target: controllerTarget,
  problems: controllerProblems,
  async start(action, _planned, targets) {
    for (const c of runningInstances(targets, action)) await c.process.kill(action.signal);
    return undefined;
  },
};
