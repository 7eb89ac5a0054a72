import { createServer, IncomingMessage, request, ServerResponse, type Server } from 'node:http';
import { Socket, type AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { waitUnlessClosed } from '../../../src/serving/latency.ts';

/** A server whose handler waits `delayMs` with the helper and reports what it resolved with, and when. */
async function serveWaiting(delayMs: number): Promise<{ server: Server; port: number; outcome: Promise<{ proceed: boolean; waitedMs: number; listeners: number }> }> {
  let report!: (value: { proceed: boolean; waitedMs: number; listeners: number }) => void;
  const outcome = new Promise<{ proceed: boolean; waitedMs: number; listeners: number }>((resolve) => (report = resolve));
  const server = createServer((_req, res) => {
    const started = performance.now();
    const before = res.listenerCount('close');
    void waitUnlessClosed(res, delayMs).then((proceed) => {
      report({ proceed, waitedMs: performance.now() - started, listeners: res.listenerCount('close') - before });
      if (proceed) res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, outcome };
}

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

describe('waitUnlessClosed (an injected latency)', () => {
  it('waits the delay out and lets the request go on, leaving no listener behind', async () => {
    const served = await serveWaiting(200);
    server = served.server;
    const body = await new Promise<string>((resolve, reject) => {
      request({ port: served.port, host: '127.0.0.1', path: '/' }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => resolve(text));
      })
        .on('error', reject)
        .end();
    });
    const outcome = await served.outcome;
    expect(body).toBe('ok');
    expect(outcome.proceed).toBe(true);
    expect(outcome.waitedMs).toBeGreaterThanOrEqual(190);
    expect(outcome.listeners).toBe(0);
  });

  it('ends the wait at once, with false, when the client hangs up', async () => {
    const served = await serveWaiting(10_000);
    server = served.server;
    const req = request({ port: served.port, host: '127.0.0.1', path: '/' });
    req.on('error', () => undefined);
    req.end();
    setTimeout(() => req.destroy(), 100);
    const outcome = await served.outcome;
    expect(outcome.proceed).toBe(false);
    expect(outcome.waitedMs).toBeLessThan(5_000);
    expect(outcome.listeners).toBe(0);
  });

  it('does not wait for no delay', async () => {
    const res = new ServerResponse(new IncomingMessage(new Socket()));
    expect(await waitUnlessClosed(res, 0)).toBe(true);
    expect(res.listenerCount('close')).toBe(0);
  });
});
