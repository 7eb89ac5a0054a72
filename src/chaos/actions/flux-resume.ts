/** flux.resume: sets `spec.suspend: false` on Flux objects, ending a flux.suspend. */
import { z } from 'zod';
import type { ChaosActionDefinition } from '../action.ts';
import { fluxObjectFields, fluxObjectLabel, fluxObjectTarget, setSuspend } from '../flux-objects.ts';

const schema = z.strictObject({ ...fluxObjectFields, action: z.literal('flux.resume') });

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'flux.resume': z.output<typeof schema>;
  }
}

export const fluxResumeAction: ChaosActionDefinition<typeof schema> = {
  name: 'flux.resume',
  schema,
  requires: [],
  label: fluxObjectLabel,
  target: fluxObjectTarget,
  async start(action, _planned, targets) {
    await setSuspend(targets, action, false);
    return undefined;
  },
};
