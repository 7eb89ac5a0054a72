import { createReadStream } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import { extname, join, sep } from 'node:path';
import { respond, type RequestContext } from '../context.ts';
import { sendStream } from '../http-util.ts';
import { docsUrl, notFound } from '../rest.ts';

const contentTypes: Record<string, string> = {
  '.yaml': 'application/x-yaml',
  '.yml': 'application/x-yaml',
  '.json': 'application/json; charset=utf-8',
  '.tgz': 'application/x-tar',
  '.gz': 'application/gzip',
  '.txt': 'text/plain; charset=utf-8',
  '.html': 'text/html; charset=utf-8',
  '.prov': 'application/pgp-signature',
};

/**
 * GET/HEAD /pages/{owner}/{repo}/** : static files under `<storageRoot>/pages` (Helm
 * repositories), a directory serving its index.html. Symlinks out of the pages root are a 404.
 */
export async function handlePages(ctx: RequestContext): Promise<void> {
  const { req, res, match, method, state } = ctx;
  req.resume();
  if (method !== 'GET' && method !== 'HEAD') {
    respond(ctx, { status: 405, body: { message: 'Method Not Allowed', documentation_url: docsUrl } });
    return;
  }
  let file = join(state.pagesRoot, match.owner!, match.repo!, ...(match.rest ?? []));
  try {
    let info = await stat(file);
    if (info.isDirectory()) {
      file = join(file, 'index.html');
      info = await stat(file);
    }
    const real = await realpath(file);
    if (!real.startsWith(state.pagesRoot + sep) || !info.isFile()) throw new Error('outside pages');
    res.statusCode = 200;
    res.setHeader('content-type', contentTypes[extname(real)] ?? 'application/octet-stream');
    res.setHeader('content-length', info.size);
    res.setHeader('last-modified', info.mtime.toUTCString());
    if (method === 'HEAD') return void res.end();
    sendStream(res, createReadStream(real), ctx.fault.bytesPerSecond);
  } catch {
    respond(ctx, notFound());
  }
}
