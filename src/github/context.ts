import type { IncomingMessage, ServerResponse } from 'node:http';
import type { HookEvent, RequestRecord } from './accounting.ts';
import type { FaultDecision } from './faults.ts';
import type { GitUsage } from './git-processes.ts';
import { sendJson } from './http-util.ts';
import type { Caller } from './quotas.ts';
import type { QuotaState } from './rate-limiter.ts';
import type { RestResponse } from './rest.ts';
import type { RouteMatch } from './routes.ts';
import type { FakeGitHubState } from './state.ts';

/** One request on its way through the pipeline, whether or not it matched a route. */
export interface Exchange {
  readonly req: IncomingMessage;
  readonly res: ServerResponse;
  readonly state: FakeGitHubState;
  readonly method: string;
  /** Undefined when the target matched no route (answered 4xx before any middleware but accounting). */
  readonly match?: RouteMatch;
  /** Request body bytes read so far (headers are added when the response closes). */
  readonly bodyBytes: { bytes: number };
  /** Set by the auth middleware; accounting attributes the request to it. */
  caller?: Caller;
  /** Set by `identify` when the credentials are bad; `requireCredentials` answers it after the faults. */
  authRefusal?: { answer: RestResponse; headers?: Record<string, string> };
  /** Set by the rate-limit middleware when a limit refused the request. */
  limited?: RequestRecord['limited'];
  /**
   * Set by the git handler for an RPC: when its git child started (performance.now() ms) and,
   * once it has exited, what it cost; the accounting turns it into the record's `git`.
   */
  git?: { startedMs: number; usage?: GitUsage };
  /** Set by the hooks handler: the Flux event a generic webhook carried, for the record's `event`. */
  event?: HookEvent;
}

/** A routed request: what the middleware after accounting and every handler family see. */
export interface RequestContext extends Exchange {
  readonly match: RouteMatch;
  /** The quota after this request was charged (or peeked, when it does not count). */
  quota?: QuotaState;
  /** What the faults in force do to this request; none until the faults middleware decides. */
  fault: FaultDecision;
}

export const noFault: FaultDecision = { reset: false, delayMs: 0 };

/** `owner/repo`, or '' for routes without one (as samples and fault matches read it). */
export function repoOf(match: RouteMatch | undefined): string {
  return match?.owner && match.repo ? `${match.owner}/${match.repo}` : '';
}

/** The authenticated caller; handlers run only after the auth middleware has set it. */
export function callerOf(ctx: RequestContext): Caller {
  if (!ctx.caller) throw new Error(`${ctx.match.route} reached its handler before authentication`);
  return ctx.caller;
}

/** Writes a JSON answer, throttled when a bandwidth fault applies, without a body for HEAD. */
export function respond(ctx: RequestContext, answer: RestResponse, extraHeaders?: Record<string, string>): void {
  sendJson(ctx.res, answer.status, answer.body, {
    headers: { ...(answer.headers ?? {}), ...(extraHeaders ?? {}) },
    bytesPerSecond: ctx.fault.bytesPerSecond,
    head: ctx.method === 'HEAD',
  });
}
