import type { RequestContext } from '../context.ts';
import { BodyTooLargeError, readBody } from '../http-util.ts';
import { docsUrl, type RestResponse } from '../rest.ts';

/** What a JSON body read gives: the parsed value, or the 4xx to answer instead. */
export type BodyRead = { ok: true; body: unknown } | { ok: false; answer: RestResponse };

/** Reads a REST request body (POST/PATCH/PUT) as JSON within maxJsonBodyBytes. */
export async function readJsonBody(ctx: RequestContext): Promise<BodyRead> {
  const { req, method } = ctx;
  if (method !== 'POST' && method !== 'PATCH' && method !== 'PUT') {
    req.resume();
    return { ok: true, body: undefined };
  }
  try {
    const raw = await readBody(req, ctx.state.options.maxJsonBodyBytes);
    ctx.bodyBytes.bytes = raw.length;
    const type = req.headers['content-type'] ?? 'application/json';
    if (raw.length === 0) return { ok: true, body: undefined };
    if (!/json|x-www-form-urlencoded|text\/plain/.test(type)) {
      return { ok: false, answer: { status: 415, body: { message: 'Unsupported Media Type', documentation_url: docsUrl } } };
    }
    return { ok: true, body: JSON.parse(raw.toString('utf8')) };
  } catch (err) {
    if (err instanceof BodyTooLargeError) return { ok: false, answer: { status: 413, body: { message: err.message, documentation_url: docsUrl } } };
    return { ok: false, answer: { status: 400, body: { message: 'Problems parsing JSON', documentation_url: docsUrl } } };
  }
}
