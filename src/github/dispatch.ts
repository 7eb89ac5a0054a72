import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { noFault, type Exchange, type RequestContext } from './context.ts';
import { handleAdmin } from './handlers/admin.ts';
import { handleGit } from './handlers/git.ts';
import { handlePages } from './handlers/pages.ts';
import { handleRest } from './handlers/rest.ts';
import { sendJson } from './http-util.ts';
import { accounting } from './middleware/accounting.ts';
import { authenticate } from './middleware/auth.ts';
import { faults } from './middleware/faults.ts';
import { rateLimits } from './middleware/rate-limits.ts';
import { compose, type Handler, type Middleware } from './pipeline.ts';
import { docsUrl } from './rest.ts';
import { isRouteError, matchRoute, type RouteError, type RouteMatch } from './routes.ts';
import type { FakeGitHubState } from './state.ts';
import type { StartedFakeGitHub } from './types.ts';

/**
 * What every git, REST and pages request goes through, outermost first. Accounting wraps the
 * rest so it records whichever stage answers; identity is resolved before limits and faults so
 * both (and accounting) see who sent the request; an exhausted quota refuses before a fault
 * applies; latency is waited out while the request holds its concurrency slot.
 */
export const requestMiddleware: readonly Middleware<RequestContext>[] = [accounting, authenticate, rateLimits, faults];

/** One pipeline per handler family; the route's category picks it. */
const families: Record<Exclude<RouteMatch['category'], 'admin'>, Handler<RequestContext>> = {
  git: compose(requestMiddleware, handleGit),
  rest: compose(requestMiddleware, handleRest),
  pages: compose(requestMiddleware, handlePages),
};

/**
 * The server's request listener: routes each request (src/github/routes.ts) and runs it through
 * the middleware to its handler family. Targets that match no route are answered 4xx and still
 * counted; the admin API under /_fluxbench/ is neither counted, limited nor faulted.
 * A handler that throws gets a 500 (or a cut connection when the answer had begun).
 */
export function requestListener(state: FakeGitHubState, gh: StartedFakeGitHub): (req: IncomingMessage, res: ServerResponse) => void {
  const route = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    res.on('error', () => undefined);
    res.setHeader('x-github-request-id', randomUUID().slice(0, 18).toUpperCase());
    const method = req.method ?? 'GET';
    const match = matchRoute(method, req.url ?? '');
    const exchange: Exchange = { req, res, state, method, bodyBytes: { bytes: 0 } };
    if (isRouteError(match)) return compose<Exchange>([accounting], refuseUnrouted(match))(exchange);
    if (match.category === 'admin') return handleAdmin(req, res, match, gh, state.options.maxJsonBodyBytes);
    const ctx: RequestContext = { ...exchange, match, fault: noFault };
    await families[match.category](ctx);
  };
  return (req, res) => {
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
