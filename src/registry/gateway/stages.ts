/**
 * The gateway's middleware, in pipeline order (see pipeline.ts): accounting, identify, faults,
 * authorize, pull limits, latency. Each may answer the request itself instead of going on.
 */
import { headerBytes } from '../../serving/http-util.ts';
import { waitUnlessClosed } from '../../serving/latency.ts';
import type { Middleware } from '../../serving/pipeline.ts';
import { credentialsMatch, isAuthorization, parseBasicAuthorization } from '../credentials.ts';
import { anonymousIdentity, isAnonymous } from '../limits.ts';
import { identityOf, type GatewayExchange } from './context.ts';
import { basicChallenge, sendRegistryError } from './errors.ts';

/**
 * The outermost stage: records every request once its response has closed, whichever stage
 * answered it, attributed to the identity `identify` resolved. Status 0: the connection was cut.
 */
export const accounting: Middleware<GatewayExchange> = async (ctx, next) => {
  const { req, res, state } = ctx;
  const ts = state.clock.now();
  const started = performance.now();
  const socket = req.socket;
  const writtenBefore = socket.bytesWritten;
  res.once('close', () => {
    state.accounting.record({
      ts,
      identity: ctx.identity ?? anonymousIdentity(socket.remoteAddress ?? 'unknown'),
      repository: ctx.request.repository,
      route: ctx.request.route,
      method: ctx.method,
      status: res.headersSent ? res.statusCode : 0,
      bytesIn: headerBytes(req) + ctx.bodyBytes.bytes,
      bytesOut: Math.max(0, socket.bytesWritten - writtenBefore),
      durationMs: performance.now() - started,
      pull: ctx.pull === true,
      ...(ctx.limited ? { limited: true } : {}),
    });
  });
  await next();
};

/**
 * Resolves who is calling: the Basic-auth user when the password matches (compared in constant
 * time), else the client's address as `anonymous:<ip>`. Refuses nothing: wrong credentials are
 * answered by `authorize`, after the faults, as a registry that is down answers 5xx first.
 */
export const identify: Middleware<GatewayExchange> = async (ctx, next) => {
  const header = ctx.req.headers.authorization;
  if (header !== undefined && isAuthorization(header, ctx.state.clientAuthorization)) {
    ctx.identity = ctx.state.client.username;
    return next();
  }
  const anonymous = anonymousIdentity(ctx.req.socket.remoteAddress ?? 'unknown');
  const given = parseBasicAuthorization(header);
  if (given.scheme === 'none') ctx.identity = anonymous;
  else if (given.scheme === 'basic' && credentialsMatch(given, ctx.state.client)) ctx.identity = given.username;
  else {
    ctx.identity = anonymous;
    ctx.badCredentials = true;
  }
  await next();
};

/**
 * Applies the faults in force that match the route and repository: cuts the connection (reset)
 * or answers a 5xx in the registry's error shape (error, outage). Latency and bandwidth are left
 * in `ctx.fault` for `latency` and the proxy.
 */
export const faults: Middleware<GatewayExchange> = async (ctx, next) => {
  const fault = ctx.state.faults.decide(ctx.request.route, ctx.request.repository);
  ctx.fault = fault;
  if (fault.reset) {
    ctx.req.socket.destroy();
    return;
  }
  if (fault.status !== undefined) {
    ctx.req.resume();
    const unavailable = fault.status !== 500;
    sendRegistryError(ctx.res, {
      status: fault.status,
      code: unavailable ? 'UNAVAILABLE' : 'UNKNOWN',
      message: unavailable ? 'service unavailable' : 'unknown error',
      head: ctx.method === 'HEAD',
    });
    return;
  }
  await next();
};

/**
 * 401 with a Basic challenge for wrong credentials, and for anonymous requests unless they are
 * reads (GET/HEAD of /v2/, manifests, blobs, tags, referrers) and anonymous pulls are allowed.
 */
export const authorize: Middleware<GatewayExchange> = async (ctx, next) => {
  const anonymousRead = isAnonymous(identityOf(ctx)) && ctx.request.read && ctx.state.anonymousPull;
  if (ctx.badCredentials || (isAnonymous(identityOf(ctx)) && !anonymousRead)) {
    ctx.req.resume();
    sendRegistryError(ctx.res, {
      status: 401,
      code: 'UNAUTHORIZED',
      message: ctx.badCredentials ? 'invalid username or password' : 'authentication required',
      headers: basicChallenge,
      head: ctx.method === 'HEAD',
    });
    return;
  }
  await next();
};

/**
 * Docker Hub's pull limit: a manifest GET counts as one pull against the caller's identity; a
 * HEAD does not. Docker Hub defines a pull by the manifest GETs it makes, and the version check
 * (a HEAD of the manifest, what clients poll a tag's digest with) does not count
 * (https://docs.docker.com/docker-hub/usage/pulls/).
 * A pull over the limit gets 429 TOOMANYREQUESTS; manifest answers carry `ratelimit-limit` and
 * `ratelimit-remaining` (`<n>;w=<window seconds>`), as Docker Hub's do.
 */
export const pullLimits: Middleware<GatewayExchange> = async (ctx, next) => {
  const { state, request, res } = ctx;
  if (request.route === 'manifest' && state.limits.enabled && (ctx.method === 'GET' || ctx.method === 'HEAD')) {
    const identity = identityOf(ctx);
    if (request.pull) {
      const decision = state.limits.charge(identity);
      const headers = state.limits.headers(decision.quota, identity);
      if (!decision.allowed) {
        ctx.limited = true;
        ctx.req.resume();
        const { limit } = decision.quota;
        const message = `You have reached your pull rate limit of ${limit} per ${state.limits.windowSeconds}s as ${identity}.`;
        const detail = { identity, limit, windowSeconds: state.limits.windowSeconds, resetAt: new Date(decision.quota.resetAt).toISOString() };
        const retryAfter = String(Math.max(1, Math.ceil(decision.retryAfterMs / 1000)));
        sendRegistryError(res, { status: 429, code: 'TOOMANYREQUESTS', message, detail, headers: { ...headers, 'retry-after': retryAfter } });
        return;
      }
      state.accounting.quota(state.clock.now(), identity, decision.quota);
      for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    } else {
      for (const [k, v] of Object.entries(state.limits.headers(state.limits.peek(identity), identity))) res.setHeader(k, v);
    }
  }
  if (request.pull) ctx.pull = true;
  await next();
};

/** Waits out an injected latency; a client that hangs up meanwhile ends the wait and the request. */
export const latency: Middleware<GatewayExchange> = async (ctx, next) => {
  if (await waitUnlessClosed(ctx.res, ctx.fault.delayMs)) await next();
};
