// /api/admin/links against a fake Toxiproxy (its HTTP API as the real one answers it, checked in
// broker-links.int.test.ts): off without TOXIPROXY_URL, admin only, the platform's proxies only, every bad input a 400
// or 404, and Toxiproxy's outage a 503 with its code.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import type { ProxyState } from '@saga/faults';
import { brokerLinkListSchema, brokerLinkViewSchema } from './broker-link-view';
import { loadGatewayConfig } from './config';
import { createGatewayApp, type GatewayApp } from './gateway-app';

interface FakeToxiproxy {
  url: string;
  proxies: Map<string, ProxyState>;
  /** Every call: `METHOD path`. */
  hits: string[];
  /** Answer every call with this status (a broken Toxiproxy), or normally when undefined. */
  failWith?: number;
  stop(): Promise<void>;
}

/** Toxiproxy's API, the calls the gateway makes: proxies by name, enable/disable, toxics added, changed, removed. */
async function startFakeToxiproxy(): Promise<FakeToxiproxy> {
  const fake = { proxies: new Map<string, ProxyState>(), hits: [] as string[] } as FakeToxiproxy;
  const app = express();
  app.use(express.json());
  app.use((req, res, next) => {
    fake.hits.push(`${req.method} ${req.path}`);
    if (fake.failWith) return void res.status(fake.failWith).json({ error: 'broken', status: fake.failWith });
    next();
  });
  const notFound = (res: express.Response, what: string) => res.status(404).json({ error: `${what} not found`, status: 404 });
  app.get('/proxies', (_req, res) => void res.json(Object.fromEntries(fake.proxies)));
  app.param('proxy', (req, res, next, name: string) => (fake.proxies.has(name) ? next() : notFound(res, 'proxy')));
  app.get('/proxies/:proxy', (req, res) => void res.json(fake.proxies.get(req.params.proxy)));
  app.post('/proxies/:proxy', (req, res) => {
    const proxy = fake.proxies.get(req.params.proxy) as ProxyState;
    proxy.enabled = req.body.enabled ?? proxy.enabled;
    proxy.listen = req.body.listen ?? proxy.listen;
    res.json(proxy);
  });
  app.post('/proxies/:proxy/toxics', (req, res) => {
    const proxy = fake.proxies.get(req.params.proxy) as ProxyState;
    if (proxy.toxics.some((toxic) => toxic.name === req.body.name)) return void res.status(409).json({ error: 'toxic already exists', status: 409 });
    proxy.toxics.push(req.body);
    res.json(req.body);
  });
  app.post('/proxies/:proxy/toxics/:toxic', (req, res) => {
    const toxic = fake.proxies.get(req.params.proxy)?.toxics.find((t) => t.name === req.params.toxic);
    if (!toxic) return void notFound(res, 'toxic');
    toxic.attributes = { ...toxic.attributes, ...req.body.attributes };
    res.json(toxic);
  });
  app.delete('/proxies/:proxy/toxics/:toxic', (req, res) => {
    const proxy = fake.proxies.get(req.params.proxy) as ProxyState;
    if (!proxy.toxics.some((toxic) => toxic.name === req.params.toxic)) return void notFound(res, 'toxic');
    proxy.toxics = proxy.toxics.filter((toxic) => toxic.name !== req.params.toxic);
    res.status(204).end();
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  fake.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  fake.stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return fake;
}

const proxy = (name: string, port: number, overrides: Partial<ProxyState> = {}): ProxyState => ({ name, listen: `127.0.0.1:${port}`, upstream: '127.0.0.1:5672', enabled: true, toxics: [], ...overrides });
const baseConfig = { JWT_SECRET: 'test-secret-test-secret-test-secret-0123', HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true', UPSTREAM_TIMEOUT_MS: '1000', RATE_LIMIT_MAX: '1000', LOG_LEVEL: 'silent' };
const tokenOf = async (gateway: GatewayApp, username: string) => `Bearer ${(await request(gateway.app).post('/auth/token').send({ username, password: `${username}-secret` }).expect(200)).body.access_token as string}`;

describe('/api/admin/links without TOXIPROXY_URL', () => {
  it('lists no link and says the feature is off, answers 404 LINKS_DISABLED to every change, and 403 to a customer', async () => {
    const gateway = createGatewayApp(loadGatewayConfig(baseConfig));
    try {
      const admin = await tokenOf(gateway, 'admin');
      const alice = await tokenOf(gateway, 'alice');
      expect((await request(gateway.app).get('/api/admin/links').set('authorization', admin).expect(200)).body).toEqual({ enabled: false, items: [] });
      expect((await request(gateway.app).get('/api/admin/links').set('authorization', alice).expect(403)).body.error.code).toBe('FORBIDDEN');
      const calls = [
        () => request(gateway.app).post('/api/admin/links/order-rabbitmq/latency').send({ latencyMs: 100 }),
        () => request(gateway.app).post('/api/admin/links/order-rabbitmq/cut'),
        () => request(gateway.app).delete('/api/admin/links/order-rabbitmq/toxics'),
      ];
      for (const call of calls) {
        expect((await call().set('authorization', admin).expect(404)).body.error.code).toBe('LINKS_DISABLED');
        expect((await call().set('authorization', alice).expect(403)).body.error.code).toBe('FORBIDDEN');
      }
    } finally {
      await gateway.close();
    }
  });
});

describe('/api/admin/links with TOXIPROXY_URL', () => {
  let toxiproxy: FakeToxiproxy;
  let gateway: GatewayApp;
  let admin: string;

  beforeAll(async () => {
    toxiproxy = await startFakeToxiproxy();
    gateway = createGatewayApp(loadGatewayConfig({ ...baseConfig, TOXIPROXY_URL: `${toxiproxy.url}/`, TOXIPROXY_LINK_PREFIX: 't1-' }));
    admin = await tokenOf(gateway, 'admin');
  });

  beforeEach(() => {
    toxiproxy.failWith = undefined;
    toxiproxy.proxies.clear();
    // This deployment's links (notification's was never created), another deployment's, and a proxy that is no link.
    for (const [name, port] of [['t1-payment-rabbitmq', 40003], ['t1-order-rabbitmq', 40001], ['t1-inventory-rabbitmq', 40002], ['order-rabbitmq', 40100], ['t1-redis', 40200]] as const) toxiproxy.proxies.set(name, proxy(name, port));
    toxiproxy.hits.length = 0;
  });

  afterAll(async () => {
    await gateway.close();
    await toxiproxy.stop();
  });

  const admitted = (call: request.Test) => call.set('authorization', admin);

  it("lists this deployment's links that exist, service by service, and no other proxy", async () => {
    const res = await admitted(request(gateway.app).get('/api/admin/links')).expect(200);
    expect(brokerLinkListSchema.strict().parse(res.body)).toEqual(res.body);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.items.map((link: { name: string; proxy: string }) => [link.name, link.proxy])).toEqual([
      ['order-rabbitmq', 't1-order-rabbitmq'],
      ['inventory-rabbitmq', 't1-inventory-rabbitmq'],
      ['payment-rabbitmq', 't1-payment-rabbitmq'],
    ]);
    expect(res.body.items[0]).toEqual({ name: 'order-rabbitmq', service: 'order', broker: 'rabbitmq', proxy: 't1-order-rabbitmq', listen: '127.0.0.1:40001', upstream: '127.0.0.1:5672', enabled: true, toxics: [] });
  });

  it('slows a link down, and changes its latency in place when asked again', async () => {
    const first = await admitted(request(gateway.app).post('/api/admin/links/inventory-rabbitmq/latency').send({ latencyMs: 400, jitterMs: 100 })).expect(200);
    expect(brokerLinkViewSchema.parse(first.body)).toEqual(first.body);
    expect(first.body).toMatchObject({ name: 'inventory-rabbitmq', enabled: true, toxics: [{ name: 'latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 400, jitter: 100 } }] });
    const second = await admitted(request(gateway.app).post('/api/admin/links/inventory-rabbitmq/latency').send({ latencyMs: 50 })).expect(200);
    expect(second.body.toxics).toEqual([{ name: 'latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 50, jitter: 0 } }]);
    expect(toxiproxy.hits.filter((hit) => hit.startsWith('POST'))).toEqual(['POST /proxies/t1-inventory-rabbitmq/toxics', 'POST /proxies/t1-inventory-rabbitmq/toxics', 'POST /proxies/t1-inventory-rabbitmq/toxics/latency']);
  });

  it('cuts a link, and restores it on the same address without its toxics', async () => {
    await admitted(request(gateway.app).post('/api/admin/links/payment-rabbitmq/latency').send({ latencyMs: 300 })).expect(200);
    const cut = await admitted(request(gateway.app).post('/api/admin/links/payment-rabbitmq/cut')).expect(200);
    expect(cut.body).toMatchObject({ name: 'payment-rabbitmq', enabled: false, listen: '127.0.0.1:40003' });
    expect(cut.body.toxics).toHaveLength(1);
    const restored = await admitted(request(gateway.app).delete('/api/admin/links/payment-rabbitmq/toxics')).expect(200);
    expect(restored.body).toMatchObject({ name: 'payment-rabbitmq', enabled: true, listen: '127.0.0.1:40003', toxics: [] });
    // Restoring a link that is fine changes nothing and is no error.
    expect((await admitted(request(gateway.app).delete('/api/admin/links/payment-rabbitmq/toxics')).expect(200)).body).toEqual(restored.body);
  });

  it("touches only this deployment's proxy of a link, never another's of the same name", async () => {
    await admitted(request(gateway.app).post('/api/admin/links/order-rabbitmq/cut')).expect(200);
    expect(toxiproxy.proxies.get('t1-order-rabbitmq')?.enabled).toBe(false);
    expect(toxiproxy.proxies.get('order-rabbitmq')?.enabled).toBe(true);
  });

  it.each([
    ['not a link name', '/api/admin/links/Order_RabbitMQ/cut', 400, 'INVALID_LINK_NAME'],
    ['an encoded path', '/api/admin/links/..%2Fproxies%2Ft1-redis/cut', 400, 'INVALID_LINK_NAME'],
    ['a proxy that is no link', '/api/admin/links/t1-redis/cut', 404, 'LINK_NOT_FOUND'],
    ['a broker that has no links', '/api/admin/links/order-kafka/cut', 404, 'LINK_NOT_FOUND'],
    ['a link this deployment did not create', '/api/admin/links/notification-rabbitmq/cut', 404, 'LINK_NOT_FOUND'],
    ['a link this deployment did not create (restore)', '/api/admin/links/notification-rabbitmq/toxics', 404, 'LINK_NOT_FOUND'],
  ])('refuses %s: %s → %i %s', async (_what, path, status, code) => {
    const call = path.endsWith('/toxics') ? request(gateway.app).delete(path) : request(gateway.app).post(path);
    const res = await admitted(call).expect(status);
    expect(res.body.error).toMatchObject({ code, message: expect.any(String) });
    // Nothing but a read of the proxy this deployment would own was asked of Toxiproxy.
    expect(toxiproxy.hits.every((hit) => hit.includes('/t1-notification-rabbitmq'))).toBe(true);
    expect(toxiproxy.proxies.get('t1-redis')?.enabled).toBe(true);
  });

  it.each([
    ['no body', undefined, 'VALIDATION_FAILED'],
    ['no latency', { jitterMs: 10 }, 'VALIDATION_FAILED'],
    ['a latency of 0', { latencyMs: 0 }, 'VALIDATION_FAILED'],
    ['over a minute', { latencyMs: 60_001 }, 'VALIDATION_FAILED'],
    ['a fraction', { latencyMs: 10.5 }, 'VALIDATION_FAILED'],
    ['a string', { latencyMs: '100' }, 'VALIDATION_FAILED'],
    ['negative jitter', { latencyMs: 100, jitterMs: -5 }, 'VALIDATION_FAILED'],
    ['an unknown field', { latencyMs: 100, toxicity: 0.5 }, 'VALIDATION_FAILED'],
    ['a control character in a key', { latencyMs: 100, 'a\u0000': 1 }, 'INVALID_CHARACTERS'],
  ])('answers 400 to a latency with %s, and asks Toxiproxy nothing', async (_what, body, code) => {
    const call = request(gateway.app).post('/api/admin/links/order-rabbitmq/latency');
    const res = await admitted(body === undefined ? call : call.send(body)).expect(400);
    expect(res.body.error.code).toBe(code);
    expect(toxiproxy.hits).toEqual([]);
  });

  it('answers 400 to malformed JSON and 404 (not 400) to a bad body on an unknown link', async () => {
    const malformed = await admitted(request(gateway.app).post('/api/admin/links/order-rabbitmq/latency').set('content-type', 'application/json').send('{"latencyMs":')).expect(400);
    expect(malformed.body.error.code).toBe('MALFORMED_JSON');
    expect((await admitted(request(gateway.app).post('/api/admin/links/order-kafka/latency').send({})).expect(404)).body.error.code).toBe('LINK_NOT_FOUND');
  });

  it('answers 403 to a customer and 401 without a token, asking Toxiproxy nothing', async () => {
    const alice = await tokenOf(gateway, 'alice');
    expect((await request(gateway.app).get('/api/admin/links').set('authorization', alice).expect(403)).body.error.code).toBe('FORBIDDEN');
    await request(gateway.app).post('/api/admin/links/order-rabbitmq/cut').set('authorization', alice).expect(403);
    await request(gateway.app).post('/api/admin/links/order-rabbitmq/cut').expect(401);
    expect(toxiproxy.hits).toEqual([]);
  });

  it('answers 405 with Allow to a method the contract does not list', async () => {
    const res = await admitted(request(gateway.app).get('/api/admin/links/order-rabbitmq/cut')).expect(405);
    expect(res.headers.allow).toBe('POST, OPTIONS');
  });

  it('answers 503 TOXIPROXY_FAILED when Toxiproxy answers with an error of its own', async () => {
    toxiproxy.failWith = 500;
    expect((await admitted(request(gateway.app).get('/api/admin/links')).expect(503)).body.error.code).toBe('TOXIPROXY_FAILED');
    expect((await admitted(request(gateway.app).post('/api/admin/links/order-rabbitmq/cut')).expect(503)).body.error.code).toBe('TOXIPROXY_FAILED');
  });
});

describe('/api/admin/links when Toxiproxy does not answer', () => {
  it('answers 503 TOXIPROXY_UNAVAILABLE, naming it', async () => {
    const gone = await startFakeToxiproxy();
    await gone.stop();
    const gateway = createGatewayApp(loadGatewayConfig({ ...baseConfig, TOXIPROXY_URL: gone.url }));
    try {
      const admin = await tokenOf(gateway, 'admin');
      for (const call of [request(gateway.app).get('/api/admin/links'), request(gateway.app).post('/api/admin/links/order-rabbitmq/latency').send({ latencyMs: 10 }), request(gateway.app).delete('/api/admin/links/order-rabbitmq/toxics')]) {
        const res = await call.set('authorization', admin).expect(503);
        expect(res.body.error).toEqual({ code: 'TOXIPROXY_UNAVAILABLE', message: expect.stringContaining(`Toxiproxy at ${gone.url} did not answer`) });
      }
    } finally {
      await gateway.close();
    }
  });
});
