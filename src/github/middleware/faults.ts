import { waitUnlessClosed } from '../../serving/latency.ts';
import { repoOf, respond, type RequestContext } from '../context.ts';
import type { Middleware } from '../pipeline.ts';
import { docsUrl } from '../rest.ts';

const statusMessages: Record<number, string> = { 500: 'Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/**
 * Decides the faults in force that match the route and repository, and answers the refusing
 * ones: cuts the connection (reset) or answers a 5xx instead of the handler (error, outage). It
 * runs after the caller is identified (and a git client without credentials is challenged for
 * them), so a faulted request is attributed to whoever sent it, and before credentials are
 * checked or quota charged: a faulted request costs no quota. Latency and a bandwidth cap are
 * left in `ctx.fault` for `latency` and the handler's response body.
 */
export const faults: Middleware<RequestContext> = async (ctx, next) => {
  const { state, match, req } = ctx;
  const fault = state.faults.decide(match.route, repoOf(match));
  ctx.fault = fault;
  if (fault.reset) {
    req.socket.destroy();
    return;
  }
  if (fault.status !== undefined) {
    req.resume();
    respond(ctx, { status: fault.status, body: { message: statusMessages[fault.status] ?? 'Server Error', documentation_url: docsUrl } });
    return;
  }
  await next();
};

/**
 * Waits out an injected latency after the rate limits, so the request holds its concurrency slot
 * meanwhile, as on a slow GitHub. A client that hangs up meanwhile ends the wait and the request.
 */
export const latency: Middleware<RequestContext> = async (ctx, next) => {
  if (await waitUnlessClosed(ctx.res, ctx.fault.delayMs)) await next();
};
