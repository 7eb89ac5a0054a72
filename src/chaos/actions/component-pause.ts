/** component.pause: freezes a control-plane component (SIGSTOP) for `duration`, then resumes it (SIGCONT). */
import { z } from 'zod';
import { positiveDurationSchema } from '../../util/field-schemas.ts';
import { parseDuration } from '../../util/units.ts';
import type { ChaosActionDefinition } from '../action.ts';
import { atField, pausableComponents } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('component.pause'),
  component: z.enum(pausableComponents),
  duration: positiveDurationSchema.meta({ description: 'How long the component stays frozen (SIGSTOP .. SIGCONT).' }),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'component.pause': z.output<typeof schema>;
  }
}

export const componentPauseAction: ChaosActionDefinition<typeof schema> = {
  name: 'component.pause',
  schema,
  requires: ['hostControlPlane'],
  endsFirst: true,
  label: (action) => `component.pause ${action.component}`,
  target: (action) => action.component,
  endMs: (planned) => planned.atMs + parseDuration(planned.action.duration),
  async start(action, _planned, targets) {
    const pid = (await targets.cluster.componentPids())[action.component];
    if (pid === undefined) throw new Error(`${action.component} has no host process on provider ${targets.cluster.provider}`);
    process.kill(pid, 'SIGSTOP');
    return async () => {
      process.kill(pid, 'SIGCONT');
    };
  },
};
