import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { ThrottleStream } from './throttle.ts';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`request body exceeds ${limit} bytes`);
  }
}

/** Passes bytes through until `limit`, then fails the stream with BodyTooLargeError. */
export class ByteLimit extends Transform {
  private seen = 0;
  constructor(private readonly limit: number) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen > this.limit) return callback(new BodyTooLargeError(this.limit));
    callback(null, chunk);
  }
}

/** Counts bytes passing through (request bodies as received, before any gunzip). */
export class ByteCounter extends Transform {
  constructor(private readonly total: { bytes: number }) {
    super();
  }
  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.total.bytes += chunk.length;
    callback(null, chunk);
  }
}

/** Approximate size of the request line and headers as sent. */
export function headerBytes(req: IncomingMessage): number {
  let size = (req.method?.length ?? 0) + (req.url?.length ?? 0) + 12;
  for (let i = 0; i < req.rawHeaders.length; i += 2) size += req.rawHeaders[i]!.length + (req.rawHeaders[i + 1]?.length ?? 0) + 4;
  return size + 2;
}

/** Reads a whole (small) request body, refusing more than `limit` bytes. */
export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(req.headers['content-length']);
    if (Number.isFinite(declared) && declared > limit) return reject(new BodyTooLargeError(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.removeAllListeners('data');
        req.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    });
    req.once('end', () => resolve(Buffer.concat(chunks)));
    req.once('error', reject);
  });
}

/** Sends a JSON body (indented, as GitHub and the admin APIs answer), optionally throttled. */
export function sendJson(res: ServerResponse, status: number, body: unknown, options: { headers?: Record<string, string>; bytesPerSecond?: number | undefined; head?: boolean } = {}): void {
  if (res.headersSent || res.destroyed) return;
  const data = body === undefined ? Buffer.alloc(0) : Buffer.from(JSON.stringify(body, null, 2));
  res.statusCode = status;
  for (const [k, v] of Object.entries(options.headers ?? {})) res.setHeader(k, v);
  if (body !== undefined) res.setHeader('content-type', 'application/json; charset=utf-8');
  res.setHeader('content-length', data.length);
  if (options.head || data.length === 0) return void res.end();
  if (options.bytesPerSecond === undefined) return void res.end(data);
  sendStream(res, Readable.from([data]), options.bytesPerSecond);
}

/** Pipes a body to the response, through a throttle when a bandwidth fault applies. */
export function sendStream(res: ServerResponse, source: Readable, bytesPerSecond?: number, end = true): Readable {
  const onError = () => {
    if (!res.destroyed) res.destroy();
  };
  source.once('error', onError);
  if (bytesPerSecond !== undefined && Number.isFinite(bytesPerSecond)) {
    const throttle = new ThrottleStream(bytesPerSecond);
    throttle.once('error', onError);
    source.pipe(throttle).pipe(res, { end });
    res.once('close', () => {
      throttle.destroy();
      source.destroy();
    });
    return throttle;
  }
  source.pipe(res, { end });
  res.once('close', () => source.destroy());
  return source;
}
