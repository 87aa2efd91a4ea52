// Where the gateway's rate-limit counters live: in memory (one process), or in Redis so that several gateway
// replicas enforce ONE limit. One Redis client per gateway; one store (its own key prefix) per limiter.
//
// Redis unreachable at run time: FAIL OPEN. A rate limiter protects the services from abuse; it is not what makes
// the API work, so an outage of Redis must not take the API down with it. While Redis is down each request is
// allowed without counting, a warning is logged (at most one per 10 s) and `storeErrors` is incremented. The
// client never queues commands while disconnected (disableOfflineQueue), so a request is not held waiting for
// Redis; it connects with a timeout and reconnects with capped, jittered exponential backoff.
import { createClient } from 'redis';
import { RedisStore, type RedisReply } from 'rate-limit-redis';
import type { ClientRateLimitInfo, IncrementResponse, Options as RateLimitOptions, Store } from 'express-rate-limit';
import type { Logger } from '@saga/platform';

export interface RedisRateLimitOptions {
  url: string;
  logger: Logger;
  /** Prepended to every limiter's prefix, e.g. a test run's unique namespace. Default ''. */
  keyPrefix?: string;
  connectTimeoutMs?: number;
}

export interface RateLimitBackend {
  kind: 'memory' | 'redis';
  /** A store for one limiter; `name` makes its key prefix (`rl:<name>:`). Undefined: express-rate-limit's MemoryStore. */
  store(name: string): Store | undefined;
  /** Redis connection state for /health/ready; undefined for memory. */
  status(): { state: 'up' | 'down'; storeErrors: number } | undefined;
  /** Resolves once Redis accepts commands (immediately for memory). */
  ready(): Promise<void>;
  close(): Promise<void>;
}

export function memoryRateLimitBackend(): RateLimitBackend {
  return { kind: 'memory', store: () => undefined, status: () => undefined, ready: () => Promise.resolve(), close: () => Promise.resolve() };
}

/** Exponential backoff from 100 ms, capped at 5 s, with up to 20% jitter so replicas do not reconnect in lockstep. */
export function reconnectDelayMs(retries: number): number {
  const base = Math.min(100 * 2 ** Math.min(retries, 10), 5000);
  return Math.round(base + Math.random() * base * 0.2);
}

/**
 * RedisStore loads its Lua scripts once, in init(). If Redis is down at that moment (or the gateway starts before
 * the client has connected) the cached script promise stays rejected and every later increment would fail — the
 * limiter would fail open forever. This store loads the scripts lazily and again after any failure.
 */
class ResilientRedisStore extends RedisStore {
  private scriptsStale = true;

  override init(options: RateLimitOptions): Promise<void> {
    this.windowMs = options.windowMs;
    this.scriptsStale = true;
    return Promise.resolve();
  }

  private reloadScripts(): void {
    this.scriptsStale = false;
    this.incrementScriptSha = this.loadIncrementScript();
    this.getScriptSha = this.loadGetScript();
    // Handled here; whoever awaits them later still sees the rejection.
    this.incrementScriptSha.catch(() => undefined);
    this.getScriptSha.catch(() => undefined);
  }

  private async guarded<T>(op: () => Promise<T>): Promise<T> {
    if (this.scriptsStale) this.reloadScripts();
    try {
      return await op();
    } catch (err) {
      this.scriptsStale = true;
      throw err;
    }
  }

  override increment(key: string): Promise<IncrementResponse> {
    return this.guarded(() => super.increment(key));
  }

  override get(key: string): Promise<ClientRateLimitInfo | undefined> {
    return this.guarded(() => super.get(key));
  }
}

export function redisRateLimitBackend(options: RedisRateLimitOptions): RateLimitBackend {
  const { logger } = options;
  const client = createClient({
    url: options.url,
    // Fail fast while disconnected instead of queueing: the request is then allowed (fail open), not held.
    disableOfflineQueue: true,
    socket: { connectTimeout: options.connectTimeoutMs ?? 2000, reconnectStrategy: reconnectDelayMs },
    // node-redis 6 turns Redis Enterprise maintenance notifications on with RESP3 (its new default); the open-source
    // Redis this runs on has none, so they stay off as in 5 (RESP3 itself is kept: the scripts' replies are the same).
    maintNotifications: 'disabled',
  });
  let storeErrors = 0;
  let lastWarning = 0;
  const warn = (err: unknown, message: string) => {
    const now = Date.now();
    if (now - lastWarning < 10_000) return;
    lastWarning = now;
    logger.warn({ err, storeErrors }, message);
  };
  // Without an 'error' listener the client's connection errors would crash the process.
  client.on('error', (err: unknown) => warn(err, 'rate-limit redis: connection error; rate limits fail open until it reconnects'));
  client.on('ready', () => logger.info('rate-limit redis: connected'));
  let closed = false;
  const connecting = client.connect().then(
    () => undefined,
    (err: unknown) => {
      if (!closed) warn(err, 'rate-limit redis: could not connect');
    },
  );

  const sendCommand = (...args: string[]): Promise<RedisReply> => client.sendCommand(args);
  const used = new Set<string>();

  return {
    kind: 'redis',
    store: (name) => {
      const prefix = `${options.keyPrefix ?? ''}rl:${name}:`;
      if (used.has(prefix)) throw new Error(`rate-limit store ${prefix} already created: one store per limiter`);
      used.add(prefix);
      const store = new ResilientRedisStore({ prefix, sendCommand });
      const increment = store.increment.bind(store);
      store.increment = async (key) => {
        try {
          return await increment(key);
        } catch (err) {
          storeErrors++;
          warn(err, 'rate-limit redis: store unavailable; allowing requests without rate limiting (fail open)');
          throw err; // express-rate-limit (passOnStoreError) then lets the request through
        }
      };
      return store;
    },
    status: () => ({ state: client.isReady ? 'up' : 'down', storeErrors }),
    ready: () => connecting,
    close: async () => {
      closed = true;
      // close() lets pending commands finish; while disconnected there are none, and destroy() stops reconnecting.
      if (client.isReady) await client.close();
      else if (client.isOpen) client.destroy();
      await connecting;
    },
  };
}
