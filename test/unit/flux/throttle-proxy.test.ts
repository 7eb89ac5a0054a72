import { createServer, type Server } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrottleProxy, type StartedThrottleProxy } from '../../../src/flux/throttle-proxy.ts';

const body = Buffer.alloc(512 * 1024, 7);

describe('artifact throttle proxy', () => {
  let server: Server;
  let proxy: StartedThrottleProxy;

  beforeAll(async () => {
    server = createServer((_req, res) => res.end(body));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    const port = (server.address() as { port: number }).port;
    proxy = await startThrottleProxy({ host: '127.0.0.1', port });
  });

  afterAll(async () => {
    await proxy.stop();
    await new Promise((r) => server.close(r));
  });

  async function download(): Promise<{ bytes: number; ms: number; firstByteMs: number }> {
    const started = Date.now();
    const res = await fetch(`http://127.0.0.1:${proxy.port}/artifact.tar.gz`);
    const firstByteMs = Date.now() - started;
    const bytes = (await res.arrayBuffer()).byteLength;
    return { bytes, ms: Date.now() - started, firstByteMs };
  }

  it('forwards every byte unchanged when no limit is set', async () => {
    const res = await fetch(`http://127.0.0.1:${proxy.port}/`);
    expect(Buffer.from(await res.arrayBuffer()).equals(body)).toBe(true);
  });

  it('caps the bandwidth and adds latency while a limit is set, and stops when it is cleared', async () => {
    proxy.setLimits({ bytesPerSecond: 256 * 1024, latencyMs: 300 });
    const slow = await download();
    expect(slow.bytes).toBe(body.length);
    // 512 KiB at 256 KiB/s cannot arrive in much under 2 s (the first chunk is not paced).
    expect(slow.ms).toBeGreaterThan(1_500);
    expect(slow.firstByteMs).toBeGreaterThanOrEqual(300);
    proxy.setLimits({});
    const fast = await download();
    expect(fast.bytes).toBe(body.length);
    expect(fast.ms).toBeLessThan(slow.ms / 2);
  });
});
