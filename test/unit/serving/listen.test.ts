import { connect } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listenOnLoopback, type Listening } from '../../../src/serving/listen.ts';

/** Sends `request` raw; once the first bytes of the answer arrive, resets the connection (RST) instead of closing it. */
function sendThenReset(port: number, request: string): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1');
    let answer = '';
    socket.on('error', () => resolve(answer));
    socket.on('close', () => resolve(answer));
    socket.on('data', (chunk: Buffer) => {
      answer += chunk.toString('latin1');
      socket.resetAndDestroy();
    });
    socket.write(request);
  });
}

describe('listenOnLoopback', () => {
  let server: Listening;

  beforeAll(async () => {
    server = await listenOnLoopback(0, (_req, res) => res.end('ok'), 'test server');
  });
  afterAll(async () => {
    await server.close();
  });

  // The socket of a CONNECT leaves the HTTP parser and its error handling: a client that resets
  // after the refusal used to raise an uncaught ECONNRESET in the whole process.
  it('refuses CONNECT with 405 and survives clients that reset right after', async () => {
    for (let i = 0; i < 20; i++) {
      expect(await sendThenReset(server.port, 'CONNECT example.com:443 HTTP/1.1\r\nhost: example.com:443\r\n\r\n')).toMatch(/^HTTP\/1\.1 405 /);
    }
    // Time for the resets to reach the server's sockets.
    await new Promise((r) => setTimeout(r, 200));
    const answer = await fetch(`http://127.0.0.1:${server.port}/`);
    expect(await answer.text()).toBe('ok');
  });
});
