// One streaming proxy per upstream service, each behind its own circuit breaker.
//
// Proxying streams, so the breaker cannot wrap a value-returning call: instead each proxied request is one
// breaker call, a promise that resolves when the upstream's response headers arrive, and rejects only when the
// upstream is unavailable: a proxy error (connection refused, reset), a 502/503/504, or the breaker's timeout (time
// to response headers, UPSTREAM_TIMEOUT_MS), which also destroys the upstream request. A 500 is the upstream's
// answer to one request (maybe a client's malformed one): passed through and logged, never counted, so one customer
// cannot open the breaker every customer shares. An open breaker answers 503 at once.
import { Agent, type ClientRequest, type IncomingMessage } from 'node:http';
import type { NextFunction, Request, Response } from 'express';
import { createProxyMiddleware, type Plugin } from 'http-proxy-middleware';
import { AppError, PayloadTooLargeError, ServiceUnavailableError, type Logger } from '@saga/platform';
import { BreakerOpenError, BreakerTimeoutError, createBreaker, type Breaker, type BreakerOptions } from '@saga/resilience';

export type UpstreamName = 'order' | 'inventory' | 'payment' | 'notification';

export interface Route {
  upstream: UpstreamName;
  /** The upstream path (with the query string) for a gateway path. */
  target: string;
  admin: boolean;
  /** The gateway path template it matched, e.g. `/api/orders/*`: the metrics' route label (never the path). */
  template: string;
}

/** The statuses that mean "the upstream is unavailable" and count against its breaker. */
export const UNAVAILABLE_STATUSES: ReadonlySet<number> = new Set([502, 503, 504]);

/** Upstream answered 502/503/504: its response is still passed to the client, but it counts as a failure. */
export class UpstreamStatusError extends Error {
  override readonly name = 'UpstreamStatusError';
  constructor(readonly upstream: string, readonly status: number) {
    super(`${upstream} answered ${status}`);
  }
}

/** Per proxied request: how the breaker call learns the outcome, and the upstream request to cancel. */
interface Pending {
  settle: (error?: unknown) => void;
  proxyReq?: ClientRequest;
  tooLarge?: boolean;
}

export interface UpstreamProxyOptions {
  name: UpstreamName;
  /** The static base URL (used when no resolver is given). */
  url: string;
  /** Per request: the base URL of a healthy instance (registry, round robin); undefined -> 503 UPSTREAM_UNAVAILABLE. */
  resolve?: () => string | undefined;
  timeoutMs: number;
  bodyLimit: number;
  logger: Logger;
  /** Resolves the route for a request; the same table the dispatcher uses (used as pathFilter / pathRewrite). */
  route: (url: string) => Route | undefined;
  breaker?: Partial<Omit<BreakerOptions<unknown, unknown>, 'name' | 'timeoutMs' | 'fallback'>>;
}

export interface UpstreamProxy {
  name: UpstreamName;
  breaker: Breaker<{ req: Request; res: Response }, void>;
  handle: (req: Request, res: Response, next: NextFunction) => Promise<void>;
  /** Stops the breaker's timers and closes the idle keep-alive sockets. */
  close: () => void;
}

/**
 * X-Forwarded-For/-Port/-Proto get this hop appended to what the client sent, X-Forwarded-Host is kept or set from
 * Host: what http-proxy's `xfwd` did. httpxy's `xfwd` (http-proxy-middleware 4) only fills them in when absent, so a
 * client-sent X-Forwarded-For would reach the upstream as the whole chain, without the gateway's peer on its right.
 */
function appendForwardedHeaders(req: IncomingMessage): void {
  const values = { for: req.socket.remoteAddress ?? '', port: forwardedPort(req), proto: 'encrypted' in req.socket && req.socket.encrypted ? 'https' : 'http' };
  for (const [name, value] of Object.entries(values)) {
    const header = `x-forwarded-${name}`;
    const previous = req.headers[header];
    req.headers[header] = previous ? `${String(previous)},${value}` : value;
  }
  req.headers['x-forwarded-host'] ||= req.headers.host ?? '';
}

function forwardedPort(req: IncomingMessage): string {
  const port = /:(\d+)/.exec(req.headers.host ?? '')?.[1];
  return port ?? ('encrypted' in req.socket && req.socket.encrypted ? '443' : '80');
}

export function createUpstreamProxy(options: UpstreamProxyOptions): UpstreamProxy {
  const { name, url, resolve, timeoutMs, bodyLimit, logger, route } = options;
  const pending = new WeakMap<IncomingMessage, Pending>();
  /** The instance picked for each request when a resolver is given (read by the proxy's router). */
  const targets = new WeakMap<IncomingMessage, string>();

  const events: Plugin<Request, Response> = (proxyServer) => {
    proxyServer.on('proxyReq', (proxyReq: ClientRequest, req: IncomingMessage) => {
      const p = pending.get(req);
      if (!p) return;
      p.proxyReq = proxyReq;
      // Bodies without Content-Length (chunked) are counted as they stream; Content-Length was checked before.
      if (req.headers['content-length'] === undefined) {
        let seen = 0;
        req.on('data', (chunk: Buffer) => {
          seen += chunk.length;
          if (seen > bodyLimit && !p.tooLarge) {
            p.tooLarge = true;
            p.settle(new PayloadTooLargeError(`Request body exceeds the limit of ${bodyLimit} bytes`));
            proxyReq.destroy();
          }
        });
      }
    });
    proxyServer.on('proxyRes', (proxyRes: IncomingMessage, req: IncomingMessage) => {
      const status = proxyRes.statusCode ?? 502;
      if (status >= 500 && !UNAVAILABLE_STATUSES.has(status)) {
        logger.warn({ upstream: name, status, url: (req as { originalUrl?: string }).originalUrl ?? req.url }, `${name} answered ${status} (passed through, not counted by the breaker)`);
      }
      pending.get(req)?.settle(UNAVAILABLE_STATUSES.has(status) ? new UpstreamStatusError(name, status) : undefined);
    });
    // httpxy emits 'error' without a request only for a missing target, which the router never returns.
    proxyServer.on('error', (err: Error, req?: IncomingMessage) => {
      if (req) pending.get(req)?.settle(err);
    });
    // The client went away: not the upstream's fault.
    proxyServer.on('econnreset', (_err: Error, req: IncomingMessage) => {
      pending.get(req)?.settle();
    });
  };

  // Keep-alive to the upstream: without an agent http-proxy sends `Connection: close`, so every request paid two TCP
  // handshakes (client→gateway, gateway→upstream) and the client's own keep-alive was cut too (measured: 0.19 of
  // direct throughput). Idle sockets are dropped before Node's default 5 s server keep-alive timeout closes them.
  const agent = new Agent({ keepAlive: true, maxSockets: 256, maxFreeSockets: 64, timeout: 4_000 });
  const proxy = createProxyMiddleware<Request, Response>({
    target: url,
    agent,
    ...(resolve && { router: (req: Request) => targets.get(req) ?? url }),
    changeOrigin: true,
    // X-Forwarded-* are appended by appendForwardedHeaders (http-proxy's behaviour), not by httpxy.
    xfwd: false,
    // Our own plugin replaces the defaults: errors become breaker failures and one JSON error body, not HPM's text page.
    ejectPlugins: true,
    plugins: [events],
    pathFilter: (path) => route(path)?.upstream === name,
    pathRewrite: (path) => route(path)?.target ?? path,
  });

  const breaker = createBreaker<{ req: Request; res: Response }, void>(
    ({ req, res }, signal) =>
      new Promise<void>((resolve, reject) => {
        let settled = false;
        const p: Pending = {
          settle: (error) => {
            if (settled) return;
            settled = true;
            if (error === undefined) resolve();
            else reject(error);
          },
        };
        pending.set(req, p);
        signal.addEventListener('abort', () => p.proxyReq?.destroy(), { once: true });
        res.on('close', () => p.settle());
        appendForwardedHeaders(req);
        proxy(req, res, (err?: unknown) => p.settle(err ?? new Error(`${name}: request not proxied`))).catch((err: unknown) => p.settle(err));
      }),
    {
      name,
      timeoutMs,
      // A body over the limit is the client's fault, not the upstream's.
      isBusinessFailure: (err) => err instanceof PayloadTooLargeError,
      ...options.breaker,
      onStateChange: (state) => logger.warn({ upstream: name, state }, `circuit breaker ${name} ${state}`),
    },
  );

  const handle = async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    if (resolve) {
      const target = resolve();
      // No healthy instance known: nothing was called, so the breaker is not charged with it.
      if (target === undefined) return next(new ServiceUnavailableError(`${name} has no healthy instance`, { code: 'UPSTREAM_UNAVAILABLE' }));
      targets.set(req, target);
    }
    try {
      await breaker.fire({ req, res });
    } catch (err) {
      if (res.headersSent) {
        // A 502/503/504 already streamed to the client, or a failure mid-body: nothing more to say.
        if (!(err instanceof UpstreamStatusError)) res.destroy();
        return;
      }
      if (err instanceof PayloadTooLargeError) {
        res.setHeader('Connection', 'close');
        return next(err);
      }
      if (err instanceof BreakerTimeoutError) {
        return next(new AppError(504, 'UPSTREAM_TIMEOUT', `${name} did not answer within ${timeoutMs} ms`));
      }
      if (err instanceof BreakerOpenError) {
        return next(new ServiceUnavailableError(`${name} is unavailable (circuit open)`, { code: 'UPSTREAM_UNAVAILABLE' }));
      }
      logger.warn({ err, upstream: name }, 'upstream call failed');
      next(new ServiceUnavailableError(`${name} is unavailable`, { code: 'UPSTREAM_UNAVAILABLE' }));
    }
  };

  return {
    name,
    breaker,
    handle,
    close: () => {
      breaker.shutdown();
      agent.destroy();
    },
  };
}
