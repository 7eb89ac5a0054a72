import { callerOf, respond, type RequestContext } from '../context.ts';
import type { Middleware } from '../pipeline.ts';
import type { QuotaState } from '../rate-limiter.ts';

const limitsDocs = 'https://docs.github.com/rest/overview/rate-limits-for-the-rest-api';

function rateHeaders(quota: QuotaState): Record<string, string> {
  return {
    'x-ratelimit-limit': String(quota.limit),
    'x-ratelimit-remaining': String(quota.remaining),
    'x-ratelimit-reset': String(Math.ceil(quota.resetAt / 1000)),
    'x-ratelimit-used': String(quota.used),
    'x-ratelimit-resource': 'core',
  };
}

/**
 * Charges the caller's primary quota and secondary limits (for the traffic the config counts),
 * refusing with GitHub's 403 (primary) or the configured 429/403 (secondary) and Retry-After.
 * An admitted request holds a concurrency slot until its response closes. Every answer that
 * gets past this stage carries the X-RateLimit-* headers.
 */
export const rateLimits: Middleware<RequestContext> = async (ctx, next) => {
  const { state, match, res } = ctx;
  const caller = callerOf(ctx);
  state.quotas.track(caller);
  let quota: QuotaState;
  if (state.quotas.counts(match.route, match.category)) {
    const decision = state.quotas.acquire(caller, ctx.method, match.route);
    quota = decision.quota;
    if (!decision.allowed) {
      ctx.limited = decision.reason;
      ctx.req.resume();
      const headers = { ...rateHeaders(quota), 'retry-after': String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000))) };
      if (decision.reason === 'primary') {
        respond(ctx, { status: 403, body: { message: `API rate limit exceeded for ${whoExceeded(ctx)}`, documentation_url: limitsDocs } }, headers);
      } else {
        const message = 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.';
        respond(ctx, { status: state.quotas.rateLimits.secondary.status, body: { message, documentation_url: `${limitsDocs}#about-secondary-rate-limits` } }, headers);
      }
      return;
    }
    res.once('close', () => state.quotas.release(caller));
  } else {
    quota = state.quotas.peek(caller);
  }
  ctx.quota = quota;
  for (const [k, v] of Object.entries(rateHeaders(quota))) res.setHeader(k, v);
  await next();
};

/** How GitHub names the exhausted bucket in its 403 message. */
function whoExceeded(ctx: RequestContext): string {
  const { identity } = callerOf(ctx);
  if (identity.kind === 'anonymous') {
    return `${ctx.req.socket.remoteAddress}. (But here's the good news: Authenticated requests get a higher rate limit. Check out the documentation for more details.)`;
  }
  return identity.kind === 'installation' ? `installation ID ${identity.key.split(':')[1]}.` : `user ID ${identity.label}.`;
}
