// Starts an HTTP server (port 0 allowed) and stops it by draining in-flight requests up to a deadline.
import { createServer, type IncomingMessage, type RequestListener, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface HttpServerOptions {
  port: number;
  /** Default '0.0.0.0' so containers are reachable; tests may pass '127.0.0.1'. */
  host?: string;
}

export interface HttpServerHandle {
  server: Server;
  /** The bound port: the real one when 0 was asked for. */
  port: number;
  /**
   * Stops accepting connections, lets in-flight requests finish, and after `drainTimeoutMs`
   * cuts the connections that are still open. Safe to call more than once.
   */
  stop(drainTimeoutMs?: number): Promise<void>;
}

export function startHttpServer(app: RequestListener, { port, host = '0.0.0.0' }: HttpServerOptions): Promise<HttpServerHandle> {
  const server = createServer(app);
  let stopping: Promise<void> | undefined;

  // close() waits for keep-alive connections, which would linger for the keep-alive timeout
  // after their last response: once stopping, tell clients to hang up and drop idle sockets.
  server.on('request', (_req: IncomingMessage, res: ServerResponse) => {
    if (stopping && !res.headersSent) res.setHeader('Connection', 'close');
    res.on('finish', () => {
      if (stopping) setImmediate(() => server.closeIdleConnections());
    });
  });

  const stop = (drainTimeoutMs = 10_000): Promise<void> =>
    (stopping ??= new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => server.closeAllConnections(), drainTimeoutMs);
      server.close((err) => {
        clearTimeout(deadline);
        if (err) reject(err);
        else resolve();
      });
      // Keep-alive connections with no request in flight would otherwise hold close() open.
      server.closeIdleConnections();
    }));

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve({ server, port: (server.address() as AddressInfo).port, stop });
    });
  });
}
