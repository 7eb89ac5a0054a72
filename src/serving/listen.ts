import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { Socket } from 'node:net';
import { FluxbenchError } from '../util/exit-codes.ts';

export interface Listening {
  /** The port bound on 127.0.0.1. */
  port: number;
  /** Stops accepting, destroys every open connection and resolves once the server has closed. */
  close(): Promise<void>;
  /** HTTPS only: serves a new certificate to connections made from now on (open ones keep theirs). */
  setCertificate?(certificate: { cert: string; key: string }): void;
}

/** Serve HTTPS with this certificate and key (PEM) instead of plain HTTP. */
export interface ListenTls {
  cert: string;
  key: string;
}

/**
 * Serves `listener` on 127.0.0.1:`port` (0 = a free port). Requests have no overall timeout
 * (clones of big repos and big blobs are slow by design); headers must arrive within 60 s and
 * fit in 64 KiB; unparseable requests get a bare 400, CONNECT a 405. `name` says which server
 * in errors ("fake GitHub", "registry gateway"). With `tls` it speaks HTTPS only.
 * @throws FluxbenchError when the port cannot be bound.
 */
export async function listenOnLoopback(
  port: number,
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  name = 'server',
  tls?: ListenTls,
): Promise<Listening> {
  const serverOptions = { requestTimeout: 0, headersTimeout: 60_000, maxHeaderSize: 64 * 1024 };
  const server = tls ? createTlsServer({ ...serverOptions, cert: tls.cert, key: tls.key }, listener) : createServer(serverOptions, listener);
  server.keepAliveTimeout = 5_000;
  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  // Without a listener Node closes CONNECT requests without a word; they get a plain refusal.
  server.on('connect', (_req, socket: Socket) => {
    // The socket has left the HTTP parser and its error handling: a client that resets now would
    // raise an uncaught ECONNRESET in the whole process.
    socket.on('error', () => socket.destroy());
    const body = JSON.stringify({ message: 'CONNECT is not supported: this is not a proxy' });
    socket.end(`HTTP/1.1 405 Method Not Allowed\r\nconnection: close\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`);
  });
  server.on('clientError', (_err, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nconnection: close\r\ncontent-length: 0\r\n\r\n');
    else socket.destroy();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', (err) => reject(new FluxbenchError(`${name} could not listen on 127.0.0.1:${port}: ${err.message}`)));
    server.listen(port, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (!address || typeof address !== 'object') throw new FluxbenchError(`${name} has no listening address`);
  return {
    port: address.port,
    ...(tls && 'setSecureContext' in server ? { setCertificate: (certificate: ListenTls) => server.setSecureContext({ cert: certificate.cert, key: certificate.key }) } : {}),
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
      }),
  };
}
