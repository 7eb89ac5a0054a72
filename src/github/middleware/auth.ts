import { anonymousIdentity, identityOfToken, looksLikeJwt, parseCredentials, verifyAppJwt, type Identity } from '../auth.ts';
import { respond, type RequestContext } from '../context.ts';
import type { Middleware } from '../pipeline.ts';
import type { Caller } from '../quotas.ts';
import { badCredentials, docsUrl } from '../rest.ts';

/**
 * Resolves who is calling (a token, an App installation token, an App JWT on the App routes, or
 * the anonymous client by IP) before anything else looks at the request, so limits, faults and
 * accounting all see the same identity. Answers 401 itself for malformed or unknown credentials
 * and for App JWTs that fail verification.
 */
export const authenticate: Middleware<RequestContext> = async (ctx, next) => {
  const caller = resolveCaller(ctx);
  if (!caller) {
    ctx.req.resume();
    return;
  }
  ctx.caller = caller;
  await next();
};

/** The caller, or undefined after answering 401. */
function resolveCaller(ctx: RequestContext): Caller | undefined {
  const { state, match, req } = ctx;
  const creds = parseCredentials(req.headers.authorization);
  // git asks for credentials only when challenged.
  const challenge = match.category === 'git' ? { 'www-authenticate': 'Basic realm="GitHub"' } : undefined;
  if (creds.scheme === 'none') {
    const identity = anonymousIdentity(req.socket.remoteAddress ?? 'unknown');
    return { identity, limit: state.quotas.limitFor(identity) };
  }
  if (creds.scheme === 'malformed') {
    respond(ctx, badCredentials(), challenge);
    return undefined;
  }
  const app = state.options.app;
  const isAppRoute = match.route.startsWith('rest.app') || match.route === 'rest.installation.lookup';
  if (isAppRoute && creds.scheme === 'bearer' && looksLikeJwt(creds.token) && app) {
    const check = verifyAppJwt(creds.token, { appId: app.id, ...(app.publicKey ? { publicKeyPem: app.publicKey } : {}), nowMs: Date.now() });
    if (!check.ok) {
      respond(ctx, { status: 401, body: { message: check.message, documentation_url: docsUrl } });
      return undefined;
    }
    const identity: Identity = { key: `app:${check.appId}`, label: `app:${check.appId}`, kind: 'app', permission: 'none' };
    return { identity, limit: state.quotas.rateLimits.installation };
  }
  const token = state.tokens.lookup(creds.token, Date.now());
  if (!token) {
    respond(ctx, badCredentials(), challenge);
    return undefined;
  }
  const identity = identityOfToken(token);
  return { identity, limit: state.quotas.limitFor(identity, token) };
}
