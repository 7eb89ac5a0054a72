import type { IncomingMessage, ServerResponse } from 'node:http';
import { FluxbenchError } from '../../util/exit-codes.ts';
import { presentsAdminSecret } from '../../serving/admin-auth.ts';
import { BodyTooLargeError, readBody, sendJson } from '../../serving/http-util.ts';
import type { RegistryFaultSpecInput, RegistryRateLimitsInput } from '../options.ts';
import type { StartedRegistry } from '../types.ts';

const endpoints = [
  'GET /_fluxbench/health',
  'GET|POST|PUT|DELETE /_fluxbench/faults',
  'DELETE /_fluxbench/faults/{id}',
  'GET|PATCH /_fluxbench/rate-limits',
  'POST /_fluxbench/rate-limits/reset',
  'GET /_fluxbench/quota?identity=',
  'GET /_fluxbench/requests?limit=',
  'PUT /_fluxbench/time-scale',
  'PUT /_fluxbench/anonymous-pull',
];

const maxBodyBytes = 1024 * 1024;

/**
 * The admin listener's handler: every request must carry `Authorization: Bearer <adminSecret>`
 * (compared in constant time) or gets 401 before its body is read; then the /_fluxbench/ control
 * API over `registry.admin`. Neither counted, limited nor faulted; invalid input gets 422 naming
 * the field.
 */
export function adminListener(registry: StartedRegistry, adminSecret: string): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    res.on('error', () => undefined);
    if (!presentsAdminSecret(req.headers.authorization, adminSecret)) {
      req.resume();
      return sendJson(res, 401, { message: 'Requires authentication' }, { headers: { 'www-authenticate': 'Bearer realm="fluxbench admin"' } });
    }
    handleAdmin(req, res, registry).catch((err: unknown) => {
      if (!res.headersSent) sendJson(res, 500, { message: 'Server Error', detail: (err as Error).message });
      else res.destroy();
    });
  };
}

async function handleAdmin(req: IncomingMessage, res: ServerResponse, registry: StartedRegistry): Promise<void> {
  const url = new URL(req.url ?? '/', 'http://127.0.0.1');
  const method = req.method ?? 'GET';
  if (!url.pathname.startsWith('/_fluxbench/')) {
    req.resume();
    return sendJson(res, 404, { message: 'Not Found', endpoints });
  }
  const path = url.pathname.slice('/_fluxbench/'.length).replace(/\/$/, '');
  let body: unknown;
  try {
    const raw = await readBody(req, maxBodyBytes);
    body = raw.length > 0 ? JSON.parse(raw.toString('utf8')) : undefined;
  } catch (err) {
    return sendJson(res, err instanceof BodyTooLargeError ? 413 : 400, { message: err instanceof BodyTooLargeError ? err.message : 'request body is not valid JSON' });
  }
  const obj = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  try {
    const answer = route(`${method} ${path}`, { body, obj, url, registry });
    if (answer) return sendJson(res, answer.status, answer.body);
    return sendJson(res, 404, { message: `unknown admin endpoint ${method} /_fluxbench/${path}`, endpoints });
  } catch (err) {
    if (err instanceof FluxbenchError) return sendJson(res, 422, { message: err.message });
    throw err;
  }
}

interface Call {
  body: unknown;
  obj: Record<string, unknown>;
  url: URL;
  registry: StartedRegistry;
}

/** One endpoint's answer, or undefined for an unknown one. @throws UsageError for invalid input (422). */
function route(key: string, { body, obj, url, registry }: Call): { status: number; body?: unknown } | undefined {
  const { admin } = registry;
  switch (key) {
    case 'GET health':
      return { status: 200, body: { ok: true, url: registry.url } };
    case 'GET faults':
      return { status: 200, body: admin.faults() };
    case 'POST faults':
      return { status: 201, body: admin.addFault(body as RegistryFaultSpecInput) };
    case 'PUT faults':
      if (!Array.isArray(body)) return { status: 400, body: { message: 'PUT /_fluxbench/faults takes a JSON array of faults' } };
      return { status: 200, body: admin.setFaults(body as RegistryFaultSpecInput[]) };
    case 'DELETE faults':
      admin.clearFaults();
      return { status: 204 };
    case 'GET rate-limits':
      return { status: 200, body: admin.rateLimits() };
    case 'PATCH rate-limits':
    case 'PUT rate-limits':
      return { status: 200, body: admin.setRateLimits(obj as RegistryRateLimitsInput) };
    case 'POST rate-limits/reset':
      admin.resetQuota(typeof obj.identity === 'string' ? obj.identity : undefined);
      return { status: 204 };
    case 'GET quota': {
      const identity = url.searchParams.get('identity');
      if (!identity) return { status: 400, body: { message: 'GET /_fluxbench/quota takes ?identity=<user or anonymous:ip>' } };
      return { status: 200, body: registry.quota(identity) };
    }
    case 'GET requests': {
      const limit = Math.max(1, Math.min(100_000, Number(url.searchParams.get('limit') ?? 1000) || 1000));
      return { status: 200, body: registry.requests().slice(-limit) };
    }
    case 'PUT time-scale':
      admin.setTimeScale(Number(obj.timeScale));
      return { status: 200, body: { timeScale: Number(obj.timeScale) } };
    case 'PUT anonymous-pull':
      if (typeof obj.allowed !== 'boolean') return { status: 400, body: { message: 'PUT /_fluxbench/anonymous-pull takes {"allowed": boolean}' } };
      admin.setAnonymousPull(obj.allowed);
      return { status: 200, body: { allowed: obj.allowed } };
    default:
      break;
  }
  const [verb, rest] = key.split(' ') as [string, string];
  const faultId = /^faults\/([^/]+)$/.exec(rest)?.[1];
  if (verb === 'DELETE' && faultId !== undefined) {
    return admin.removeFault(faultId) ? { status: 204 } : { status: 404, body: { message: `no fault ${faultId}` } };
  }
  return undefined;
}
