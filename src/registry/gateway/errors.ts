import type { ServerResponse } from 'node:http';

/** Distribution's error codes the gateway answers with (github.com/distribution/distribution/v3/registry/api/errcode). */
export type RegistryErrorCode = 'UNAUTHORIZED' | 'TOOMANYREQUESTS' | 'UNAVAILABLE' | 'UNKNOWN';

/**
 * Answers in the OCI distribution spec's error shape, `{"errors":[{"code","message","detail"}]}`,
 * with the API version header Distribution sends; no body for HEAD.
 */
export function sendRegistryError(
  res: ServerResponse,
  params: { status: number; code: RegistryErrorCode; message: string; detail?: unknown; headers?: Record<string, string>; head?: boolean },
): void {
  if (res.headersSent || res.destroyed) return;
  const body = Buffer.from(`${JSON.stringify({ errors: [{ code: params.code, message: params.message, detail: params.detail ?? null }] })}\n`);
  res.statusCode = params.status;
  for (const [k, v] of Object.entries(params.headers ?? {})) res.setHeader(k, v);
  res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('docker-distribution-api-version', 'registry/2.0');
  res.setHeader('content-length', body.length);
  res.end(params.head ? undefined : body);
}

/** The Basic challenge clients answer with credentials (docker, oras, go-containerregistry). */
export const basicChallenge = { 'www-authenticate': 'Basic realm="fluxbench"' };
