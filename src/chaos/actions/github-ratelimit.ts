/** github.ratelimit: changes the fake GitHub's rate limits (or the quota left) for a while. */
import { z } from 'zod';
import { nonNegativeIntSchema, positiveDurationSchema, positiveIntSchema } from '../../util/field-schemas.ts';
import { durationOrRunEnd, type ChaosActionDefinition } from '../action.ts';
import { atField } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('github.ratelimit'),
  identity: z.string().min(1).optional().meta({ description: 'Token identity to change; all when omitted.' }),
  limit: positiveIntSchema.optional().meta({ description: 'Requests allowed per window.' }),
  window: positiveDurationSchema.optional().meta({ description: 'Length of the quota window (compressed time), e.g. "1m".' }),
  remaining: nonNegativeIntSchema.optional().meta({ description: 'Set the remaining quota now (0 = exhausted), for the identity or for everyone.' }),
  duration: positiveDurationSchema.optional().meta({ description: 'Restore the previous limits after this long.' }),
});

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'github.ratelimit': z.output<typeof schema>;
  }
}

export const githubRateLimitAction: ChaosActionDefinition<typeof schema> = {
  name: 'github.ratelimit',
  schema,
  requires: [],
  label: (action) => action.action,
  target: (action) => action.identity ?? 'all identities',
  endMs: (planned, _later, durationMs) => durationOrRunEnd(planned, durationMs),
  async start(action, _planned, targets) {
    const { admin } = targets.github;
    const previous = admin.rateLimits();
    const limit =
      action.limit === undefined ? {} : action.identity === 'anonymous' ? { anonymous: action.limit } : { token: action.limit, installation: action.limit };
    admin.setRateLimits({ ...(action.window !== undefined ? { window: action.window } : {}), ...limit });
    if (action.remaining !== undefined) admin.setRemaining(action.remaining, action.identity);
    return async () => {
      admin.setRateLimits({ window: previous.window, token: previous.token, installation: previous.installation, anonymous: previous.anonymous });
    };
  },
};
