// Two gateway replicas sharing the real Redis enforce ONE rate limit. Each run uses its own key prefix, so runs
// never share counters, and deletes the keys it created.
import { spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { createServer } from 'node:net';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import { createClient } from 'redis';
import request from 'supertest';
import { testJwtSecret } from '@saga/auth/testing';
import { loadGatewayConfig } from './config';
import { createGatewayApp, type GatewayApp } from './gateway-app';

/** The local demo mode (loopback, demo users) with this test process's own HS256 secret: no key files written. */
const localDemo = { HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true', JWT_SECRET: testJwtSecret };

const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const LIMIT = 5;
const prefix = `test:${randomUUID()}:`;

let upstream: Server;
let replicas: GatewayApp[];
const redis = createClient({ url: REDIS_URL });

async function login(g: GatewayApp, username: string, password: string): Promise<string> {
  const res = await request(g.app).post('/auth/token').send({ username, password }).expect(200);
  return (res.body as { access_token: string }).access_token;
}

beforeAll(async () => {
  await redis.connect();
  const app = express();
  app.use((req, res) => {
    res.json({ path: req.originalUrl });
  });
  upstream = app.listen(0, '127.0.0.1');
  await once(upstream, 'listening');
  const url = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}`;
  const config = loadGatewayConfig({
    ORDER_URL: url,
    INVENTORY_URL: url,
    PAYMENT_URL: url,
    NOTIFICATION_URL: url,
    REDIS_URL,
    RATE_LIMIT_MAX: String(LIMIT),
    RATE_LIMIT_WINDOW_MS: '30s',
    AUTH_RATE_LIMIT_MAX: String(LIMIT),
    LOG_LEVEL: 'silent',
    ...localDemo,
  });
  // Same config, two apps: two replicas, each with its own Redis client.
  replicas = [createGatewayApp(config, { rateLimitKeyPrefix: prefix }), createGatewayApp(config, { rateLimitKeyPrefix: prefix })];
  await Promise.all(replicas.map((g) => g.rateLimit.ready()));
});

afterAll(async () => {
  await Promise.all(replicas.map((g) => g.close()));
  const keys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}*`, COUNT: 100 })) keys.push(...batch);
  if (keys.length > 0) await redis.del(keys);
  redis.destroy();
  await new Promise<void>((resolve) => upstream.close(() => resolve()));
});

it('both replicas report Redis up in readiness', async () => {
  for (const g of replicas) {
    expect(g.rateLimit.kind).toBe('redis');
    const res = await request(g.app).get('/health/ready').expect(200);
    expect(res.body).toMatchObject({ checks: { redis: 'up' }, degraded: false });
  }
});

it('the per-user limit holds across two replicas: the (limit+1)th request gets 429 whichever replica it hits', async () => {
  const [a, b] = replicas as [GatewayApp, GatewayApp];
  // Logins alternate too: LIMIT - 1 of them on the shared per-IP /auth/token counter.
  const alice = await login(a, 'alice', 'alice-secret');
  const bob = await login(b, 'bob', 'bob-secret');
  for (let i = 0; i < LIMIT; i++) {
    const replica = replicas[i % 2] as GatewayApp;
    const res = await request(replica.app).get('/api/orders').set('Authorization', `Bearer ${alice}`).expect(200);
    expect(res.headers['ratelimit-policy']).toMatch(new RegExp(`q=${LIMIT}; w=30`));
    // The remaining count goes down across replicas: one counter.
    expect(res.headers.ratelimit).toMatch(new RegExp(`r=${LIMIT - i - 1}; t=\\d+`));
  }
  const limited = await request((replicas[LIMIT % 2] as GatewayApp).app).get('/api/orders').set('Authorization', `Bearer ${alice}`).expect(429);
  expect(limited.body.error.code).toBe('RATE_LIMITED');
  expect(limited.headers['ratelimit-policy']).toMatch(new RegExp(`q=${LIMIT}; w=30`));
  expect(limited.headers.ratelimit).toMatch(/r=0; t=\d+/);
  expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
  // And on the other replica too.
  await request((replicas[(LIMIT + 1) % 2] as GatewayApp).app).get('/api/orders').set('Authorization', `Bearer ${alice}`).expect(429);

  // Another user's counter is unaffected, on either replica.
  const first = await request(a.app).get('/api/orders').set('Authorization', `Bearer ${bob}`).expect(200);
  expect(first.headers.ratelimit).toMatch(new RegExp(`r=${LIMIT - 1};`));
  await request(b.app).get('/api/orders').set('Authorization', `Bearer ${bob}`).expect(200);

  // The counters are in Redis under each limiter's own prefix.
  expect(await redis.get(`${prefix}rl:api:user:alice`)).toBe(String(LIMIT + 2));
  expect(await redis.get(`${prefix}rl:api:user:bob`)).toBe('2');
  const authKeys: string[] = [];
  for await (const batch of redis.scanIterator({ MATCH: `${prefix}rl:auth:*`, COUNT: 100 })) authKeys.push(...batch);
  // One login counter per address and username: a guesser behind a shared NAT locks out only the name it guesses.
  expect(authKeys.map((key) => key.slice(`${prefix}rl:auth:`.length)).sort()).toEqual(['127.0.0.1|alice', '127.0.0.1|bob']);
});

it('the /auth/token limit (address + username) is shared too, and leaves the other names behind that address alone', async () => {
  // 1 login as alice already counted by the previous test (same address); the limit is LIMIT.
  for (let i = 1; i < LIMIT; i++) await request((replicas[i % 2] as GatewayApp).app).post('/auth/token').send({ username: 'alice', password: 'wrong' }).expect(401);
  const res = await request((replicas[LIMIT % 2] as GatewayApp).app).post('/auth/token').send({ username: 'alice', password: 'alice-secret' }).expect(429);
  expect(res.headers['retry-after']).toBeDefined();
  expect(res.headers['ratelimit-policy']).toBeDefined();
  await request((replicas[(LIMIT + 1) % 2] as GatewayApp).app).post('/auth/token').send({ username: 'bob', password: 'bob-secret' }).expect(200);
});

// A Redis of its own (same redis-server binary as infra/local) that this test starts late and stops early.
it('fails open while Redis is unreachable, then counts again once it is up, and fails open again when it goes away', async () => {
  const probe = createServer().listen(0, '127.0.0.1');
  await once(probe, 'listening');
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  const config = loadGatewayConfig({ REDIS_URL: `redis://127.0.0.1:${port}`, AUTH_RATE_LIMIT_MAX: '2', LOG_LEVEL: 'silent', ...localDemo });
  const g = createGatewayApp(config);
  const attempt = (status: number) => request(g.app).post('/auth/token').send({ username: 'alice', password: 'wrong' }).expect(status);
  let server: ReturnType<typeof spawn> | undefined;
  try {
    for (let i = 0; i < 4; i++) await attempt(401); // over the limit of 2, but nothing is counted: fail open
    expect(g.rateLimit.status()).toEqual({ state: 'down', storeErrors: 4 });
    expect((await request(g.app).get('/health/ready')).body).toMatchObject({ degraded: true });

    server = spawn('redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    await g.rateLimit.ready(); // the client kept reconnecting with backoff
    const until = Date.now() + 10_000;
    while (g.rateLimit.status()?.state !== 'up' && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
    await attempt(401);
    await attempt(401);
    await attempt(429); // the Lua scripts were loaded lazily after the failed start: limiting works again

    const exited = once(server, 'exit');
    server.kill();
    await exited;
    const started = Date.now();
    await attempt(401); // Redis gone: allowed again, without waiting for it
    expect(Date.now() - started).toBeLessThan(1000);
    expect(g.rateLimit.status()).toMatchObject({ state: 'down', storeErrors: 5 });
  } finally {
    if (server && server.exitCode === null) server.kill();
    await g.close();
  }
}, 20_000);
