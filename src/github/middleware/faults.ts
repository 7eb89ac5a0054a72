import { setTimeout as delay } from 'node:timers/promises';
import { repoOf, respond, type RequestContext } from '../context.ts';
import type { Middleware } from '../pipeline.ts';
import { docsUrl } from '../rest.ts';

const statusMessages: Record<number, string> = { 500: 'Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' };

/**
 * Applies the faults in force that match the route and repository: cuts the connection (reset),
 * answers a 5xx instead of the handler (error, outage), waits (latency) and leaves a bandwidth
 * cap in `ctx.fault` for the handler's response body. It runs after auth and rate limits, so a
 * faulted request is attributed to its caller and has been charged like any other.
 */
export const faults: Middleware<RequestContext> = async (ctx, next) => {
  const { state, match, req, res } = ctx;
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
  if (fault.delayMs > 0) {
    // Latency is server time: the request keeps its concurrency slot, as on a slow GitHub.
    // A client that hangs up meanwhile ends the wait and the request.
    const closed = new AbortController();
    const onClose = () => closed.abort();
    res.once('close', onClose);
    try {
      await delay(fault.delayMs, undefined, { signal: closed.signal });
    } catch {
      return;
    } finally {
      res.off('close', onClose);
    }
  }
  await next();
};
