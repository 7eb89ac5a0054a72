/**
 * registry.ratelimit: changes the OCI registry's pull limits for a while (a tighter limit, a
 * shorter window, the limit on or off), and can give identities their pulls back (the window's
 * reset, now). The limits are restored at the end of `duration`, or of the run.
 */
import { z } from 'zod';
import type { RegistryRateLimitsInput } from '../../registry/options.ts';
import { positiveDurationSchema, positiveIntSchema } from '../../util/field-schemas.ts';
import { atText, durationOrRunEnd, type ActionProblem, type ChaosActionDefinition } from '../action.ts';
import { atField } from '../fields.ts';

const schema = z.strictObject({
  at: atField,
  action: z.literal('registry.ratelimit'),
  enabled: z.boolean().optional().meta({ description: 'The pull limit on or off; on when any limit or the window is set and this is omitted.' }),
  anonymous: positiveIntSchema.optional().meta({ description: 'Pulls per window for each anonymous client address (Docker Hub: 100 per 6h).' }),
  authenticated: positiveIntSchema.optional().meta({ description: 'Pulls per window for each authenticated user (Docker Hub: 200 per 6h).' }),
  window: positiveDurationSchema.optional().meta({ description: 'The window pulls are counted over (compressed by the registry time scale), e.g. "1m".' }),
  resetQuota: z.boolean().optional().meta({ description: "Forget the pulls counted so far (the window's reset, now), for `identity` or everyone." }),
  identity: z.string().min(1).optional().meta({ description: 'The identity whose pulls resetQuota forgets (a user name, or anonymous:<ip>); everyone when omitted.' }),
  duration: positiveDurationSchema.optional().meta({ description: 'Restore the previous limits after this long; at the end of the run when omitted.' }),
});

export type RegistryRateLimitAction = z.output<typeof schema>;

/** The change to the limits an action asks for, or undefined when it only resets quotas. */
export function rateLimitPatch(action: RegistryRateLimitAction): RegistryRateLimitsInput | undefined {
  const { enabled, anonymous, authenticated, window } = action;
  if (enabled === undefined && anonymous === undefined && authenticated === undefined && window === undefined) return undefined;
  return {
    // Setting a limit means wanting it in force: the registry's limit is off unless a scenario turns it on.
    enabled: enabled ?? true,
    ...(anonymous !== undefined ? { anonymous } : {}),
    ...(authenticated !== undefined ? { authenticated } : {}),
    ...(window !== undefined ? { window } : {}),
  };
}

// Self-registration of the action's type (declaration merging), so TimelineAction knows it
// without src/chaos/action.ts importing the action files.
declare module '../action.ts' {
  interface ChaosActionTypes {
    'registry.ratelimit': z.output<typeof schema>;
  }
}

export const registryRateLimitAction: ChaosActionDefinition<typeof schema> = {
  name: 'registry.ratelimit',
  schema,
  requires: [],
  server: 'registry',
  label: (action) => action.action,
  target: (action) => action.identity ?? 'registry',
  // Only a change of limits lasts; a quota reset is done once it is done.
  endMs: (planned, _later, durationMs) => (rateLimitPatch(planned.action) ? durationOrRunEnd(planned, durationMs) : undefined),
  problems(planned) {
    const { action } = planned;
    const problems: ActionProblem[] = [];
    if (!rateLimitPatch(action) && action.resetQuota !== true) {
      problems.push({ message: `${atText(planned)} changes nothing: set enabled, anonymous, authenticated, window or resetQuota` });
    }
    if (action.identity !== undefined && action.resetQuota !== true) {
      problems.push({ field: 'identity', message: 'identity only narrows resetQuota (the limits apply to every identity): add resetQuota: true or drop identity' });
    }
    if (action.duration !== undefined && !rateLimitPatch(action)) {
      problems.push({ field: 'duration', message: 'a quota reset is instant: duration applies to a change of limits (enabled, anonymous, authenticated, window)' });
    }
    return problems;
  },
  async start(action, _planned, targets) {
    const registry = targets.registry;
    if (!registry) throw new Error('this run has no OCI registry to change the pull limits of');
    const { admin } = registry;
    const previous = admin.rateLimits();
    const patch = rateLimitPatch(action);
    if (patch) admin.setRateLimits(patch);
    if (action.resetQuota) admin.resetQuota(action.identity);
    if (!patch) return undefined;
    return async () => {
      admin.setRateLimits({ enabled: previous.enabled, window: previous.window, anonymous: previous.anonymous, authenticated: previous.authenticated });
    };
  },
};
