/** flux.suspend: sets `spec.suspend: true` on Flux objects until a matching flux.resume (or the run's end). */
import { z } from 'zod';
import { isPlanned, type ChaosActionDefinition } from '../action.ts';
import { fluxObjectFields, fluxObjectLabel, fluxObjectTarget, setSuspend } from '../flux-objects.ts';

const schema = z.strictObject({ ...fluxObjectFields, action: z.literal('flux.suspend') });

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'flux.suspend': z.output<typeof schema>;
  }
}

export const fluxSuspendAction: ChaosActionDefinition<typeof schema> = {
  name: 'flux.suspend',
  schema,
  requires: [],
  label: fluxObjectLabel,
  target: fluxObjectTarget,
  endMs(planned, later, durationMs) {
    const { action } = planned;
    const resume = later.find(
      (other) =>
        isPlanned(other, 'flux.resume') &&
        other.action.kind === action.kind &&
        (other.action.namespace === undefined || other.action.namespace === action.namespace) &&
        (other.action.name === undefined || other.action.name === action.name),
    );
    return resume?.atMs ?? durationMs;
  },
  async start(action, _planned, targets) {
    await setSuspend(targets, action, true);
    return undefined;
  },
};
