// HTTP adapter: GET /orders/stream, the caller's order changes as Server-Sent Events (a customer's own orders, an admin's all).
import { callerOf, type RouteGuards } from '@saga/auth';
import { ServiceUnavailableError } from '@saga/platform';
import type { Express } from 'express';
import type { OrderChangeFeed, OrderWatcher } from '../app/order-change-feed';

export interface OrderStreamRoutesDeps {
  feed: OrderChangeFeed;
  guards: RouteGuards;
  /** A comment line this often keeps proxies and load balancers from closing an idle stream; default 15 s. */
  heartbeatMs?: number;
  /**
   * The stream ends after this long (default 10 min) and the client reconnects (the `retry` field): its token is
   * verified again, and no client or tool holds one response forever.
   */
  maxDurationMs?: number;
}

export const STREAM_RETRY_MS = 3_000;

/** One SSE event: a name and one line of JSON (JSON never contains a raw newline). */
const sseEvent = (event: string, data: unknown, id?: string): string => `event: ${event}\n${id ? `id: ${id}\n` : ''}data: ${JSON.stringify(data)}\n\n`;

export function orderStreamRoutes(deps: OrderStreamRoutesDeps): (app: Express) => void {
  const heartbeatMs = deps.heartbeatMs ?? 15_000;
  const maxDurationMs = deps.maxDurationMs ?? 600_000;
  return (app) => {
    // Before /orders/:orderId, which would take "stream" for an id.
    app.get('/orders/stream', deps.guards.signedIn, async (req, res) => {
      const caller = callerOf(res);
      let ended = false;
      const timers: { heartbeat?: NodeJS.Timeout; deadline?: NodeJS.Timeout } = {};
      let unwatch: (() => void) | undefined;
      const write = (chunk: string) => {
        if (!ended && !res.writableEnded && !res.destroyed) res.write(chunk);
      };
      const finish = () => {
        if (ended) return;
        ended = true;
        clearInterval(timers.heartbeat);
        clearTimeout(timers.deadline);
        unwatch?.();
        if (!res.writableEnded) res.end();
      };
      const watcher: OrderWatcher = {
        customerId: caller.sub,
        admin: caller.roles.includes('admin'),
        send: (change) => write(sseEvent('order', change, `${change.orderId}@${change.changedAt}`)),
        end: finish,
      };
      // Subscribed before the first byte: a client that (re)loads its list on `ready` misses no change after it.
      try {
        unwatch = await deps.feed.watch(watcher);
      } catch (err) {
        throw new ServiceUnavailableError('The order change feed is unavailable', { code: 'STREAM_UNAVAILABLE', cause: err });
      }
      req.on('close', finish);
      res.on('close', finish);
      res.status(200);
      res.setHeader('Content-Type', 'text/event-stream; charset=utf-8');
      res.setHeader('Cache-Control', 'no-cache, no-transform');
      // Tells a buffering reverse proxy (nginx and the like) to pass each event on at once.
      res.setHeader('X-Accel-Buffering', 'no');
      res.flushHeaders();
      write(`retry: ${STREAM_RETRY_MS}\n\n`);
      write(sseEvent('ready', { customerId: caller.sub, scope: watcher.admin ? 'all' : 'own', heartbeatMs, maxDurationMs }));
      timers.heartbeat = setInterval(() => write(': heartbeat\n\n'), heartbeatMs);
      timers.deadline = setTimeout(finish, maxDurationMs);
    });
  };
}
