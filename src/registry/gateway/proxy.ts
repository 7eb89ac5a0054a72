import { request, type IncomingHttpHeaders, type OutgoingHttpHeaders } from 'node:http';
import { sendStream } from '../../serving/http-util.ts';
import type { Handler } from '../../serving/pipeline.ts';
import type { GatewayExchange } from './context.ts';
import { sendRegistryError } from './errors.ts';

/** Headers that describe one connection, not the message (RFC 9110 §7.6.1), and the caller's credentials. */
const notForwarded = new Set(['connection', 'keep-alive', 'proxy-connection', 'proxy-authorization', 'te', 'trailer', 'upgrade', 'authorization']);

function forwardable(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const out: OutgoingHttpHeaders = {};
  const named = new Set((headers.connection ?? '').split(',').map((h) => h.trim().toLowerCase()));
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || notForwarded.has(name) || named.has(name)) continue;
    out[name] = value;
  }
  return out;
}

/**
 * The last stage: forwards the request to the Distribution registry with the gateway's own
 * credentials and streams both bodies through (a blob is never held in memory), the response
 * through a throttle when a bandwidth fault applies. The Host header is kept, so what the
 * registry puts in Location headers (relative, see process.ts) resolves through the gateway.
 * An unreachable registry answers 502 UNAVAILABLE; a registry that fails mid-answer cuts the
 * connection, as a real one would.
 */
export const proxy: Handler<GatewayExchange> = (ctx) =>
  new Promise<void>((resolve) => {
    const { req, res, state, bodyBytes } = ctx;
    const headers = forwardable(req.headers);
    headers.authorization = state.upstream.authorization;
    const upstream = request({ host: state.upstream.host, port: state.upstream.port, method: ctx.method, path: req.url, headers, agent: state.upstream.agent });
    upstream.once('response', (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.statusMessage, forwardable(answer.headers));
      sendStream(res, answer, ctx.fault.bytesPerSecond);
      answer.once('end', resolve);
      answer.once('close', resolve);
    });
    upstream.once('error', (err) => {
      if (!res.headersSent) {
        sendRegistryError(res, { status: 502, code: 'UNAVAILABLE', message: 'registry unreachable', detail: err.message, head: ctx.method === 'HEAD' });
      } else {
        res.destroy();
      }
      resolve();
    });
    // A client gone before the answer ended: stop the upstream exchange too.
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy();
      resolve();
    });
    // Most requests (GET, HEAD) have no body: end the upstream request at once.
    if (req.headers['content-length'] === undefined && req.headers['transfer-encoding'] === undefined) {
      req.resume();
      upstream.end();
      return;
    }
    req.on('data', (chunk: Buffer) => {
      bodyBytes.bytes += chunk.length;
    });
    req.pipe(upstream);
  });
