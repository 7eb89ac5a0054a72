import { anonymousIdentity, identityOfToken, looksLikeJwt, parseCredentials, verifyAppJwt, type Identity } from '../auth.ts';
import { respond, type RequestContext } from '../context.ts';
import { anonymousGitChallenge } from '../repo-access.ts';
import type { Middleware } from '../pipeline.ts';
import type { Caller } from '../quotas.ts';
import { badCredentials, docsUrl, type RestResponse } from '../rest.ts';

/**
 * Resolves who is calling (a token, an App installation token, an App JWT on the App routes, or
 * the anonymous client by IP) before anything else looks at the request, so faults, limits and
 * accounting all see the same identity. Refuses nothing itself: bad credentials are answered by
 * `requireCredentials`, after the faults, because a GitHub that is down answers 5xx before it
 * checks anyone's token.
 */
export const identify: Middleware<RequestContext> = async (ctx, next) => {
  const resolved = resolveCaller(ctx);
  if ('refusal' in resolved) {
    ctx.authRefusal = resolved.refusal;
    // Unknown credentials are accounted to the client's address, as GitHub cannot name them either.
    const identity = anonymousIdentity(ctx.req.socket.remoteAddress ?? 'unknown');
    ctx.caller = { identity, limit: ctx.state.quotas.limitFor(identity) };
  } else {
    ctx.caller = resolved.caller;
  }
  await next();
};

/**
 * Challenges a git request that carries no credentials where the repository wants them (a push,
 * a private repository, anonymous reads off), before the faults. git sends its token only once
 * challenged (libcurl negotiates the scheme first), so a fault answering that first request would
 * leave every faulted git request anonymous; with the challenge first, git's retry carries the
 * token and a fault refuses it as that identity. GitHub's git front end likewise authenticates
 * before it routes to the servers that hold the repository, where most failures are. The
 * challenge costs no quota (nothing refused before the rate limits does); requests with unknown
 * credentials are left to `requireCredentials`, after the faults (an outage answers them 503).
 */
export const challengeAnonymousGit: Middleware<RequestContext> = async (ctx, next) => {
  const challenge = ctx.authRefusal ? undefined : await anonymousGitChallenge(ctx);
  if (challenge) {
    ctx.req.resume();
    respond(ctx, challenge);
    return;
  }
  await next();
};

/** Answers 401 for malformed or unknown credentials and App JWTs that fail verification. */
export const requireCredentials: Middleware<RequestContext> = async (ctx, next) => {
  if (ctx.authRefusal) {
    ctx.req.resume();
    respond(ctx, ctx.authRefusal.answer, ctx.authRefusal.headers);
    return;
  }
  await next();
};

type Resolved = { caller: Caller } | { refusal: NonNullable<RequestContext['authRefusal']> };

/** The caller, or the 401 its credentials earn. */
function resolveCaller(ctx: RequestContext): Resolved {
  const { state, match, req } = ctx;
  const creds = parseCredentials(req.headers.authorization);
  // git asks for credentials only when challenged.
  const challenge = match.category === 'git' ? { 'www-authenticate': 'Basic realm="GitHub"' } : undefined;
  const refuse = (answer: RestResponse): Resolved => ({ refusal: { answer, ...(challenge ? { headers: challenge } : {}) } });
  if (creds.scheme === 'none') {
    const identity = anonymousIdentity(req.socket.remoteAddress ?? 'unknown');
    return { caller: { identity, limit: state.quotas.limitFor(identity) } };
  }
  if (creds.scheme === 'malformed') return refuse(badCredentials());
  const app = state.options.app;
  const isAppRoute = match.route.startsWith('rest.app') || match.route === 'rest.installation.lookup';
  if (isAppRoute && creds.scheme === 'bearer' && looksLikeJwt(creds.token) && app) {
    const check = verifyAppJwt(creds.token, { appId: app.id, ...(app.publicKey ? { publicKeyPem: app.publicKey } : {}), nowMs: Date.now() });
    if (!check.ok) return { refusal: { answer: { status: 401, body: { message: check.message, documentation_url: docsUrl } } } };
    const identity: Identity = { key: `app:${check.appId}`, label: `app:${check.appId}`, kind: 'app', permission: 'none' };
    return { caller: { identity, limit: state.quotas.rateLimits.installation } };
  }
  const token = state.tokens.lookup(creds.token, Date.now());
  if (!token) return refuse(badCredentials());
  const identity = identityOfToken(token);
  return { caller: { identity, limit: state.quotas.limitFor(identity, token) } };
}
