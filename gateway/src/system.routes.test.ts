// /api/admin/system against fake services: readiness, breakers, outbox and dead letters per service, from static URLs
// and from a registry; a service that is down, or answers badly, is shown as such in a 200, never a 5xx.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { StaticRegistry, selfRegistration } from '@saga/discovery';
import { loadGatewayConfig } from './config';
import { createGatewayApp, type GatewayApp } from './gateway-app';
import { systemViewSchema, type ServiceView } from './system-view';

type Name = 'order' | 'inventory' | 'payment' | 'notification';
const NAMES: Name[] = ['order', 'inventory', 'payment', 'notification'];
const viewSchema = systemViewSchema(NAMES);

interface Behaviour {
  ready?: boolean;
  breakers?: object[];
  outboxStatus?: number;
  letters?: { state: string }[];
  unavailableBroker?: string;
}

interface Fake {
  url: string;
  port: number;
  hits: string[];
  stop(): Promise<void>;
}

const breaker = (name: string, state: string) => ({ name, state, fires: 4, successes: 1, failures: 3, timeouts: 0, rejects: 0, fallbacks: 0, latencyMeanMs: 2.5 });
const letter = (state: string) => ({ id: 'x', service: 'order', broker: 'rabbitmq', source: 'q', reason: 'POISON', deadLetteredAt: '2030-01-01T00:00:00.000Z', state, raw: '{}' });

/** A service's /health/ready, /admin/breakers, /admin/outbox and /admin/dead-letters, as the behaviour says. */
async function startService(behaviour: Behaviour): Promise<Fake> {
  const hits: string[] = [];
  const app = express();
  app.use((req, _res, next) => {
    hits.push(`${req.method} ${req.originalUrl} ${req.get('authorization') ? 'with-token' : 'no-token'}`);
    next();
  });
  app.get('/health/ready', (_req, res) => {
    const ready = behaviour.ready ?? true;
    res.status(ready ? 200 : 503).json({ status: ready ? 'ready' : 'not-ready', checks: { database: { status: 'up' }, messaging: ready ? { status: 'up' } : { status: 'down', error: 'saga reply consumer is stopped' } } });
  });
  app.get('/admin/breakers', (_req, res) => void res.json({ items: behaviour.breakers ?? [] }));
  app.get('/admin/outbox', (_req, res) => {
    if (behaviour.outboxStatus) return void res.status(behaviour.outboxStatus).json({ error: { code: 'INTERNAL', message: 'boom' } });
    res.json({ counts: { pending: 2, parked: 1 }, items: [] });
  });
  app.get('/admin/dead-letters', (_req, res) => {
    res.json({ items: behaviour.letters ?? [], counts: {}, ...(behaviour.unavailableBroker ? { unavailable: { [behaviour.unavailableBroker]: 'connection refused' } } : {}) });
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    hits,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const fake = await startService({});
  await fake.stop();
  return fake.port;
}

const baseConfig = { JWT_SECRET: 'test-secret-test-secret-test-secret-0123', HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true', UPSTREAM_TIMEOUT_MS: '1000', RATE_LIMIT_MAX: '1000', LOG_LEVEL: 'silent' };
const tokenOf = async (gateway: GatewayApp, username: string) => `Bearer ${(await request(gateway.app).post('/auth/token').send({ username, password: `${username}-secret` }).expect(200)).body.access_token as string}`;
const serviceIn = (body: { services: ServiceView[] }, name: Name) => body.services.find((service) => service.name === name)!;

describe('GET /api/admin/system, static URLs', () => {
  let services: Record<Exclude<Name, 'notification'>, Fake>;
  let gateway: GatewayApp;
  let admin: string;

  beforeAll(async () => {
    services = {
      order: await startService({ breakers: [breaker('inventory', 'closed')], letters: [letter('dead-lettered'), letter('redriven')] }),
      inventory: await startService({ ready: false, unavailableBroker: 'rabbitmq' }),
      payment: await startService({ breakers: [breaker('payment-provider', 'open')], outboxStatus: 500 }),
    };
    gateway = createGatewayApp(loadGatewayConfig({
      ...baseConfig,
      ORDER_URL: services.order.url,
      INVENTORY_URL: services.inventory.url,
      PAYMENT_URL: services.payment.url,
      NOTIFICATION_URL: `http://127.0.0.1:${await closedPort()}`,
    }), { breaker: { volumeThreshold: 2 } });
    admin = await tokenOf(gateway, 'admin');
  });

  afterAll(async () => {
    await gateway.close();
    await Promise.all(Object.values(services).map((service) => service.stop()));
  });

  it('answers 200 with every service, as each instance and read turned out', async () => {
    const res = await request(gateway.app).get('/api/admin/system').set('authorization', admin).expect(200);
    expect(viewSchema.parse(res.body)).toEqual(res.body);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.services.map((service: ServiceView) => service.name)).toEqual(NAMES);

    const order = serviceIn(res.body, 'order');
    expect(order).toMatchObject({ state: 'up', instancesFrom: 'static', outbox: { status: 'ok', pending: 2, parked: 1 }, deadLetters: { status: 'ok', 'dead-lettered': 1, redriven: 1 } });
    expect(order.instances).toEqual([{ url: services.order.url, state: 'up', checks: { database: { status: 'up' }, messaging: { status: 'up' } }, breakers: { status: 'ok', items: [breaker('inventory', 'closed')] } }]);
    expect(order.gatewayBreaker).toMatchObject({ name: 'order', state: 'closed' });

    const inventory = serviceIn(res.body, 'inventory');
    expect(inventory).toMatchObject({ state: 'down', deadLetters: { status: 'partial', reason: 'rabbitmq: connection refused', 'dead-lettered': 0, redriven: 0 } });
    expect(inventory.instances[0]).toMatchObject({ state: 'down', reason: 'not ready (messaging: saga reply consumer is stopped)', breakers: { status: 'ok', items: [] } });

    const payment = serviceIn(res.body, 'payment');
    expect(payment).toMatchObject({ state: 'up', outbox: { status: 'unavailable', reason: 'answered 500' } });
    expect(payment.instances[0]?.breakers).toEqual({ status: 'ok', items: [breaker('payment-provider', 'open')] });

    const notification = serviceIn(res.body, 'notification');
    expect(notification).toMatchObject({ state: 'down', outbox: { status: 'unavailable' }, deadLetters: { status: 'unavailable' } });
    expect(notification.instances[0]).toMatchObject({ state: 'down', reason: expect.stringMatching(/^did not answer its readiness probe: /), breakers: { status: 'unavailable' } });
  });

  it("asks each service with the caller's own token (each checks the admin role itself)", async () => {
    await request(gateway.app).get('/api/admin/system').set('authorization', admin).expect(200);
    expect(services.order.hits).toEqual(expect.arrayContaining(['GET /admin/breakers with-token', 'GET /admin/outbox?state=parked&limit=1 with-token', 'GET /admin/dead-letters?state=all with-token']));
  });

  it("shows the gateway's own breaker opening towards a service that does not answer", async () => {
    // Two proxied calls to the closed port (volumeThreshold 2): the breaker towards notification opens.
    for (let i = 0; i < 2; i++) await request(gateway.app).get('/api/notifications?orderId=x').set('authorization', admin).expect(503);
    const res = await request(gateway.app).get('/api/admin/system').set('authorization', admin).expect(200);
    expect(serviceIn(res.body, 'notification').gatewayBreaker).toMatchObject({ name: 'notification', state: 'open', failures: 2 });
    expect(serviceIn(res.body, 'order').gatewayBreaker.state).toBe('closed');
  });

  it('answers 401 without a token and 403 to a customer, asking no service', async () => {
    const before = services.order.hits.length;
    expect((await request(gateway.app).get('/api/admin/system').expect(401)).body.error.code).toBeDefined();
    const refused = await request(gateway.app).get('/api/admin/system').set('authorization', await tokenOf(gateway, 'alice')).expect(403);
    expect(refused.body.error).toEqual({ code: 'FORBIDDEN', message: 'Role admin required' });
    expect(services.order.hits.length).toBe(before);
  });
});

describe('GET /api/admin/system, instances from a registry', () => {
  it('lists every registered instance of a service (degraded when some are down) and says when none is known', async () => {
    const healthy = await startService({});
    const failing = await startService({ ready: false });
    const registry = new StaticRegistry();
    for (const [id, fake] of [['order-a', healthy], ['order-b', failing]] as const) await registry.register({ ...selfRegistration({ name: 'order', port: fake.port, hostname: id }), id });
    // Payment, inventory and notification never registered: nothing to ask.
    const gateway = createGatewayApp(loadGatewayConfig(baseConfig), { registry });
    try {
      const res = await request(gateway.app).get('/api/admin/system').set('authorization', await tokenOf(gateway, 'admin')).expect(200);
      expect(viewSchema.parse(res.body)).toEqual(res.body);
      const order = serviceIn(res.body, 'order');
      expect(order).toMatchObject({ state: 'degraded', instancesFrom: 'registry' });
      expect(order.instances.map((instance) => [instance.url, instance.state]).sort()).toEqual([[healthy.url, 'up'], [failing.url, 'down']].sort());
      expect(serviceIn(res.body, 'payment')).toMatchObject({ state: 'down', instancesFrom: 'registry', reason: 'no healthy instance in the registry', instances: [], outbox: { status: 'unavailable', reason: 'no healthy instance' } });
    } finally {
      await gateway.close();
      await Promise.all([healthy.stop(), failing.stop()]);
    }
  });
});
