import type { GitCost } from '../accounting.ts';
import type { Exchange } from '../context.ts';
import { repoOf } from '../context.ts';
import { headerBytes } from '../http-util.ts';
import type { Middleware } from '../pipeline.ts';

/**
 * The outermost stage: records every request once its response has closed, whichever stage
 * answered it, attributed to the caller the auth middleware resolved (`anonymous:<ip>` when it
 * resolved none). Status 0 means the connection was cut without an answer.
 */
export const accounting: Middleware<Exchange> = async (ctx, next) => {
  const { req, res, state } = ctx;
  const ts = state.clock.now();
  const started = performance.now();
  const socket = req.socket;
  const writtenBefore = socket.bytesWritten;
  res.once('close', () => {
    const match = ctx.match;
    state.accounting.record({
      ts,
      identity: ctx.caller?.identity.label ?? `anonymous:${socket.remoteAddress ?? 'unknown'}`,
      repo: repoOf(match),
      route: match?.route ?? 'invalid',
      category: match?.category ?? 'rest',
      method: ctx.method,
      status: res.headersSent ? res.statusCode : 0,
      bytesIn: headerBytes(req) + ctx.bodyBytes.bytes,
      bytesOut: Math.max(0, socket.bytesWritten - writtenBefore),
      durationMs: performance.now() - started,
      ...(ctx.limited ? { limited: ctx.limited } : {}),
      ...(ctx.git ? { git: gitCost(ctx.git) } : {}),
      ...(ctx.event ? { event: ctx.event } : {}),
    });
  });
  await next();
};

/** The git child's cost; a child still running when the response closed was cut short (and is being killed). */
function gitCost(git: NonNullable<Exchange['git']>): GitCost {
  const { usage } = git;
  if (!usage) return { hostSeconds: (performance.now() - git.startedMs) / 1000, complete: false };
  return {
    hostSeconds: usage.wallSeconds,
    ...(usage.cpuSeconds !== undefined ? { cpuSeconds: usage.cpuSeconds } : {}),
    complete: usage.exitCode === 0,
    ...(usage.pack ? { pack: usage.pack } : {}),
  };
}
