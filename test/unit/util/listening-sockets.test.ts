import { createServer, type Server } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeProcAddress, isLoopback, listeningSocketsOf, parseProcNetTcp } from '../../support/listening-sockets.ts';

// The reader the loopback e2e test relies on, checked against the kernel's own tables.
describe('listening sockets from /proc/net/tcp', () => {
  const servers: Server[] = [];
  const listen = (host: string) =>
    new Promise<number>((resolve, reject) => {
      const server = createServer();
      servers.push(server);
      server.once('error', reject);
      server.listen(0, host, () => resolve((server.address() as { port: number }).port));
    });

  let v4: number;
  beforeAll(async () => {
    v4 = await listen('127.0.0.1');
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => s.close(resolve))));
  });

  it('decodes the kernel\'s little-endian words', () => {
    expect(decodeProcAddress('0100007F')).toBe('127.0.0.1');
    expect(decodeProcAddress('00000000')).toBe('0.0.0.0');
    expect(decodeProcAddress('00000000000000000000000001000000')).toBe('0000:0000:0000:0000:0000:0000:0000:0001');
    expect(decodeProcAddress('0000000000000000FFFF00000100007F')).toBe('0000:0000:0000:0000:0000:ffff:7f00:0001');
    expect(decodeProcAddress('00000000000000000000000000000000')).toBe('0000:0000:0000:0000:0000:0000:0000:0000');
  });

  it('tells loopback from every other address', () => {
    for (const a of ['127.0.0.1', '127.1.2.3', '0000:0000:0000:0000:0000:0000:0000:0001', '0000:0000:0000:0000:0000:ffff:7f00:0001']) expect(isLoopback(a), a).toBe(true);
    for (const a of ['0.0.0.0', '10.0.0.1', '172.18.0.1', '0000:0000:0000:0000:0000:0000:0000:0000', '0000:0000:0000:0000:0000:ffff:0a00:0001', 'fe80:0000:0000:0000:0000:0000:0000:0001']) expect(isLoopback(a), a).toBe(false);
  });

  it('keeps LISTEN lines only', () => {
    const text = [
      '  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode',
      '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0',
      '   1: 0100007F:1F90 0100007F:C350 01 00000000:00000000 00:00000000 00000000     0        0 4243 1 0000000000000000 20 4 30 10 -1',
      '   2: 00000000:0016 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 17 1 0000000000000000 100 0 0 10 0',
    ].join('\n');
    expect(parseProcNetTcp(text, 4)).toEqual([
      { address: '127.0.0.1', port: 8080, family: 4, inode: 4242 },
      { address: '0.0.0.0', port: 22, family: 4, inode: 17 },
    ]);
  });

  it('finds this process\'s own listener with its address and port', async () => {
    const mine = await listeningSocketsOf([process.pid]);
    expect(mine).toEqual(expect.arrayContaining([expect.objectContaining({ address: '127.0.0.1', port: v4, family: 4, pid: process.pid })]));
  });
});
