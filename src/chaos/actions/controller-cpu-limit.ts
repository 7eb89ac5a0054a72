/**
 * controller.cpuLimit: caps a controller's CPU at `cores` (a cgroup CPU quota for host
 * processes, the Deployment's CPU limit for pods) for `duration` or until the run's end, to see
 * how reconciliation copes with a CPU-starved controller.
 */
import { z } from 'zod';
import { positiveDurationSchema } from '../../util/field-schemas.ts';
import { durationOrRunEnd, type ChaosActionDefinition } from '../action.ts';
import { controllerLabel, controllerProblems, controllerTarget, runningInstances } from '../controllers.ts';
import { atField, controllerNameSchema, shardField } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('controller.cpuLimit'),
  controller: controllerNameSchema,
  shard: shardField.optional(),
  cores: z
    .number()
    .gt(0, { error: 'must be greater than 0 (CPUs, e.g. 0.5 for half of one)' })
    .meta({ description: 'CPU quota in cores, e.g. 0.5; the controller is throttled above it.' }),
  duration: positiveDurationSchema.optional().meta({ description: 'How long the quota stays; until the end of the run when omitted.' }),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'controller.cpuLimit': z.output<typeof schema>;
  }
}

export const controllerCpuLimitAction: ChaosActionDefinition<typeof schema> = {
  name: 'controller.cpuLimit',
  schema,
  requires: ['ownsControllers'],
  label: controllerLabel,
  target: controllerTarget,
  problems: controllerProblems,
  endMs: (planned, _later, durationMs) => durationOrRunEnd(planned, durationMs),
  async start(action, _planned, targets) {
    const instances = runningInstances(targets, action);
    for (const c of instances) await c.process.setCpuLimit(action.cores);
    return async () => {
      for (const c of instances) await c.process.setCpuLimit(undefined);
    };
  },
};
