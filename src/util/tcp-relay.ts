import { createConnection, createServer, type Socket } from 'node:net';
import { FluxbenchError } from './exit-codes.ts';

export interface TcpRelayOptions {
  /** Address to listen on, e.g. 127.0.0.1 or the gateway of a Docker network. */
  listenHost: string;
  /** Port to listen on; 0 picks a free one. */
  listenPort: number;
  targetHost: string;
  targetPort: number;
}

export interface RelayLimits {
  /** Cap on bytes per second flowing back to clients (per connection); undefined = none. */
  bytesPerSecond?: number;
  /** Added before the first byte of every response. */
  latencyMs?: number;
}

export interface StartedTcpRelay {
  host: string;
  port: number;
  /** Connections relayed so far. */
  connections(): number;
  limits(): RelayLimits;
  /** Slows what flows back to clients from now on; `{}` lifts every limit. */
  setLimits(limits: RelayLimits): void;
  /** Stops listening and closes every relayed connection; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Relays TCP connections from one address to another, byte for byte, and can slow what flows
 * back at will. The harness's servers listen on 127.0.0.1 only: a relay makes one of them
 * reachable on exactly one more address (where a container network reaches this machine), and
 * one in front of source-controller's artifact server makes "slow artifact downloads" a real
 * fault. With no limits it only forwards bytes.
 */
export async function startTcpRelay(options: TcpRelayOptions): Promise<StartedTcpRelay> {
  let current: RelayLimits = {};
  const open = new Set<Socket>();
  let relayed = 0;
  const server = createServer((client) => {
    relayed++;
    const upstream = createConnection({ host: options.targetHost, port: options.targetPort });
    open.add(client);
    open.add(upstream);
    const close = (): void => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
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
    server.once('error', (err) =>
      reject(new FluxbenchError(`cannot listen on ${options.listenHost}:${options.listenPort} to relay to ${options.targetHost}:${options.targetPort}: ${err.message}`)),
    );
    server.listen(options.listenPort, options.listenHost, () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new FluxbenchError('the relay has no listening address');
  let stopped: Promise<void> | undefined;
  return {
    host: options.listenHost,
    port: address.port,
    connections: () => relayed,
    limits: () => ({ ...current }),
    setLimits: (limits) => {
      current = { ...limits };
    },
    stop: () => {
      stopped ??= new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      });
      return stopped;
    },
  };
}
