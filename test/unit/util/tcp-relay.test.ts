import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTcpRelay } from '../../../src/util/tcp-relay.ts';
import { FluxbenchError } from '../../../src/util/exit-codes.ts';

describe('TCP relay', () => {
  let server: Server;
  let port = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => res.end(`${req.method} ${req.url} ${body.length}`));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    port = (server.address() as { port: number }).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  // 127.0.0.2 is another address of this machine that the loopback-only server does not listen on.
  it('makes a loopback server reachable on one more address, on the same port, both ways', async () => {
    await expect(fetch(`http://127.0.0.2:${port}/`)).rejects.toThrow();
    const relay = await startTcpRelay({ listenHost: '127.0.0.2', listenPort: port, targetHost: '127.0.0.1', targetPort: port });
    try {
      expect(relay.port).toBe(port);
      const big = 'x'.repeat(3 * 1024 * 1024);
      const res = await fetch(`http://127.0.0.2:${port}/fleet/apps.git/git-upload-pack`, { method: 'POST', body: big });
      expect(await res.text()).toBe(`POST /fleet/apps.git/git-upload-pack ${big.length}`);
      expect(relay.connections()).toBeGreaterThanOrEqual(1);
    } finally {
      await relay.stop();
      await relay.stop();
    }
    await expect(fetch(`http://127.0.0.2:${port}/`)).rejects.toThrow();
  });

  it('closes relayed connections when stopped, and a connection to a dead target is closed', async () => {
    const relay = await startTcpRelay({ listenHost: '127.0.0.2', listenPort: 0, targetHost: '127.0.0.1', targetPort: port });
    const socket = connect(relay.port, '127.0.0.2');
    await new Promise<void>((resolve) => socket.once('connect', () => resolve()));
    const closed = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    await relay.stop();
    await closed;
    const dead = await startTcpRelay({ listenHost: '127.0.0.2', listenPort: 0, targetHost: '127.0.0.1', targetPort: 1 });
    const orphan = connect(dead.port, '127.0.0.2');
    orphan.on('error', () => undefined);
    await new Promise<void>((resolve) => orphan.once('close', () => resolve()));
    await dead.stop();
  });

  it('says which address it could not take', async () => {
    await expect(startTcpRelay({ listenHost: '127.0.0.1', listenPort: port, targetHost: '127.0.0.1', targetPort: port })).rejects.toThrow(FluxbenchError);
    await expect(startTcpRelay({ listenHost: '127.0.0.1', listenPort: port, targetHost: '127.0.0.1', targetPort: port })).rejects.toThrow(
      new RegExp(`cannot listen on 127\\.0\\.0\\.1:${port} to relay to 127\\.0\\.0\\.1:${port}`),
    );
  });
});
