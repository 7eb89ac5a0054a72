import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { adminAuthenticationRequired, presentsAdminSecret } from './admin-auth.ts';
import { noFault, type Exchange, type RequestContext } from './context.ts';
import { handleAdmin } from './handlers/admin.ts';
import { handleGit } from './handlers/git.ts';
import { handleHooks } from './handlers/hooks.ts';
import { handlePages } from './handlers/pages.ts';
import { handleRest } from './handlers/rest.ts';
import { sendJson } from './http-util.ts';
import { accounting } from './middleware/accounting.ts';
import { challengeAnonymousGit, identify, requireCredentials } from './middleware/auth.ts';
import { faults, latency } from './middleware/faults.ts';
import { rateLimits } from './middleware/rate-limits.ts';
import { compose, type Handler, type Middleware } from './pipeline.ts';
import { docsUrl } from './rest.ts';
import { isRouteError, matchRoute, type RouteError, type RouteMatch } from './routes.ts';
import type { FakeGitHubState } from './state.ts';
import type { StartedFakeGitHub } from './types.ts';

/**
 * What every git, REST and pages request goes through, outermost first. Accounting wraps the
 * rest so it records whichever stage answers; the caller is identified first so faults, limits
 * and accounting all see who sent the request, and a git client without credentials is
 * challenged before the faults, so that the request a fault refuses is the one carrying its
 * token. Faults come before the credential check and the rate limits, as on GitHub, whose edge
 * answers 5xx (or drops the connection) before any token is checked or charged: a request that
 * never reached the API behind it costs no quota, so an outage does not eat into the quota
 * clients have once it is over. Latency is waited out after the rate limits, while the request
 * holds its concurrency slot.
 */
export const requestMiddleware: readonly Middleware<RequestContext>[] = [accounting, identify, challengeAnonymousGit, faults, requireCredentials, rateLimits, latency];

/** One pipeline per handler family; the route's category picks it. */
const families: Record<Exclude<RouteMatch['category'], 'admin'>, Handler<RequestContext>> = {
  git: compose(requestMiddleware, handleGit),
  rest: compose(requestMiddleware, handleRest),
  pages: compose(requestMiddleware, handlePages),
  hooks: compose(requestMiddleware, handleHooks),
};

/**
 * The main listener's request handler: routes each request (src/github/routes.ts) and runs it
 * through the middleware to its handler family. Targets that match no route are answered 4xx and
 * still counted; so is /_fluxbench/, which this listener does not serve (the admin API has its
 * own loopback listener, see adminRequestListener), so a relay that exposes this port to pods
 * never exposes the admin API. A handler that throws gets a 500 (or a cut connection when the
 * answer had begun).
 */
export function requestListener(state: FakeGitHubState): (req: IncomingMessage, res: ServerResponse) => void {
  return guarded(async (req, res) => {
    const method = req.method ?? 'GET';
    const match = matchRoute(method, req.url ?? '');
    const exchange: Exchange = { req, res, state, method, bodyBytes: { bytes: 0 } };
    if (isRouteError(match)) return compose<Exchange>([accounting], refuseUnrouted(match))(exchange);
    if (match.category === 'admin') return compose<Exchange>([accounting], refuseUnrouted({ error: true, status: 404, message: 'Not Found' }))(exchange);
    const ctx: RequestContext = { ...exchange, match, fault: noFault };
    await families[match.category](ctx);
  });
}

/**
 * The admin listener's request handler: every request must carry `Authorization: Bearer
 * <adminSecret>` (compared in constant time) or gets GitHub's 401 before its body is read; then
 * only /_fluxbench/ routes are served. Neither counted, limited nor faulted.
 */
export function adminRequestListener(state: FakeGitHubState, gh: StartedFakeGitHub, adminSecret: string): (req: IncomingMessage, res: ServerResponse) => void {
  return guarded(async (req, res) => {
    if (!presentsAdminSecret(req.headers.authorization, adminSecret)) {
      req.resume();
      const refusal = adminAuthenticationRequired();
      return sendJson(res, refusal.status, refusal.body, { headers: refusal.headers ?? {} });
    }
    const match = matchRoute(req.method ?? 'GET', req.url ?? '');
    if (isRouteError(match) || match.category !== 'admin') {
      req.resume();
      return sendJson(res, isRouteError(match) ? match.status : 404, { message: isRouteError(match) ? match.message : 'Not Found', documentation_url: docsUrl });
    }
    return handleAdmin(req, res, match, gh, state.options.maxJsonBodyBytes);
  });
}

/** Tags every answer with a request id and turns a handler's throw into a 500 (or a cut connection). */
function guarded(route: (req: IncomingMessage, res: ServerResponse) => Promise<void>): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.on('error', () => undefined);
    res.setHeader('x-github-request-id', randomUUID().slice(0, 18).toUpperCase());
    route(req, res).catch((err: unknown) => {
      try {
        if (!res.headersSent) sendJson(res, 500, { message: 'Server Error', documentation_url: docsUrl, detail: (err as Error).message });
        else res.destroy();
      } catch {
        res.destroy();
      }
    });
  };
}

function refuseUnrouted(error: RouteError): Handler<Exchange> {
  return async ({ req, res }) => {
    req.resume();
    sendJson(res, error.status, { message: error.message, documentation_url: docsUrl });
  };
}
