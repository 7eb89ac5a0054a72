import http from 'node:http';
import https from 'node:https';
import { LineSplitter } from '../util/line-splitter.ts';

/** Client TLS material for endpoints that need it (etcd's metrics port when served over TLS). */
export interface TlsFiles {
  ca?: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
}

const httpAgent = new http.Agent({ keepAlive: true, maxSockets: 8 });

/**
 * GETs a text body with a hard deadline covering connect, headers and body. Scrapes reuse
 * keep-alive sockets so a 1 s interval does not churn connections. For https URLs `tls` carries
 * the client TLS material, and may carry headers too (what a KubeConfig's applyToHTTPSOptions
 * fills in: CA, client certificate or bearer token).
 */
export function getText(url: string, timeoutMs: number, tls?: TlsFiles | https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    getBody(url, timeoutMs, tls, {
      data: (chunk) => chunks.push(chunk),
      end: () => resolve(Buffer.concat(chunks).toString('utf8')),
      error: reject,
    });
  });
}

/**
 * getText, keeping only the lines `keep` accepts (judged on their bytes; the others are never
 * decoded), joined with newlines. A Flux controller's /metrics at 500 objects is ~1.4 MB, most
 * of it the per-object histogram no sampler reads; the API server's is 2.4 MB: decoding and
 * splitting whole bodies every few seconds was a good part of the runner's scrape CPU.
 */
export function getLines(url: string, timeoutMs: number, keep: (line: Buffer) => boolean, tls?: TlsFiles | https.RequestOptions): Promise<string> {
  return new Promise((resolve, reject) => {
    const kept: string[] = [];
    const lines = new LineSplitter((line) => {
      if (keep(line)) kept.push(line.toString('utf8'));
    });
    getBody(url, timeoutMs, tls, {
      data: (chunk) => lines.push(chunk),
      end: () => {
        lines.flush();
        resolve(kept.join('\n'));
      },
      error: reject,
    });
  });
}

interface BodyHandlers {
  data(chunk: Buffer): void;
  end(): void;
  error(err: Error): void;
}

/** One GET (see getText): the body's chunks to `data`, then `end`; a non-200, a timeout or a failure to `error`. */
function getBody(url: string, timeoutMs: number, tls: TlsFiles | https.RequestOptions | undefined, on: BodyHandlers): void {
  const parsed = new URL(url);
  const isHttps = parsed.protocol === 'https:';
  if (!isHttps && parsed.protocol !== 'http:') {
    on.error(new Error(`unsupported URL ${url}: use http:// or https://`));
    return;
  }
  const options: https.RequestOptions = isHttps ? { ...tls } : { agent: httpAgent };
  const request = (isHttps ? https : http).get(parsed, options, (response) => {
    if (response.statusCode !== 200) {
      response.resume();
      on.error(new Error(`GET ${url}: HTTP ${response.statusCode}`));
      return;
    }
    response.on('data', on.data);
    response.on('end', on.end);
    response.on('error', on.error);
  });
  const timer = setTimeout(() => request.destroy(new Error(`GET ${url}: no complete answer within ${timeoutMs} ms`)), timeoutMs);
  request.on('error', on.error);
  request.on('close', () => clearTimeout(timer));
}
