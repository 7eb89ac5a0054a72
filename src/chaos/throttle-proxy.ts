import { createConnection, createServer, type Socket } from 'node:net';

export interface ThrottleLimits {
  /** Cap on bytes per second flowing back to clients (per connection); undefined = none. */
  bytesPerSecond?: number;
  /** Added before the first byte of every response. */
  latencyMs?: number;
}

export interface StartedThrottleProxy {
  readonly port: number;
  limits(): ThrottleLimits;
  setLimits(limits: ThrottleLimits): void;
  stop(): Promise<void>;
}

/**
 * A TCP proxy on 127.0.0.1 in front of a server whose responses should be slowed down at will:
 * source-controller's artifact server, so "slow artifact downloads" is a real fault that
 * kustomize- and helm-controller meet while fetching, not a simulated one. With no limits it
 * only forwards bytes.
 */
export async function startThrottleProxy(target: { host: string; port: number }, listenPort = 0): Promise<StartedThrottleProxy> {
  let current: ThrottleLimits = {};
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = createConnection(target);
    sockets.add(client);
    sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close);
    upstream.on('error', close);
    client.on('close', close);
    upstream.on('close', close);
    client.pipe(upstream);
    let first = true;
    upstream.on('data', (chunk: Buffer) => {
      const { bytesPerSecond, latencyMs } = current;
      const firstDelay = first && latencyMs ? latencyMs : 0;
      first = false;
      const pacing = bytesPerSecond ? (chunk.length / bytesPerSecond) * 1000 : 0;
      if (firstDelay === 0 && pacing === 0) {
        if (!client.write(chunk)) {
          upstream.pause();
          client.once('drain', () => upstream.resume());
        }
        return;
      }
      upstream.pause();
      setTimeout(() => {
        client.write(chunk);
        setTimeout(() => upstream.resume(), pacing);
      }, firstDelay);
    });
    upstream.on('end', () => client.end());
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(listenPort, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    port,
    limits: () => ({ ...current }),
    setLimits: (limits) => {
      current = { ...limits };
    },
    stop: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}
