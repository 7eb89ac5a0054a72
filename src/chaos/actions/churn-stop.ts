/** churn.stop: stops the churn on one repository, or every churn. */
import { z } from 'zod';
import { atText, type ChaosActionDefinition } from '../action.ts';
import { matchRepo, runningChurnStarts, runningChurns, stops } from '../churns.ts';
import { atField, repoSelectorField } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('churn.stop'),
  repo: repoSelectorField.optional().meta({ description: 'Stop only the churn on this repository; all churn when omitted.' }),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'churn.stop': z.output<typeof schema>;
  }
}

export const churnStopAction: ChaosActionDefinition<typeof schema> = {
  name: 'churn.stop',
  schema,
  requires: [],
  label: (action) => (action.repo ? `${action.action} ${action.repo}` : action.action),
  target: (action) => action.repo ?? 'all repos',
  problems(planned, context) {
    const { repo } = planned.action;
    if (runningChurnStarts(context.earlier).some((start) => stops(repo, start.action.repo))) return [];
    return [{ message: `${atText(planned)} has no running churn.start${repo ? ` on ${repo}` : ''} to stop` }];
  },
  async start(action, _planned, _targets, state) {
    const churns = runningChurns(state);
    for (const [name, handle] of churns) {
      if (!matchRepo(action.repo, name)) continue;
      await handle.stop();
      churns.delete(name);
    }
    return undefined;
  },
};
