/**
 * spoke.pause: freezes one spoke cluster's kube-apiserver (SIGSTOP) for `duration`, then resumes
 * it (SIGCONT). Unlike spoke.stop, connections are accepted and never answered: the hub's
 * controllers wait out their own timeouts, the slower face of a spoke gone silent.
 */
import { z } from 'zod';
import { positiveDurationSchema } from '../../util/field-schemas.ts';
import { parseDuration } from '../../util/units.ts';
import type { ChaosActionDefinition } from '../action.ts';
import { atField, spokeField, spokeProblems } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('spoke.pause'),
  spoke: spokeField,
  duration: positiveDurationSchema.meta({ description: "How long the spoke's API server stays frozen (SIGSTOP .. SIGCONT)." }),
});

declare module '../action.ts' {
  interface ChaosActionTypes {
    'spoke.pause': z.output<typeof schema>;
  }
}

export const spokePauseAction: ChaosActionDefinition<typeof schema> = {
  name: 'spoke.pause',
  schema,
  requires: ['hostControlPlane'],
  endsFirst: true,
  label: (action) => `spoke.pause ${action.spoke}`,
  target: (action) => action.spoke,
  endMs: (planned) => planned.atMs + parseDuration(planned.action.duration),
  problems: (planned, context) => spokeProblems(planned.action.spoke, context),
  async start(action, _planned, targets) {
    const spoke = targets.fleet?.spoke(action.spoke);
    if (!spoke) throw new Error(`the run has no spoke ${action.spoke}`);
    await spoke.pause();
    return () => spoke.resume();
  },
};
