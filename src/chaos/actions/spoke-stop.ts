/**
 * spoke.stop: stops one spoke cluster's kube-apiserver for `duration`, then starts it again; without
 * a duration it stays down to the end of the run (the verdict's diagnosis sees it down, and the
 * teardown deletes the spoke). The hub's controllers then fail every reconcile of that spoke's
 * Kustomizations with a connection error, while the other spokes should go on applying commits.
 */
import { z } from 'zod';
import { positiveDurationSchema } from '../../util/field-schemas.ts';
import { parseDuration } from '../../util/units.ts';
import type { ChaosActionDefinition } from '../action.ts';
import { atField, spokeField, spokeProblems } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('spoke.stop'),
  spoke: spokeField,
  duration: positiveDurationSchema.optional().meta({ description: "How long the spoke's API server stays down; until the end of the run when omitted." }),
});

declare module '../action.ts' {
  interface ChaosActionTypes {
    'spoke.stop': z.output<typeof schema>;
  }
}

export const spokeStopAction: ChaosActionDefinition<typeof schema> = {
  name: 'spoke.stop',
  schema,
  requires: ['hostControlPlane'],
  label: (action) => `spoke.stop ${action.spoke}`,
  target: (action) => action.spoke,
  // Without a duration nothing ends it before the teardown: an instant action on the timeline.
  endMs: (planned) => (planned.action.duration !== undefined ? planned.atMs + parseDuration(planned.action.duration) : undefined),
  problems: (planned, context) => spokeProblems(planned.action.spoke, context),
  async start(action, _planned, targets) {
    const spoke = targets.fleet?.spoke(action.spoke);
    if (!spoke) throw new Error(`the run has no spoke ${action.spoke}`);
    await spoke.stopApiServer();
    return action.duration !== undefined ? () => spoke.startApiServer() : undefined;
  },
};
