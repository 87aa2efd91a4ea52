// The gateway against fake upstreams (small express apps on port 0 that echo what they received).
import { once } from 'node:events';
import http from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { SignJWT } from 'jose';
import request from 'supertest';
import { createMetrics } from '@saga/metrics';
import { createLogger } from '@saga/platform';
import { loadGatewayConfig, type GatewayConfig } from './config';
import { createGatewayApp, type GatewayApp, type GatewayDeps } from './gateway-app';
import { tokenResponseSchema } from './token.schemas';

interface Echo {
  name: string;
  url: string;
  port: number;
  hits: string[];
  server: Server;
  stop(): Promise<void>;
}

async function startEcho(name: string, port = 0): Promise<Echo> {
  const hits: string[] = [];
  const app = express();
  app.use(express.raw({ type: () => true, limit: '10mb' }));
  app.use((req, res) => {
    hits.push(req.originalUrl);
    if (req.path.endsWith('/slow')) {
      setTimeout(() => {
        if (!res.writableEnded && !res.destroyed) res.json({ slow: true });
      }, 1500).unref();
      return;
    }
    if (req.path.endsWith('/boom')) {
      res.status(500).json({ error: { code: 'BOOM' } });
      return;
    }
    const status = /\/status-(\d{3})$/.exec(req.path)?.[1];
    if (status) {
      res.status(Number(status)).json({ error: { code: `STATUS_${status}` } });
      return;
    }
    const body = Buffer.isBuffer(req.body) ? req.body.toString('utf8') : '';
    res.json({ upstream: name, method: req.method, path: req.originalUrl, headers: req.headers, body });
  });
  const server = app.listen(port, '127.0.0.1');
  await once(server, 'listening');
  const actual = (server.address() as AddressInfo).port;
  return {
    name,
    url: `http://127.0.0.1:${actual}`,
    port: actual,
    hits,
    server,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const SECRET = 'test-secret-test-secret-test-secret-0123';
const key = new TextEncoder().encode(SECRET);
const b64url = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');

let order: Echo;
let inventory: Echo;
let payment: Echo;
let notification: Echo;
let config: GatewayConfig;
let gateway: GatewayApp;
const others: GatewayApp[] = [];

function makeConfig(extra: Record<string, string> = {}): GatewayConfig {
  return loadGatewayConfig({
    ORDER_URL: order.url,
    INVENTORY_URL: inventory.url,
    PAYMENT_URL: payment.url,
    NOTIFICATION_URL: notification.url,
    JWT_SECRET: SECRET,
    // The local demo mode: loopback, alice/bob/admin with their documented passwords.
    HOST: '127.0.0.1',
    DEMO_USERS_ENABLED: 'true',
    UPSTREAM_TIMEOUT_MS: '300',
    BODY_LIMIT: '1kb',
    RATE_LIMIT_MAX: '1000',
    AUTH_RATE_LIMIT_MAX: '1000',
    LOG_LEVEL: 'silent',
    ...extra,
  });
}

function makeGateway(extra: Record<string, string> = {}, deps: GatewayDeps = {}): GatewayApp {
  const g = createGatewayApp(makeConfig(extra), deps);
  others.push(g);
  return g;
}

async function login(g: GatewayApp, username: string, password: string): Promise<string> {
  const res = await request(g.app).post('/auth/token').send({ username, password }).expect(200);
  return (res.body as { access_token: string }).access_token;
}

let alice: string;
let admin: string;

beforeAll(async () => {
  [order, inventory, payment, notification] = await Promise.all(['order', 'inventory', 'payment', 'notification'].map((n) => startEcho(n)));
  config = makeConfig();
  gateway = createGatewayApp(config);
  alice = await login(gateway, 'alice', 'alice-secret');
  admin = await login(gateway, 'admin', 'admin-secret');
});

afterAll(async () => {
  await gateway.close();
  await Promise.all(others.map((g) => g.close()));
  await Promise.all([order, inventory, payment, notification].map((e) => e.stop()));
});

describe('POST /auth/token', () => {
  it.each([
    ['an unsupported charset', { 'content-type': 'application/json; charset=koi8-r' }, '{"username":"alice","password":"x"}', 415, 'UNSUPPORTED_CHARSET'],
    ['a body labelled gzip that is not gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, '{"username":"alice"}', 400, 'BAD_REQUEST'],
    ['an unknown content-encoding', { 'content-type': 'application/json', 'content-encoding': 'zstd-nope' }, '{}', 415, 'UNSUPPORTED_CONTENT_ENCODING'],
    ['a NUL in the username', { 'content-type': 'application/json' }, '{"username":"al\\u0000ice","password":"x"}', 400, 'INVALID_CHARACTERS'],
    ['an array for the username', { 'content-type': 'application/json' }, '{"username":["alice"],"password":"x"}', 400, 'VALIDATION_FAILED'],
    ['malformed JSON', { 'content-type': 'application/json' }, '{"username":', 400, 'MALFORMED_JSON'],
  ])('%s -> %i %s, never a 5xx', async (_what, headers, body, status, code) => {
    const res = await request(gateway.app).post('/auth/token').set(headers).send(body).expect(status);
    expect(res.body).toEqual({ error: { code, message: expect.any(String) } });
  });

  it('issues an HS256 token with sub, roles, iss, aud, exp, iat, nbf', async () => {
    const res = await request(gateway.app).post('/auth/token').send({ username: 'bob', password: 'bob-secret' }).expect(200);
    expect(tokenResponseSchema.strict().parse(res.body)).toEqual(res.body);
    expect(res.body).toEqual({ access_token: expect.any(String), token_type: 'Bearer', expires_in: 900 });
    const [header, payload] = (res.body.access_token as string).split('.').slice(0, 2).map((p) => JSON.parse(Buffer.from(p, 'base64url').toString()) as Record<string, unknown>);
    expect(header).toMatchObject({ alg: 'HS256' });
    expect(payload).toMatchObject({ sub: 'bob', roles: ['customer'], iss: 'saga-platform', aud: 'saga-api' });
    expect(payload).toHaveProperty('exp');
    expect(payload).toHaveProperty('iat');
    expect(payload).toHaveProperty('nbf');
  });

  it('is disabled when a real issuer (JWT_JWKS_URL) is configured, and demo tokens are refused', async () => {
    const withIssuer = makeGateway({ JWT_JWKS_URL: 'http://127.0.0.1:1/.well-known/jwks.json' });
    const res = await request(withIssuer.app).post('/auth/token').send({ username: 'alice', password: 'alice-secret' }).expect(404);
    expect(res.body.error.code).toBe('ISSUER_DISABLED');
    // The HS256 demo token does not pass a verifier fixed to RS256/ES256, whatever the key set holds.
    const refused = await request(withIssuer.app).get('/api/orders').set('Authorization', `Bearer ${alice}`).expect(401);
    expect(refused.body.error.message).toBe('The token algorithm is not allowed');
  });

  it.each([
    ['wrong password', { username: 'alice', password: 'nope' }],
    ['unknown user', { username: 'mallory', password: 'alice-secret' }],
  ])('401 INVALID_CREDENTIALS for a %s', async (_case, body) => {
    const res = await request(gateway.app).post('/auth/token').send(body).expect(401);
    expect(res.body.error.code).toBe('INVALID_CREDENTIALS');
  });

  it('400 for a malformed body', async () => {
    await request(gateway.app).post('/auth/token').send({ username: 'alice' }).expect(400);
  });
});

describe('JWT verification', () => {
  const sign = (claims: Record<string, unknown>, opts: { secret?: Uint8Array; aud?: string; iss?: string; exp?: number | string } = {}) =>
    new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('alice')
      .setIssuer(opts.iss ?? 'saga-platform')
      .setAudience(opts.aud ?? 'saga-api')
      .setIssuedAt(Math.floor(Date.now() / 1000) - 3600)
      .setExpirationTime(opts.exp ?? '15m')
      .sign(opts.secret ?? key);

  it('401 without a token, with a Bearer challenge', async () => {
    const res = await request(gateway.app).get('/api/orders').expect(401);
    expect(res.headers['www-authenticate']).toMatch(/^Bearer realm="saga-api"/);
    expect(res.body.error.code).toBe('MISSING_TOKEN');
    expect(order.hits).not.toContain('/orders');
  });

  const cases: [string, () => Promise<string>, RegExp][] = [
    ['malformed', async () => 'Bearer not-a-jwt', /malformed|not a Bearer/],
    ['forged signature', async () => 'Bearer ' + (await sign({ roles: ['admin'] }, { secret: new TextEncoder().encode('another-secret-another-secret-0123456') })), /signature/],
    ['expired', async () => 'Bearer ' + (await sign({ roles: [] }, { exp: Math.floor(Date.now() / 1000) - 60 })), /expired/],
    [
      'alg none',
      async () => {
        const now = Math.floor(Date.now() / 1000);
        return `Bearer ${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ sub: 'admin', roles: ['admin'], iss: 'saga-platform', aud: 'saga-api', iat: now, exp: now + 600 })}.`;
      },
      /algorithm|malformed/,
    ],
    ['wrong audience', async () => 'Bearer ' + (await sign({ roles: [] }, { aud: 'someone-else' })), /aud/],
    ['wrong issuer', async () => 'Bearer ' + (await sign({ roles: [] }, { iss: 'evil' })), /iss/],
  ];

  it.each(cases)('401 invalid_token for a %s token', async (_case, makeHeader, description) => {
    const res = await request(gateway.app).get('/api/orders').set('Authorization', await makeHeader()).expect(401);
    const challenge = res.headers['www-authenticate'] as string;
    expect(challenge).toMatch(/^Bearer realm="saga-api", error="invalid_token", error_description="[^"]+"$/);
    expect(challenge).toMatch(description);
    expect(res.body.error.code).toBe('INVALID_TOKEN');
  });

  it('a token within the clock tolerance is accepted', async () => {
    const token = await sign({ roles: ['customer'] }, { exp: Math.floor(Date.now() / 1000) - 2 });
    await request(gateway.app).get('/api/orders').set('Authorization', `Bearer ${token}`).expect(200);
  });
});

describe('authorization and identity headers', () => {
  it('403 FORBIDDEN for a customer on an admin route; the upstream is not called', async () => {
    const res = await request(gateway.app).post('/api/admin/replay').set('Authorization', `Bearer ${alice}`).expect(403);
    expect(res.body.error.code).toBe('FORBIDDEN');
    expect(order.hits).not.toContain('/admin/replay');
  });

  it('admin reaches admin routes', async () => {
    const replay = await request(gateway.app).post('/api/admin/replay').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(replay.body).toMatchObject({ upstream: 'order', path: '/admin/replay' });
    const restock = await request(gateway.app).post('/api/admin/restock').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(restock.body).toMatchObject({ upstream: 'inventory', path: '/admin/restock' });
    const faults = await request(gateway.app).delete('/api/admin/faults/payment').set('Authorization', `Bearer ${admin}`).expect(200);
    expect(faults.body).toMatchObject({ upstream: 'payment', path: '/admin/faults' });
  });

  it.each([
    ['GET', '/api/admin/orders?sagaStatus=COMPENSATION_FAILED&limit=10', '/admin/orders?sagaStatus=COMPENSATION_FAILED&limit=10'],
    ['GET', '/api/admin/orders', '/admin/orders'],
    ['POST', '/api/admin/orders/o-1/retry-compensation', '/admin/orders/o-1/retry-compensation'],
  ] as const)('%s %s reaches the order service as %s (admin only)', async (method, path, target) => {
    const call = (token: string) => (method === 'GET' ? request(gateway.app).get(path) : request(gateway.app).post(path)).set('Authorization', `Bearer ${token}`);
    const before = order.hits.length;
    expect((await call(alice).expect(403)).body.error.code).toBe('FORBIDDEN');
    expect(order.hits.length).toBe(before);
    const res = await call(admin).expect(200);
    expect(res.body).toMatchObject({ upstream: 'order', method, path: target });
  });

  it.each([
    ['POST', '/api/admin/reconcile', '/admin/reconcile'],
    ['GET', '/api/admin/outbox/payment?state=parked', '/admin/outbox?state=parked'],
    ['POST', '/api/admin/outbox/payment/12/redrive', '/admin/outbox/12/redrive'],
    ['GET', '/api/admin/provider/charges?orderId=o-1', '/admin/provider/charges?orderId=o-1'],
  ] as const)('%s %s reaches the payment service as %s (admin only)', async (method, path, target) => {
    const call = (token: string) => (method === 'GET' ? request(gateway.app).get(path) : request(gateway.app).post(path)).set('Authorization', `Bearer ${token}`);
    expect((await call(alice).expect(403)).body.error.code).toBe('FORBIDDEN');
    const res = await call(admin).expect(200);
    expect(res.body).toMatchObject({ upstream: 'payment', method, path: target });
  });

  it('strips client identity headers and sets them from the token; passes request id and traceparent', async () => {
    const traceparent = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
    const res = await request(gateway.app)
      .get('/api/orders')
      .set('Authorization', `Bearer ${alice}`)
      .set('X-User-Id', 'admin')
      .set('X-User-Roles', 'admin')
      .set('X-User-Email', 'evil@example.com')
      .set('X-Request-Id', 'req-123')
      .set('traceparent', traceparent)
      .expect(200);
    const headers = res.body.headers as Record<string, string>;
    expect(headers['x-user-id']).toBe('alice');
    expect(headers['x-user-roles']).toBe('customer');
    expect(headers['x-user-email']).toBeUndefined();
    expect(headers['x-request-id']).toBe('req-123');
    expect(headers.traceparent).toBe(traceparent);
    expect(res.headers['x-request-id']).toBe('req-123');
  });

  it('appends this hop to X-Forwarded-For/-Port/-Proto and keeps X-Forwarded-Host (as http-proxy did)', async () => {
    const sent = await request(gateway.app)
      .get('/api/orders')
      .set('Authorization', `Bearer ${alice}`)
      .set('X-Forwarded-For', '203.0.113.7')
      .set('X-Forwarded-Proto', 'https')
      .set('X-Forwarded-Host', 'shop.example')
      .expect(200);
    const headers = sent.body.headers as Record<string, string>;
    expect(headers['x-forwarded-for']).toMatch(/^203\.0\.113\.7,(::ffff:)?127\.0\.0\.1$/);
    expect(headers['x-forwarded-proto']).toBe('https,http');
    expect(headers['x-forwarded-host']).toBe('shop.example');
    const direct = await request(gateway.app).get('/api/orders').set('Authorization', `Bearer ${alice}`).expect(200);
    const first = direct.body.headers as Record<string, string>;
    expect(first['x-forwarded-for']).toMatch(/^(::ffff:)?127\.0\.0\.1$/);
    expect(first['x-forwarded-proto']).toBe('http');
    expect(first['x-forwarded-port']).toMatch(/^\d+$/);
    expect(first['x-forwarded-host']).toMatch(/^127\.0\.0\.1:\d+$/);
  });

  it('starts a trace when the client sends no (or an invalid) traceparent', async () => {
    for (const sent of [undefined, '00-00000000000000000000000000000000-00f067aa0ba902b7-01', 'garbage']) {
      const call = request(gateway.app).get('/api/orders').set('Authorization', `Bearer ${alice}`);
      const res = await (sent === undefined ? call : call.set('traceparent', sent)).expect(200);
      expect(res.body.headers.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-01$/);
      expect(res.body.headers.traceparent).not.toBe(sent);
    }
  });

  it('writes one access log line per request (who, what, status), none for probes, never the token', async () => {
    const lines: Record<string, unknown>[] = [];
    const logger = createLogger({ service: 'gateway', level: 'info', destination: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) } });
    const logged = makeGateway({}, { logger });
    await request(logged.app).get('/api/orders?limit=5').set('Authorization', `Bearer ${alice}`).set('X-Request-Id', 'req-log-1').expect(200);
    await request(logged.app).get('/api/orders').expect(401);
    await request(logged.app).get('/health/live').expect(200);
    const access = lines.filter((line) => line.req !== undefined);
    expect(access).toEqual([
      expect.objectContaining({ level: 'info', user: 'alice', req: expect.objectContaining({ id: 'req-log-1', method: 'GET', url: '/api/orders?limit=5' }), res: { statusCode: 200 }, responseTime: expect.any(Number), msg: 'GET /api/orders?limit=5 200' }),
      expect.objectContaining({ req: expect.objectContaining({ method: 'GET', url: '/api/orders' }), res: { statusCode: 401 } }),
    ]);
    expect(JSON.stringify(lines)).not.toContain(alice);
  });

  it('generates a request id when none is given', async () => {
    const res = await request(gateway.app).get('/api/orders').set('Authorization', `Bearer ${alice}`).expect(200);
    expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(res.body.headers['x-request-id']).toBe(res.headers['x-request-id']);
  });
});

describe('routing', () => {
  it.each([
    ['/api/orders', 'order', '/orders'],
    ['/api/orders/o-1?limit=5', 'order', '/orders/o-1?limit=5'],
    ['/api/inventory/products', 'inventory', '/products'],
    ['/api/inventory/products/SKU-APPLE', 'inventory', '/products/SKU-APPLE'],
    ['/api/payments/p-1', 'payment', '/payments/p-1'],
    ['/api/notifications?orderId=o-1', 'notification', '/notifications?orderId=o-1'],
  ])('%s -> %s %s', async (path, upstream, target) => {
    const res = await request(gateway.app).get(path).set('Authorization', `Bearer ${alice}`).expect(200);
    expect(res.body).toMatchObject({ upstream, path: target });
  });

  it.each(['/api/inventory', '/api/inventory/', '/api/inventory/health/ready', '/api/inventory/health/live', '/api/inventory/admin/restock', '/api/inventory/products/a/b'])(
    'only the catalog is public under /api/inventory: %s is 404',
    async (path) => {
      const before = inventory.hits.length;
      const res = await request(gateway.app).get(path).set('Authorization', `Bearer ${alice}`).expect(404);
      expect(res.body.error.code).toBe('NOT_FOUND');
      expect(inventory.hits.length).toBe(before);
    },
  );

  it.each(['/api/orders/%C0%AF', '/api/orders/%E0%A4%A', '/api/orders/%00', '/api/orders//health/live', '/api/orders/%2F%2Fhealth', '/api/orders/.%2e/health/live', '/api/payments/..%5Chealth'])(
    '400 BAD_PATH for %s, without calling the upstream',
    async (path) => {
      const before = order.hits.length + payment.hits.length;
      const res = await request(gateway.app).get(path).set('Authorization', `Bearer ${alice}`).expect(400);
      expect(res.body.error.code).toBe('BAD_PATH');
      expect(order.hits.length + payment.hits.length).toBe(before);
    },
  );

  it('404 for an unknown /api route; 400 for dot segments', async () => {
    await request(gateway.app).get('/api/unknown').set('Authorization', `Bearer ${alice}`).expect(404);
    await request(gateway.app).get('/api/orders/%2e%2e/admin/replay').set('Authorization', `Bearer ${alice}`).expect(400);
  });

  it('passes a JSON body through intact', async () => {
    const body = { items: [{ sku: 'SKU-APPLE', quantity: 2 }], note: 'é ünïcode ✓' };
    const res = await request(gateway.app).post('/api/orders').set('Authorization', `Bearer ${alice}`).set('Idempotency-Key', 'k-1').send(body).expect(200);
    expect(res.body.method).toBe('POST');
    expect(JSON.parse(res.body.body as string)).toEqual(body);
    expect(res.body.headers['idempotency-key']).toBe('k-1');
  });

  it('413 for a body over the limit (Content-Length), without calling the upstream', async () => {
    const before = order.hits.length;
    const res = await request(gateway.app)
      .post('/api/orders')
      .set('Authorization', `Bearer ${alice}`)
      .set('content-type', 'application/json')
      .send(JSON.stringify({ blob: 'x'.repeat(2000) }))
      .expect(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
    expect(order.hits.length).toBe(before);
  });
  it('413 for a chunked body that streams past the limit (no Content-Length)', async () => {
    const server = gateway.app.listen(0, '127.0.0.1');
    await once(server, 'listening');
    try {
      const { port } = server.address() as AddressInfo;
      const status = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = http.request(
          { host: '127.0.0.1', port, method: 'POST', path: '/api/orders', headers: { authorization: `Bearer ${alice}`, 'content-type': 'application/json', 'transfer-encoding': 'chunked' } },
          (res) => {
            let body = '';
            res.setEncoding('utf8');
            res.on('data', (c: string) => (body += c));
            res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
          },
        );
        req.on('error', reject);
        const chunk = 'x'.repeat(400);
        let sent = 0;
        const tick = () => {
          if (sent++ < 5 && !req.destroyed) {
            req.write(chunk);
            setTimeout(tick, 20);
          } else req.end();
        };
        tick();
      });
      expect(status.status).toBe(413);
      expect(JSON.parse(status.body).error.code).toBe('PAYLOAD_TOO_LARGE');
    } finally {
      server.closeAllConnections();
      server.close();
    }
  });
});

describe('health', () => {
  it('live and ready', async () => {
    await request(gateway.app).get('/health/live').expect(200);
    const ready = await request(gateway.app).get('/health/ready').expect(200);
    expect(ready.body.status).toBe('ready');
  });

  it('not ready while an upstream is down', async () => {
    const g = makeGateway({ NOTIFICATION_URL: 'http://127.0.0.1:1' });
    const res = await request(g.app).get('/health/ready').expect(503);
    expect(res.body).toMatchObject({ status: 'not-ready', upstreams: { order: 'up', notification: expect.stringMatching(/^down/) } });
  });
});

describe('rate limiting', () => {
  it('429 after the per-user limit, with draft-8 headers and Retry-After; other users unaffected', async () => {
    const g = makeGateway({ RATE_LIMIT_MAX: '3', RATE_LIMIT_WINDOW_MS: '10s' });
    const token = await login(g, 'alice', 'alice-secret');
    const bob = await login(g, 'bob', 'bob-secret');
    for (let i = 0; i < 3; i++) {
      const ok = await request(g.app).get('/api/orders').set('Authorization', `Bearer ${token}`).expect(200);
      expect(ok.headers['ratelimit-policy']).toMatch(/q=3; w=10/);
      expect(ok.headers.ratelimit).toMatch(/r=\d+; t=\d+/);
    }
    const limited = await request(g.app).get('/api/orders').set('Authorization', `Bearer ${token}`).expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers.ratelimit).toMatch(/r=0/);
    expect(limited.headers['ratelimit-policy']).toBeDefined();
    await request(g.app).get('/api/orders').set('Authorization', `Bearer ${bob}`).expect(200);
  });

  it('the stricter per-IP limit on /auth/token', async () => {
    const g = makeGateway({ AUTH_RATE_LIMIT_MAX: '2' });
    await request(g.app).post('/auth/token').send({ username: 'alice', password: 'x' }).expect(401);
    await request(g.app).post('/auth/token').send({ username: 'alice', password: 'x' }).expect(401);
    const res = await request(g.app).post('/auth/token').send({ username: 'alice', password: 'alice-secret' }).expect(429);
    expect(res.headers['retry-after']).toBeDefined();
  });

  it('requests without a valid token are limited per address before authentication; a valid token is not charged', async () => {
    const g = makeGateway({ RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '10s' });
    const token = await login(g, 'alice', 'alice-secret');
    await request(g.app).get('/api/orders').expect(401);
    await request(g.app).get('/api/orders').set('Authorization', 'Bearer not.a.token').expect(401);
    const limited = await request(g.app).get('/api/orders').expect(429);
    expect(limited.body.error.code).toBe('RATE_LIMITED');
    expect(limited.headers['retry-after']).toBeDefined();
    await request(g.app).get('/api/orders').set('Authorization', `Bearer ${token}`).expect(200);
  });

  it('the login limiter is keyed on address and username: a guesser locks out only the name it guesses', async () => {
    const g = makeGateway({ AUTH_RATE_LIMIT_MAX: '2' });
    await request(g.app).post('/auth/token').send({ username: 'bob', password: 'x' }).expect(401);
    await request(g.app).post('/auth/token').send({ username: 'bob', password: 'y' }).expect(401);
    await request(g.app).post('/auth/token').send({ username: 'bob', password: 'bob-secret' }).expect(429);
    await request(g.app).post('/auth/token').send({ username: 'alice', password: 'alice-secret' }).expect(200);
  });

  it('without REDIS_URL the counters live in memory; readiness has no redis check', async () => {
    expect(config.REDIS_URL).toBeUndefined();
    expect(gateway.rateLimit.kind).toBe('memory');
    expect(gateway.rateLimit.store('api')).toBeUndefined();
    const ready = await request(gateway.app).get('/health/ready').expect(200);
    expect(ready.body.checks).toBeUndefined();
  });

  it('REDIS_URL set but Redis unreachable: fails open (allowed, counted), ready but degraded, close() ends the client', async () => {
    const g = createGatewayApp(makeConfig({ REDIS_URL: 'redis://127.0.0.1:1', RATE_LIMIT_MAX: '1', AUTH_RATE_LIMIT_MAX: '1' }));
    try {
      expect(g.rateLimit.kind).toBe('redis');
      const token = await login(g, 'alice', 'alice-secret');
      await login(g, 'alice', 'alice-secret'); // over the auth limit of 1, but not counted
      for (let i = 0; i < 3; i++) {
        const res = await request(g.app).get('/api/orders').set('Authorization', `Bearer ${token}`).expect(200);
        expect(res.headers['ratelimit-policy']).toBeUndefined(); // nothing counted, nothing claimed
      }
      expect(g.rateLimit.status()).toEqual({ state: 'down', storeErrors: 5 });
      const ready = await request(g.app).get('/health/ready').expect(200);
      expect(ready.body).toMatchObject({ status: 'ready', degraded: true, checks: { redis: expect.stringMatching(/^degraded/) } });
    } finally {
      await g.close();
    }
  });
});

describe('upstream failures', () => {
  it('upstream slow -> 504 UPSTREAM_TIMEOUT', async () => {
    const started = Date.now();
    const res = await request(gateway.app).get('/api/orders/slow').set('Authorization', `Bearer ${alice}`).expect(504);
    expect(res.body.error.code).toBe('UPSTREAM_TIMEOUT');
    expect(Date.now() - started).toBeLessThan(1200);
  });

  it('upstream 5xx is passed through', async () => {
    const res = await request(gateway.app).get('/api/orders/boom').set('Authorization', `Bearer ${alice}`).expect(500);
    expect(res.body.error.code).toBe('BOOM');
  });

  it('a 500 is passed through and never counted: six of them leave the breaker closed for everyone', async () => {
    const g = makeGateway({}, { breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 500 } });
    const token = await login(g, 'alice', 'alice-secret');
    const bob = await login(g, 'bob', 'bob-secret');
    for (let i = 0; i < 6; i++) await request(g.app).get('/api/orders/boom').set('Authorization', `Bearer ${token}`).expect(500);
    expect(g.proxies.order.breaker.state()).toBe('closed');
    await request(g.app).get('/api/orders').set('Authorization', `Bearer ${bob}`).expect(200);
  });

  it.each([502, 503, 504])('an upstream %i counts as unavailability and opens the breaker', async (status) => {
    const g = makeGateway({}, { breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 500 } });
    const token = await login(g, 'alice', 'alice-secret');
    for (let i = 0; i < 2; i++) await request(g.app).get(`/api/orders/status-${status}`).set('Authorization', `Bearer ${token}`).expect(status);
    expect(g.proxies.order.breaker.state()).toBe('open');
    const res = await request(g.app).get('/api/orders').set('Authorization', `Bearer ${token}`).expect(503);
    expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
  });

  it('upstream down -> 503 fast; the breaker opens, skips the upstream, and recovers after the reset timeout', async () => {
    const flaky = await startEcho('payment');
    const port = flaky.port;
    const g = makeGateway({ PAYMENT_URL: flaky.url }, { breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 500 } });
    const token = await login(g, 'alice', 'alice-secret');
    const call = () => request(g.app).get('/api/payments/p-1').set('Authorization', `Bearer ${token}`);

    await call().expect(200);
    await flaky.stop();
    for (let i = 0; i < 3; i++) {
      const started = Date.now();
      const res = await call().expect(503);
      expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
      expect(Date.now() - started).toBeLessThan(500);
    }
    expect(g.proxies.payment.breaker.state()).toBe('open');

    // Back up, but the breaker is still open: answers 503 without calling it.
    const revived = await startEcho('payment', port);
    try {
      await call().expect(503);
      expect(revived.hits).toEqual([]);

      await new Promise((r) => setTimeout(r, 600));
      await call().expect(200);
      expect(revived.hits).toEqual(['/payments/p-1']);
      expect(g.proxies.payment.breaker.state()).toBe('closed');
    } finally {
      await revived.stop();
    }
  });
});

describe('metrics', () => {
  const scrape = (g: { metrics: ReturnType<typeof createMetrics> }) => g.metrics.registry.metrics();
  const withMetrics = (extra: Record<string, string> = {}, deps: GatewayDeps = {}) => {
    const metrics = createMetrics({ service: 'gateway', defaultMetrics: false });
    return { gateway: makeGateway(extra, { ...deps, metrics }), metrics };
  };

  it('records proxied requests by their routeTable template, never the path; unknown routes as unmatched', async () => {
    const g = withMetrics();
    const token = await login(g.gateway, 'alice', 'alice-secret');
    await request(g.gateway.app).get('/api/orders/o-1').set('Authorization', `Bearer ${token}`).expect(200);
    await request(g.gateway.app).get('/api/orders/o-2').set('Authorization', `Bearer ${token}`).expect(200);
    await request(g.gateway.app).get('/api/nowhere/42').set('Authorization', `Bearer ${token}`).expect(404);
    await request(g.gateway.app).get('/health/live').expect(200);
    const text = await scrape(g);
    expect(text).toContain('http_requests_total{service="gateway",method="GET",route="/api/orders/*",status="200"} 2');
    expect(text).toContain('http_requests_total{service="gateway",method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('http_requests_total{service="gateway",method="GET",route="/health/live",status="200"} 1');
    expect(text).toContain('http_requests_total{service="gateway",method="POST",route="/auth/token",status="200"} 1');
    expect(text).not.toMatch(/o-1|o-2|nowhere/);
  });

  it('counts 429s per limiter: auth, anonymous, user', async () => {
    const g = withMetrics({ AUTH_RATE_LIMIT_MAX: '2', RATE_LIMIT_MAX: '2', RATE_LIMIT_WINDOW_MS: '10s' });
    const token = await login(g.gateway, 'alice', 'alice-secret');
    await request(g.gateway.app).post('/auth/token').send({ username: 'alice', password: 'x' }).expect(401);
    await request(g.gateway.app).post('/auth/token').send({ username: 'alice', password: 'x' }).expect(429);
    await request(g.gateway.app).get('/api/orders').expect(401);
    await request(g.gateway.app).get('/api/orders').expect(401);
    await request(g.gateway.app).get('/api/orders').expect(429);
    for (let i = 0; i < 2; i++) await request(g.gateway.app).get('/api/orders').set('Authorization', `Bearer ${token}`).expect(200);
    await request(g.gateway.app).get('/api/orders').set('Authorization', `Bearer ${token}`).expect(429);
    const text = await scrape(g);
    for (const limiter of ['auth', 'anonymous', 'user']) expect(text).toContain(`rate_limit_rejections_total{service="gateway",limiter="${limiter}"} 1`);
  });

  it("records each upstream breaker's state and its transitions", async () => {
    const gone = await startEcho('payment');
    await gone.stop();
    const g = withMetrics({ PAYMENT_URL: gone.url }, { breaker: { volumeThreshold: 2, errorThresholdPercentage: 50, resetTimeoutMs: 10_000 } });
    const before = await scrape(g);
    for (const upstream of ['order', 'inventory', 'payment', 'notification']) expect(before).toContain(`circuit_breaker_state{service="gateway",breaker="${upstream}"} 0`);
    const token = await login(g.gateway, 'alice', 'alice-secret');
    for (let i = 0; i < 3; i++) await request(g.gateway.app).get('/api/payments/p-1').set('Authorization', `Bearer ${token}`).expect(503);
    expect(g.gateway.proxies.payment.breaker.state()).toBe('open');
    const after = await scrape(g);
    expect(after).toContain('circuit_breaker_state{service="gateway",breaker="payment"} 2');
    expect(after).toContain('circuit_breaker_transitions_total{service="gateway",breaker="payment",to="open"} 1');
    expect(after).toContain('http_requests_total{service="gateway",method="GET",route="/api/payments/*",status="503"} 3');
  });
});
