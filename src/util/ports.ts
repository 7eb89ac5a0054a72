import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

/** Ports below the kernel's ephemeral range are picked from here up (above the registered services most machines run). */
const lowestPort = 20_000;

/**
 * The first port of the kernel's ephemeral range (where outgoing connections get their local
 * port), or undefined where it cannot be read.
 */
function ephemeralLow(): number | undefined {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) ? low : undefined;
  } catch {
    return undefined;
  }
}

function tryBind(port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.unref();
    server.on('error', () => resolve(undefined));
    server.listen(port, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => resolve(address && typeof address === 'object' ? address.port : undefined));
    });
  });
}

/**
 * A TCP port on 127.0.0.1 that was free a moment ago (bound, then released), for a process
 * started next to listen on. It is picked below the kernel's ephemeral range when there is room:
 * a port from that range (what binding port 0 gives) can be taken in between by the local end of
 * any outgoing connection — the API server's to etcd, a controller's to the API server — and the
 * process then fails with "address already in use".
 */
export async function freePort(): Promise<number> {
  const high = (ephemeralLow() ?? 0) - 1;
  if (high - lowestPort >= 1_000) {
    for (let attempt = 0; attempt < 50; attempt++) {
      const candidate = lowestPort + Math.floor(Math.random() * (high - lowestPort + 1));
      // A port handed out a moment ago is free until its process starts: a random pick can land
      // on it again (a controller's metrics and health ports alike, and it fails at every start).
      // Reserved before the bind, so that concurrent callers cannot both pick it.
      if (handedOut.has(candidate)) continue;
      remember(candidate);
      const port = await tryBind(candidate);
      if (port !== undefined) return port;
      handedOut.delete(candidate);
    }
  }
  const port = await tryBind(0);
  if (port === undefined) throw new Error('could not allocate a free port');
  return remember(port);
}

/** The ports freePort gave out lately (bounded: the oldest are forgotten). */
const handedOut = new Set<number>();
const rememberedPorts = 4_096;

function remember(port: number): number {
  handedOut.delete(port);
  handedOut.add(port);
  if (handedOut.size > rememberedPorts) handedOut.delete(handedOut.values().next().value!);
  return port;
}
