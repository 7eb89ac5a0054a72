import http from 'node:http';
import https from 'node:https';

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
    const parsed = new URL(url);
    const isHttps = parsed.protocol === 'https:';
    if (!isHttps && parsed.protocol !== 'http:') {
      reject(new Error(`unsupported URL ${url}: use http:// or https://`));
      return;
    }
    const options: https.RequestOptions = isHttps ? { ...tls } : { agent: httpAgent };
    const request = (isHttps ? https : http).get(parsed, options, (response) => {
      if (response.statusCode !== 200) {
        response.resume();
        reject(new Error(`GET ${url}: HTTP ${response.statusCode}`));
        return;
      }
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
      response.on('error', reject);
    });
    const timer = setTimeout(() => request.destroy(new Error(`GET ${url}: no complete answer within ${timeoutMs} ms`)), timeoutMs);
    request.on('error', reject);
    request.on('close', () => clearTimeout(timer));
  });
}
