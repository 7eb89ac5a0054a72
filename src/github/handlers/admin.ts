import type { IncomingMessage, ServerResponse } from 'node:http';
import { FluxbenchError } from '../../util/exit-codes.ts';
import { BodyTooLargeError, readBody, sendJson } from '../http-util.ts';
import type { RouteMatch } from '../routes.ts';
import type { StartedFakeGitHub } from '../types.ts';
import type { FaultSpecInput, RateLimitOptionsInput, TokenSpecInput } from '../options.ts';

const endpoints = [
  'GET /_fluxbench/health',
  'GET|POST|PUT|DELETE /_fluxbench/faults',
  'DELETE /_fluxbench/faults/{id}',
  'GET|PATCH /_fluxbench/rate-limits',
  'POST /_fluxbench/rate-limits/reset',
  'PUT /_fluxbench/rate-limits/identity',
  'POST /_fluxbench/tokens',
  'DELETE /_fluxbench/tokens/{name}',
  'POST /_fluxbench/repos',
  'POST /_fluxbench/notify-push',
  'GET /_fluxbench/requests',
  'PUT /_fluxbench/webhooks',
  'GET /_fluxbench/webhooks/deliveries',
  'PUT /_fluxbench/time-scale',
  'PUT /_fluxbench/anonymous-read',
];

/**
 * The run-time control API under /_fluxbench/: served only by the admin listener on 127.0.0.1,
 * after the admin secret was checked (src/github/dispatch.ts); not counted, not faulted.
 */
export async function handleAdmin(req: IncomingMessage, res: ServerResponse, match: RouteMatch, gh: StartedFakeGitHub, maxBody: number): Promise<void> {
  const method = req.method ?? 'GET';
  const path = (match.rest ?? []).join('/');
  let body: unknown;
  try {
    const raw = await readBody(req, maxBody);
    body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch (err) {
    return sendJson(res, err instanceof BodyTooLargeError ? 413 : 400, { message: err instanceof BodyTooLargeError ? err.message : 'request body is not valid JSON' });
  }
  const obj = (body ?? {}) as Record<string, unknown>;
  try {
    const key = `${method} ${path}`;
    switch (key) {
      case 'GET health':
        return sendJson(res, 200, { ok: true, url: gh.url });
      case 'GET faults':
        return sendJson(res, 200, gh.admin.faults());
      case 'POST faults':
        return sendJson(res, 201, gh.admin.addFault(body as FaultSpecInput));
      case 'PUT faults':
        if (!Array.isArray(body)) return sendJson(res, 400, { message: 'PUT /_fluxbench/faults takes a JSON array of faults' });
        return sendJson(res, 200, gh.admin.setFaults(body as FaultSpecInput[]));
      case 'DELETE faults':
        gh.admin.clearFaults();
        return sendJson(res, 204, undefined);
      case 'GET rate-limits':
        return sendJson(res, 200, gh.admin.rateLimits());
      case 'PATCH rate-limits':
      case 'PUT rate-limits':
        return sendJson(res, 200, gh.admin.setRateLimits(obj as RateLimitOptionsInput));
      case 'PUT rate-limits/identity': {
        if (typeof obj.identity !== 'string') return sendJson(res, 400, { message: 'PUT /_fluxbench/rate-limits/identity takes {"identity": string, "limit"?: number, "remaining"?: number}' });
        if (obj.limit !== undefined || obj.limit === null) gh.admin.setIdentityLimit(obj.identity, obj.limit === null ? undefined : Number(obj.limit));
        if (obj.remaining !== undefined) gh.admin.setRemaining(Number(obj.remaining), obj.identity);
        return sendJson(res, 200, gh.quota(obj.identity));
      }
      case 'POST rate-limits/reset':
        gh.admin.resetQuota(typeof obj.identity === 'string' ? obj.identity : undefined);
        return sendJson(res, 204, undefined);
      case 'POST tokens': {
        const token = gh.issueToken(obj as unknown as TokenSpecInput);
        return sendJson(res, 201, { name: token.name, token: token.token });
      }
      case 'POST repos': {
        if (typeof obj.owner !== 'string' || typeof obj.name !== 'string') return sendJson(res, 400, { message: 'POST /_fluxbench/repos takes {"owner": string, "name": string, "private"?: boolean}' });
        const info = await gh.createRepo(obj.owner, obj.name, { private: obj.private === true });
        return sendJson(res, 201, info);
      }
      case 'POST notify-push': {
        const { owner, repo, ref, before, after } = obj;
        if (![owner, repo, ref, before, after].every((v) => typeof v === 'string')) {
          return sendJson(res, 400, { message: 'POST /_fluxbench/notify-push takes {"owner","repo","ref","before","after"} strings' });
        }
        await gh.notifyPush(owner as string, repo as string, { ref: ref as string, before: before as string, after: after as string });
        return sendJson(res, 202, { queued: true });
      }
      case 'GET requests': {
        const limit = Math.max(1, Math.min(100_000, Number(match.query.get('limit') ?? 1000) || 1000));
        return sendJson(res, 200, gh.requests().slice(-limit));
      }
      case 'PUT webhooks':
        if (!Array.isArray(body)) return sendJson(res, 400, { message: 'PUT /_fluxbench/webhooks takes a JSON array of {"url","secret"?}' });
        return sendJson(res, 200, gh.admin.setWebhooks(body as Array<{ url: string; secret?: string; repos?: string[] }>));
      case 'GET webhooks/deliveries':
        return sendJson(res, 200, gh.deliveries());
      case 'PUT time-scale':
        gh.admin.setTimeScale(Number(obj.timeScale));
        return sendJson(res, 200, { timeScale: Number(obj.timeScale) });
      case 'PUT anonymous-read':
        if (typeof obj.allowed !== 'boolean') return sendJson(res, 400, { message: 'PUT /_fluxbench/anonymous-read takes {"allowed": boolean}' });
        gh.admin.setAnonymousRead(obj.allowed);
        return sendJson(res, 200, { allowed: obj.allowed });
      default:
        break;
    }
    if (method === 'DELETE' && match.rest?.length === 2 && match.rest[0] === 'faults') {
      return gh.admin.removeFault(match.rest[1]!) ? sendJson(res, 204, undefined) : sendJson(res, 404, { message: `no fault ${match.rest[1]}` });
    }
    if (method === 'DELETE' && match.rest?.length === 2 && match.rest[0] === 'tokens') {
      return gh.admin.revokeToken(match.rest[1]!) ? sendJson(res, 204, undefined) : sendJson(res, 404, { message: `no token named ${match.rest[1]}` });
    }
    return sendJson(res, 404, { message: `unknown admin endpoint ${method} /_fluxbench/${path}`, endpoints });
  } catch (err) {
    if (err instanceof FluxbenchError) return sendJson(res, 422, { message: err.message });
    throw err;
  }
}
