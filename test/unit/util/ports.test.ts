import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort } from '../../../src/util/ports.ts';

describe('freePort', () => {
  it('gives distinct ports a server can listen on, below the ephemeral range where the kernel has one', async () => {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    for (const port of ports) {
      expect(port).toBeGreaterThanOrEqual(20_000);
      expect(port).toBeLessThan(low);
      // Free indeed: a server binds it.
      await new Promise<void>((resolve, reject) => {
        const server = createServer();
        server.on('error', reject);
        server.listen(port, '127.0.0.1', () => server.close(() => resolve()));
      });
    }
    expect(new Set(ports).size).toBe(ports.length);
  });

  it('never hands out the same port twice in a row of picks, concurrent ones included', async () => {
    // Each pick is free until its process binds it: a repeat would make two listeners collide.
    const ports = await Promise.all(Array.from({ length: 300 }, () => freePort()));
    expect(new Set(ports).size).toBe(300);
  });
});
