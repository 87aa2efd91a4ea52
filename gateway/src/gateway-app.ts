// The API gateway: demo token issuer, JWT check, per-user rate limits, admin role check, and one breaker-guarded
// streaming proxy per upstream. Built on express directly (not createHttpApp): createHttpApp parses JSON bodies
// before the routes, and a proxied body must stream through untouched. Same error body shape, same AppErrors.
import { randomUUID } from 'node:crypto';
import express, { type ErrorRequestHandler, type Express, type RequestHandler, type Response } from 'express';
import { ipKeyGenerator, rateLimit } from 'express-rate-limit';
import { pinoHttp } from 'pino-http';
import {
  BadRequestError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  TooManyRequestsError,
  UnauthorizedError,
  createLogger,
  rejectUnsafeInput,
  textProblem,
  toAppError,
  type Logger,
} from '@saga/platform';
import { authenticate, checkCredentials, createTokenIssuer, createTokenVerifier, identityOf } from '@saga/auth';
import { activeTraceparent, parseTraceparent, wasLeftUntraced } from '@saga/tracing';
import { discoverUpstream, type DiscoveredUpstream, type ServiceRegistry } from '@saga/discovery';
import { breakerMetrics, httpMetrics, labelRoute, rateLimitMetrics, type Metrics } from '@saga/metrics';
import { buildAsyncApiDocument } from '@saga/contracts';
import { Toxiproxy } from '@saga/faults';
import type { GatewayConfig } from './config';
import { loadGatewayCredentials, type GatewayCredentials } from './gateway-credentials';
import { brokerLinkGatewayRoutes } from './broker-links.routes';
import { deadLetterGatewayRoutes } from './dead-letters.routes';
import { systemGatewayRoutes } from './system.routes';
import { traceGatewayRoutes } from './traces.routes';
import type { UpstreamDirectory } from './upstream-fanout';
import { memoryRateLimitBackend, redisRateLimitBackend, type RateLimitBackend } from './rate-limit-store';
import { buildOpenApi } from './openapi/build-openapi';
import { consoleRoutes } from './console.routes';
import { methodGuard } from './openapi/method-guard';
import { openApiRoutes } from './openapi/openapi.routes';
import { tokenRequestSchema } from './token.schemas';
import { createUpstreamProxy, type Route, type UpstreamName, type UpstreamProxy, type UpstreamProxyOptions } from './upstream-proxy';

export interface GatewayDeps {
  logger?: Logger;
  /** For tests: breaker tuning (thresholds, reset timeout). */
  breaker?: UpstreamProxyOptions['breaker'];
  /** Used by /health/ready to probe the upstreams. */
  fetch?: typeof fetch;
  /** Prepended to the Redis rate-limit keys (tests use a unique one per run). */
  rateLimitKeyPrefix?: string;
  /** When given, upstream instances come from the registry (healthy ones, round robin per request) instead of the static URLs. */
  registry?: ServiceRegistry;
  /** With a registry: upstreams that still use their static *_URL (e.g. one routed through a Toxiproxy proxy). */
  staticUpstreams?: UpstreamName[];
  /** Signing key and users, when already loaded (the embedded mode shares the key with its services); else read from config. */
  credentials?: GatewayCredentials;
  /** Given: HTTP RED (proxied routes by their routeTable template), rate-limit rejections and the upstream breakers. */
  metrics?: Metrics;
  /** The built console served at / (default console/dist of this repository). */
  consoleDir?: string;
}

export interface GatewayApp {
  app: Express;
  proxies: Record<UpstreamName, UpstreamProxy>;
  /** Where the rate-limit counters live: Redis when REDIS_URL is set, memory otherwise. */
  rateLimit: RateLimitBackend;
  /**
   * Ends every live order stream passing through (GET /api/orders/stream): first at shutdown, so the HTTP drain does
   * not wait for responses that never end; each client reconnects (to another replica).
   */
  closeStreams(): void;
  /** Stops the breakers' timers and closes the Redis client. */
  close(): Promise<void>;
}

const UPSTREAMS: UpstreamName[] = ['order', 'inventory', 'payment', 'notification'];

/** Gateway path -> upstream path. Order matters: admin routes first. */
/** `template` names the entry in the metrics' route label: `/*` is the prefix itself and anything under it. */
const routeTable: { pattern: RegExp; template: string; upstream: UpstreamName; rewrite: (rest: string) => string; admin: boolean }[] = [
  { pattern: /^\/api\/admin\/replay(\/.*)?$/, template: '/api/admin/replay/*', upstream: 'order', rewrite: (rest) => '/admin/replay' + rest, admin: true },
  // The order service's operator routes: the saga list (GET ?sagaStatus=) and /:orderId/retry-compensation.
  { pattern: /^\/api\/admin\/orders(\/.*)?$/, template: '/api/admin/orders/*', upstream: 'order', rewrite: (rest) => '/admin/orders' + rest, admin: true },
  { pattern: /^\/api\/admin\/restock(\/.*)?$/, template: '/api/admin/restock/*', upstream: 'inventory', rewrite: (rest) => '/admin/restock' + rest, admin: true },
  // Payment's operator routes: reconciliation with the provider's books, and those books per order.
  { pattern: /^\/api\/admin\/reconcile(\/.*)?$/, template: '/api/admin/reconcile/*', upstream: 'payment', rewrite: (rest) => '/admin/reconcile' + rest, admin: true },
  { pattern: /^\/api\/admin\/provider(\/.*)?$/, template: '/api/admin/provider/*', upstream: 'payment', rewrite: (rest) => '/admin/provider' + rest, admin: true },
  // Each service's unpublished outbox rows (pending, parked) and the re-drive of a parked one.
  ...UPSTREAMS.map((upstream) => ({
    pattern: new RegExp(`^/api/admin/outbox/${upstream}(/.*)?$`),
    template: `/api/admin/outbox/${upstream}/*`,
    upstream,
    rewrite: (rest: string) => '/admin/outbox' + rest,
    admin: true,
  })),
  // A dead letter's re-drive goes to the service its id names (`<service>:<broker>:<letter id>`, ':' maybe encoded);
  // the list across services is answered by the gateway itself (dead-letters.routes.ts).
  ...UPSTREAMS.map((upstream) => ({
    pattern: new RegExp(`^/api/admin/dead-letters/(${upstream}(?::|%3[aA])[^/]+/redrive)$`),
    template: `/api/admin/dead-letters/${upstream}:*/redrive`,
    upstream,
    rewrite: (rest: string) => '/admin/dead-letters/' + rest,
    admin: true,
  })),
  ...UPSTREAMS.map((upstream) => ({
    pattern: new RegExp(`^/api/admin/faults/${upstream}(/.*)?$`),
    template: `/api/admin/faults/${upstream}/*`,
    upstream,
    rewrite: (rest: string) => '/admin/faults' + rest,
    admin: true,
  })),
  // The live order stream (SSE) apart: its label keeps minutes-long streams out of the orders' latency histogram.
  { pattern: /^\/api\/orders(\/stream)$/, template: '/api/orders/stream', upstream: 'order', rewrite: (rest) => '/orders' + rest, admin: false },
  { pattern: /^\/api\/orders(\/.*)?$/, template: '/api/orders/*', upstream: 'order', rewrite: (rest) => '/orders' + rest, admin: false },
  // Only the catalog: the inventory service's /health* and /admin* stay out of reach of this prefix.
  { pattern: /^\/api\/inventory(\/products(?:\/[^/]+)?)$/, template: '/api/inventory/products/*', upstream: 'inventory', rewrite: (rest) => rest, admin: false },
  { pattern: /^\/api\/payments(\/.*)?$/, template: '/api/payments/*', upstream: 'payment', rewrite: (rest) => '/payments' + rest, admin: false },
  { pattern: /^\/api\/notifications(\/.*)?$/, template: '/api/notifications/*', upstream: 'notification', rewrite: (rest) => '/notifications' + rest, admin: false },
];

/** Resolves a request URL (path and query) to its upstream route, keeping the query string. */
export function resolveRoute(url: string): Route | undefined {
  const q = url.indexOf('?');
  const path = q === -1 ? url : url.slice(0, q);
  const query = q === -1 ? '' : url.slice(q);
  for (const entry of routeTable) {
    const match = entry.pattern.exec(path);
    if (match) return { upstream: entry.upstream, target: entry.rewrite(match[1] ?? '') + query, admin: entry.admin, template: entry.template };
  }
  return undefined;
}

/** Dot segments (also percent-encoded) and encoded slashes could walk out of the routed prefix upstream. */
const suspiciousPath = /(^|\/)(\.|%2e){1,2}(\/|$)|%2f|%5c|\\/i;

/** A path that does not percent-decode, or decodes to control characters or empty segments, goes nowhere. */
function decodablePath(path: string): boolean {
  let decoded: string;
  try {
    decoded = decodeURIComponent(path);
  } catch {
    return false;
  }
  return !textProblem(decoded) && !decoded.includes('//');
}

const acceptableRequestId = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * With tracing on, the request's server span (a child of a valid incoming traceparent, else a new trace): what the
 * proxy forwards. A read the sampler left untraced is forwarded as not sampled, its trace id kept for the logs, so that
 * no service traces it on its own. Without tracing, a valid incoming traceparent is passed on untouched; otherwise the
 * gateway starts one.
 */
function traceparentOf(incoming: string | undefined, leftUntraced: boolean): string {
  const traced = activeTraceparent();
  if (traced) return traced;
  const parent = parseTraceparent(incoming);
  // From randomUUID, which draws on a cached entropy pool: randomBytes() per request was a synchronous
  // randomFillSync call each time, ~5% of the gateway's CPU under load. 122 random bits are plenty for a trace id.
  const newSpanId = () => randomUUID().replace(/-/g, '').slice(0, 16);
  if (leftUntraced) return `00-${parent?.traceId ?? randomUUID().replace(/-/g, '')}-${newSpanId()}-00`;
  if (parent) return (incoming as string).trim();
  return `00-${randomUUID().replace(/-/g, '')}-${newSpanId()}-01`;
}

function requestIds(): RequestHandler {
  return (req, res, next) => {
    const incoming = req.get('x-request-id');
    const id = incoming && acceptableRequestId.test(incoming) ? incoming : randomUUID();
    req.headers['x-request-id'] = id; // forwarded upstream
    req.headers.traceparent = traceparentOf(req.get('traceparent'), wasLeftUntraced(req));
    res.setHeader('X-Request-Id', id);
    next();
  };
}

/** One line per request (pino-http): who, what, which status, how long; probes only at debug. */
function accessLog(logger: Logger): RequestHandler {
  return pinoHttp({
    logger,
    genReqId: (req) => String(req.headers['x-request-id']),
    autoLogging: { ignore: (req) => (req.url ?? '').startsWith('/health/') },
    customLogLevel: (_req, res, err) => (err || res.statusCode >= 500 ? 'error' : 'info'),
    // req.url is the upstream path by the time the response ends (the proxy rewrites it); say what the client asked.
    customSuccessMessage: (req, res) => `${req.method} ${(req as { originalUrl?: string }).originalUrl ?? req.url} ${res.statusCode}`,
    customErrorMessage: (req, res) => `${req.method} ${(req as { originalUrl?: string }).originalUrl ?? req.url} ${res.statusCode}`,
    // Only what an operator needs: never the Authorization header or the body.
    serializers: {
      req: (req: { id: unknown; method: string; url: string; headers: Record<string, unknown>; remoteAddress?: string }) => ({ id: req.id, method: req.method, url: req.url, traceparent: req.headers.traceparent, remoteAddress: req.remoteAddress }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
    },
    customProps: (_req, res) => {
      const user = identityOf(res as unknown as Parameters<typeof identityOf>[0])?.sub;
      return user ? { user } : {};
    },
    quietReqLogger: true,
  });
}

function errorHandler(logger: Logger): ErrorRequestHandler {
  return (err, req, res, next) => {
    if (res.headersSent) return next(err);
    // The platform's mapping: AppErrors, and any 4xx http-error (body-parser's charset, encoding, JSON, size) as that 4xx.
    const appError = toAppError(err);
    if (!appError) {
      logger.error({ err, method: req.method, path: req.path }, 'unhandled error');
      res.status(500).json({ error: { code: 'INTERNAL', message: 'Internal server error' } });
      return;
    }
    res.status(appError.status).json(appError.toBody());
  };
}

export function createGatewayApp(config: GatewayConfig, deps: GatewayDeps = {}): GatewayApp {
  const logger = deps.logger ?? createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  const doFetch = deps.fetch ?? fetch;
  const urls: Record<UpstreamName, string> = {
    order: config.ORDER_URL,
    inventory: config.INVENTORY_URL,
    payment: config.PAYMENT_URL,
    notification: config.NOTIFICATION_URL,
  };
  // With a registry: one watch per upstream keeps its healthy list current (the last known list survives a registry outage).
  const registry = deps.registry;
  const discovered: Partial<Record<UpstreamName, DiscoveredUpstream>> = registry
    ? Object.fromEntries(UPSTREAMS.filter((name) => !deps.staticUpstreams?.includes(name)).map((name) => [name, discoverUpstream(registry, name)]))
    : {};
  const proxies = Object.fromEntries(
    UPSTREAMS.map((name) => [
      name,
      createUpstreamProxy({
        name,
        url: urls[name],
        ...(discovered[name] && { resolve: () => discovered[name]?.next() }),
        timeoutMs: config.UPSTREAM_TIMEOUT_MS,
        bodyLimit: config.BODY_LIMIT,
        logger,
        route: resolveRoute,
        breaker: { resetTimeoutMs: config.UPSTREAM_BREAKER_RESET_MS, ...deps.breaker },
      }),
    ]),
  ) as Record<UpstreamName, UpstreamProxy>;
  const breakers = deps.metrics && breakerMetrics(deps.metrics);
  const unwatchBreakers = breakers ? Object.values(proxies).map((proxy) => breakers.watch(proxy.breaker)) : [];

  const rateLimitBackend = config.REDIS_URL
    ? redisRateLimitBackend({ url: config.REDIS_URL, logger, keyPrefix: deps.rateLimitKeyPrefix ?? config.RATE_LIMIT_KEY_PREFIX })
    : memoryRateLimitBackend();
  // Redis store errors: the request is allowed (passOnStoreError, fail open); the backend logs and counts them.
  const limiterLogger = { error: () => undefined, warn: (err: unknown, message?: string) => logger.warn({ err }, message ?? 'rate limit warning') };
  const limiterStore = (name: string) => {
    const store = rateLimitBackend.store(name);
    return store ? { store, passOnStoreError: true, logger: limiterLogger } : {};
  };

  // With a real issuer (JWKS) the issuer here is off: the gateway only verifies. Otherwise it verifies its own tokens
  // in-process: with its own public keys (ES256), or the explicitly configured HS256 secret.
  const credentials = deps.credentials ?? loadGatewayCredentials(config, logger);
  const issue = credentials.signer && createTokenIssuer(config, credentials.signer);
  const verify = createTokenVerifier(config, credentials.jwks ? { localJwks: credentials.jwks } : {});

  const app = express();
  app.disable('x-powered-by');
  // Deliberately false: the gateway is the edge, so req.ip is the socket's peer. Trusting X-Forwarded-For here
  // would let any client pick its own rate-limit key. Behind a load balancer, set this to that hop count.
  app.set('trust proxy', false);
  // First, so every answer is counted, including the ones the guards and limiters give.
  if (deps.metrics) app.use(httpMetrics(deps.metrics));
  app.use(requestIds());
  // The access log is an info line: below info nothing would be written, so the per-request work is skipped too.
  if (logger.isLevelEnabled('info')) app.use(accessLog(logger));
  // A documented path with an undocumented method: 405 and its Allow list (OPTIONS: the list), before any auth.
  app.use(methodGuard(buildOpenApi().paths as Record<string, object>));

  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service: 'gateway' });
  });

  // From the registry: ready when at least one healthy instance is known (the registry checks them; a local lookup).
  // Static URLs: when the upstream's /health/ready answers 200 within 1 s, cached for 2 s so probes don't fan out.
  let probeCache: { at: number; results: Promise<Map<UpstreamName, string>> } | undefined;
  const probeStatic = async (): Promise<Map<UpstreamName, string>> => {
    const results = await Promise.all(
      UPSTREAMS.filter((name) => !discovered[name]).map(async (name) => {
        try {
          const r = await doFetch(new URL('/health/ready', urls[name]), { signal: AbortSignal.timeout(1000) });
          await r.body?.cancel();
          return [name, r.status === 200 ? 'up' : `down (${r.status})`] as const;
        } catch (err) {
          return [name, `down (${err instanceof Error ? err.message : String(err)})`] as const;
        }
      }),
    );
    return new Map(results);
  };
  const readiness = async () => {
    if (!probeCache || Date.now() - probeCache.at > 2000) probeCache = { at: Date.now(), results: probeStatic() };
    const probed = await probeCache.results;
    const upstreams = UPSTREAMS.map((name) => {
      const instances = discovered[name];
      if (instances) return [name, instances.size > 0 ? `up (${instances.size} instances)` : 'down (no healthy instance)'] as const;
      return [name, probed.get(name) ?? 'down (not probed)'] as const;
    });
    return { ready: upstreams.every(([, state]) => state.startsWith('up')), upstreams: Object.fromEntries(upstreams) };
  };
  app.get('/health/ready', async (_req, res) => {
    const { ready, upstreams } = await readiness();
    // Redis down is reported as degraded but does not fail readiness: the limiters fail open without it, so the
    // gateway still serves correctly; failing readiness would let a Redis outage take every replica out of
    // the load balancer — the very outage fail-open exists to avoid.
    const redis = rateLimitBackend.status();
    const checks = redis && { redis: redis.state === 'up' ? 'up' : `degraded (down; rate limits fail open, ${redis.storeErrors} requests not counted)` };
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', upstreams, ...(checks && { checks, degraded: redis.state !== 'up' }) });
  });

  // The public half of the signing keys, for the services' JWT_JWKS_URL: public, cacheable, no secret in it.
  app.get('/.well-known/jwks.json', (_req, res) => {
    if (!credentials.jwks) throw new NotFoundError('This gateway does not sign with public keys (JWT_SECRET or an external issuer is configured)', { code: 'NO_JWKS' });
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(credentials.jwks);
  });

  // The AsyncAPI document of every message (built from libs/contracts, as docs/asyncapi.json): public, like the JWKS.
  const asyncApi = buildAsyncApiDocument();
  app.get('/api/asyncapi.json', (_req, res) => {
    res.setHeader('Cache-Control', 'public, max-age=300');
    res.json(asyncApi);
  });

  const rejections = deps.metrics && rateLimitMetrics(deps.metrics);
  const limitExceeded = (limiter: 'auth' | 'user' | 'anonymous'): RequestHandler => (_req, _res, next) => {
    rejections?.rejected(limiter);
    next(new TooManyRequestsError('Rate limit exceeded', { code: 'RATE_LIMITED' }));
  };

  // Per address and username, stricter: the one route password guessing would hit. Keyed on both, so a guesser behind
  // a shared NAT address locks out only the name it guesses, not everyone behind that address.
  const authLimiter = rateLimit({
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    limit: config.AUTH_RATE_LIMIT_MAX,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: 'auth',
    keyGenerator: (req) => {
      const username: unknown = (req.body as { username?: unknown } | undefined)?.username;
      return `${ipKeyGenerator(req.ip ?? '')}|${typeof username === 'string' ? username.slice(0, 128) : ''}`;
    },
    handler: limitExceeded('auth'),
    ...limiterStore('auth'),
  });

  app.post('/auth/token', express.json({ limit: config.BODY_LIMIT }), rejectUnsafeInput(), authLimiter, async (req, res) => {
    if (!issue) throw new NotFoundError('The demo token issuer is disabled: tokens come from the issuer at JWT_JWKS_URL', { code: 'ISSUER_DISABLED' });
    const parsed = tokenRequestSchema.safeParse(req.body);
    if (!parsed.success) throw new BadRequestError('Expected {"username": string, "password": string}', { code: 'VALIDATION_FAILED' });
    const user = checkCredentials(credentials.users, parsed.data.username, parsed.data.password);
    if (!user) throw new UnauthorizedError('Invalid username or password', { code: 'INVALID_CREDENTIALS' });
    res.setHeader('Cache-Control', 'no-store');
    res.json(await issue(user));
  });

  // Per user (the token's subject); runs after authentication.
  const userLimiter = rateLimit({
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    limit: config.RATE_LIMIT_MAX,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: 'user',
    keyGenerator: (_req, res) => `user:${identityOf(res)?.sub ?? ''}`,
    handler: limitExceeded('user'),
    ...limiterStore('api'),
  });

  // Before authentication counts: a request whose token is missing or invalid is charged to its client address
  // (RATE_LIMIT_MAX per window, like a user), so token guessing and anonymous floods meet a limit too.
  const anonymousLimiter = rateLimit({
    windowMs: config.RATE_LIMIT_WINDOW_MS,
    limit: config.RATE_LIMIT_MAX,
    standardHeaders: 'draft-8',
    legacyHeaders: false,
    identifier: 'anonymous',
    keyGenerator: (req) => `ip:${ipKeyGenerator(req.ip ?? '')}`,
    handler: limitExceeded('anonymous'),
    ...limiterStore('anonymous'),
  });
  // The API contract (/api/openapi.json) and its reference page (/api/docs): public, counted per address.
  openApiRoutes(app, anonymousLimiter);
  // The saga console (console/dist): public static files, counted per address like the docs page.
  consoleRoutes(app, anonymousLimiter, deps.consoleDir);
  const authenticateOrLimit = authenticate(verify, { forwardIdentityHeaders: true });

  const api = express.Router();
  api.use(async (req, res, next) => {
    try {
      await authenticateOrLimit(req, res, next);
    } catch (err) {
      // 401 while the address is under its limit, 429 once it is over.
      await anonymousLimiter(req, res, (limited?: unknown) => next(limited ?? err));
    }
  });
  api.use(userLimiter);
  // The routes the gateway answers itself, from what the services behind it say (each checks the admin role too).
  const directory: UpstreamDirectory = {
    upstreams: UPSTREAMS,
    sourceOf: (name) => (discovered[name] ? 'registry' : 'static'),
    instancesOf: (name) => (discovered[name] ? discovered[name].all() : [urls[name]]),
    baseUrlOf: (name) => (discovered[name] ? discovered[name].next() : urls[name]),
  };
  const fanOut = { timeoutMs: config.UPSTREAM_TIMEOUT_MS, fetch: doFetch, logger };
  deadLetterGatewayRoutes(api, { ...directory, ...fanOut });
  traceGatewayRoutes(api, { ...directory, ...fanOut });
  systemGatewayRoutes(api, { ...directory, ...fanOut, gatewayBreakerOf: (name) => proxies[name].breaker.stats() });
  // The services' broker links through Toxiproxy (TOXIPROXY_URL): the gateway talks to Toxiproxy itself, not to a service.
  brokerLinkGatewayRoutes(api, {
    toxiproxy: config.TOXIPROXY_URL ? new Toxiproxy(config.TOXIPROXY_URL.replace(/\/+$/, ''), config.UPSTREAM_TIMEOUT_MS) : undefined,
    prefix: config.TOXIPROXY_LINK_PREFIX,
    services: UPSTREAMS,
    bodyLimit: config.BODY_LIMIT,
    logger,
  });
  app.use('/api', api);

  // The live order streams in flight, ended by closeStreams() at shutdown.
  const streams = new Set<Response>();

  // Routing, authorization and the body limit; then the proxy of the route's upstream (no body parsing here).
  app.use('/api', (req, res, next) => {
    const url = req.originalUrl;
    const path = url.split('?')[0] ?? '';
    if (suspiciousPath.test(path) || !decodablePath(path)) throw new BadRequestError('Path not allowed', { code: 'BAD_PATH' });
    const route = resolveRoute(url);
    if (!route) throw new NotFoundError(`No route for ${req.method} ${req.path}`);
    labelRoute(res, route.template);
    if (route.admin && !identityOf(res)?.roles.includes('admin')) throw new ForbiddenError('Role admin required');
    const length = req.headers['content-length'];
    if (length !== undefined && Number(length) > config.BODY_LIMIT) {
      res.setHeader('Connection', 'close');
      throw new PayloadTooLargeError(`Request body exceeds the limit of ${config.BODY_LIMIT} bytes`);
    }
    if (route.template === '/api/orders/stream') {
      streams.add(res);
      res.once('close', () => streams.delete(res));
    }
    // Mounted at /api, express strips the prefix from req.url; the proxies match on the full URL.
    req.url = url;
    return proxies[route.upstream].handle(req, res, next);
  });

  app.use((req, _res, next) => {
    next(new NotFoundError(`No route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(logger));

  return {
    app,
    proxies,
    rateLimit: rateLimitBackend,
    closeStreams: () => {
      for (const res of streams) {
        // An event the upstream still pipes in after this end is dropped, not an uncaught write-after-end error.
        res.on('error', () => undefined);
        res.end();
      }
      streams.clear();
    },
    close: async () => {
      for (const unwatch of unwatchBreakers) unwatch();
      for (const d of Object.values(discovered)) d.stop();
      for (const p of Object.values(proxies)) p.close();
      await rateLimitBackend.close();
    },
  };
}
