import { faultControls } from '../serving/faults.ts';
import { UsageError } from '../util/exit-codes.ts';
import { formatZodIssues } from '../util/zod-issues.ts';
import type { RegisteredToken } from './auth.ts';
import { tokenSpecSchema, webhookTargetSchema, type TokenSpecInput } from './options.ts';
import type { FakeGitHubState } from './state.ts';
import type { FakeGitHubAdmin } from './types.ts';

/**
 * The run-time controls over one fake GitHub's state. Each validates its input and throws
 * UsageError naming the field; the admin HTTP API answers those with 422.
 */
export function createAdminControls(state: FakeGitHubState): FakeGitHubAdmin {
  const { faults, quotas } = state;
  return {
    ...faultControls(faults),
    setRateLimits: (patch) => quotas.setRateLimits(patch),
    rateLimits: () => quotas.rateLimits,
    resetQuota: (identity) => quotas.reset(identity),
    setWebhooks(targets) {
      const parsed = targets.map((t, i) => {
        const result = webhookTargetSchema.safeParse(t);
        if (!result.success) throw new UsageError(`invalid webhook target: ${formatZodIssues(result.error.issues, { root: `webhooks[${i}]` }).join('; ')}`);
        return result.data;
      });
      state.webhooks.setTargets(parsed);
      return parsed;
    },
    setAnonymousRead(allowed) {
      state.anonymousRead = allowed;
    },
    revokeToken: (name) => state.tokens.revoke(name),
    setIdentityLimit: (identity, limit) => quotas.setIdentityLimit(identity, limit),
    setRemaining: (remaining, identity) => quotas.setRemaining(remaining, identity),
    setTimeScale: (value) => quotas.setTimeScale(value),
  };
}

/** Registers a personal-access-style token. @throws UsageError naming the invalid field. */
export function issueToken(state: FakeGitHubState, spec: TokenSpecInput): RegisteredToken {
  const parsed = tokenSpecSchema.safeParse(spec);
  if (!parsed.success) throw new UsageError(`invalid token: ${formatZodIssues(parsed.error.issues, { root: 'tokens' }).join('; ')}`);
  return state.tokens.issue(parsed.data);
}
