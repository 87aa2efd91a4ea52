// /api/admin/dead-letters against fake services: one list across services, re-drives routed by the id, JSON errors.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { loadGatewayConfig } from './config';
import { deadLetterGatewayListSchema } from './dead-letters.routes';
import { createGatewayApp, type GatewayApp } from './gateway-app';

interface FakeService {
  url: string;
  hits: string[];
  stop(): Promise<void>;
}

const letter = (service: string, broker: string, letterId: string, at: string, state = 'dead-lettered') => ({
  id: `${service}:${broker}:${letterId}`, service, broker, source: `${service}.commands`, reason: 'POISON: bad', deadLetteredAt: at, state, raw: '{}',
});

/** A service's /admin/dead-letters: a fixed listing (or a failure), and re-drives answered 202. */
async function startService(name: string, behaviour: { items?: object[]; status?: number; unavailable?: object } = {}): Promise<FakeService> {
  const hits: string[] = [];
  const app = express();
  app.use((req, res) => {
    hits.push(`${req.method} ${req.originalUrl} ${req.get('authorization') ? 'with-token' : 'no-token'}`);
    if (behaviour.status) return void res.status(behaviour.status).json({ error: { code: 'DOWN', message: 'down' } });
    if (req.method === 'POST') return void res.status(202).json({ id: req.path.split('/')[3], outcome: 'redriven', via: name });
    res.json({ items: behaviour.items ?? [], counts: {}, ...(behaviour.unavailable ? { unavailable: behaviour.unavailable } : {}) });
  });
  const server: Server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    stop: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

let services: Record<'order' | 'inventory' | 'payment' | 'notification', FakeService>;
let gateway: GatewayApp;
let admin: string;
let alice: string;

beforeAll(async () => {
  services = {
    order: await startService('order', { items: [letter('order', 'rabbitmq', 'a1', '2030-01-01T00:00:03.000Z')] }),
    inventory: await startService('inventory', { items: [letter('inventory', 'kafka', 'inventory-service.dlt:0:7', '2030-01-01T00:00:01.000Z', 'redriven')], unavailable: { rabbitmq: 'connection refused' } }),
    payment: await startService('payment', { items: [letter('payment', 'rabbitmq', 'b2', '2030-01-01T00:00:02.000Z')] }),
    notification: await startService('notification', { status: 503 }),
  };
  gateway = createGatewayApp(loadGatewayConfig({
    ORDER_URL: services.order.url,
    INVENTORY_URL: services.inventory.url,
    PAYMENT_URL: services.payment.url,
    NOTIFICATION_URL: services.notification.url,
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    HOST: '127.0.0.1',
    DEMO_USERS_ENABLED: 'true',
    UPSTREAM_TIMEOUT_MS: '1000',
    LOG_LEVEL: 'silent',
  }));
  const token = async (username: string) => (await request(gateway.app).post('/auth/token').send({ username, password: `${username}-secret` }).expect(200)).body.access_token as string;
  admin = `Bearer ${await token('admin')}`;
  alice = `Bearer ${await token('alice')}`;
});

afterAll(async () => {
  await gateway.close();
  await Promise.all(Object.values(services).map((service) => service.stop()));
});

describe('GET /api/admin/dead-letters', () => {
  const listSchema = deadLetterGatewayListSchema(['order', 'inventory', 'payment', 'notification']);

  it('lists every service\'s letters, oldest first, and says which services answered in part or not at all', async () => {
    const res = await request(gateway.app).get('/api/admin/dead-letters').set('authorization', admin).expect(200);
    expect(res.body.items.map((item: { id: string }) => item.id)).toEqual(['inventory:kafka:inventory-service.dlt:0:7', 'payment:rabbitmq:b2', 'order:rabbitmq:a1']);
    expect(res.body.counts).toEqual({ 'dead-lettered': 2, redriven: 1 });
    expect(res.body.services).toEqual({ order: 'ok', inventory: 'partial (rabbitmq: connection refused)', payment: 'ok', notification: 'unavailable (answered 503)' });
    expect(listSchema.parse(res.body)).toEqual(res.body);
    // Each service was asked with the caller's own token, which it checks itself.
    expect(services.payment.hits.at(-1)).toBe('GET /admin/dead-letters?state=all with-token');
  });

  it('asks one service with ?service=, and passes the state filter on', async () => {
    const res = await request(gateway.app).get('/api/admin/dead-letters?service=payment&state=dead-lettered').set('authorization', admin).expect(200);
    expect(res.body.services).toEqual({ payment: 'ok' });
    expect(listSchema.parse(res.body)).toEqual(res.body);
    expect(services.payment.hits.at(-1)).toBe('GET /admin/dead-letters?state=dead-lettered with-token');
  });

  it('answers 400 for an unknown service or state, 403 to a customer, 503 when no service answers', async () => {
    expect((await request(gateway.app).get('/api/admin/dead-letters?service=billing').set('authorization', admin).expect(400)).body.error.code).toBe('VALIDATION_FAILED');
    await request(gateway.app).get('/api/admin/dead-letters?state=gone').set('authorization', admin).expect(400);
    expect((await request(gateway.app).get('/api/admin/dead-letters').set('authorization', alice).expect(403)).body.error.code).toBe('FORBIDDEN');
    const none = await request(gateway.app).get('/api/admin/dead-letters?service=notification').set('authorization', admin).expect(503);
    expect(none.body.error).toEqual({ code: 'UPSTREAM_UNAVAILABLE', message: expect.stringContaining('notification') });
  });
});

describe('POST /api/admin/dead-letters/{id}/redrive', () => {
  it.each([
    ['payment:rabbitmq:b2', 'payment'],
    ['inventory:kafka:inventory-service.dlt:0:7', 'inventory'],
    [encodeURIComponent('order:rabbitmq:a1'), 'order'],
  ])('routes %s to the %s service', async (id, owner) => {
    const res = await request(gateway.app).post(`/api/admin/dead-letters/${id}/redrive`).set('authorization', admin).expect(202);
    expect(res.body).toMatchObject({ outcome: 'redriven', via: owner });
    expect(services[owner as keyof typeof services].hits.at(-1)).toBe(`POST /admin/dead-letters/${id}/redrive with-token`);
  });

  it('answers 400 for what is not a dead-letter id, and 403 to a customer, without asking any service', async () => {
    const before = Object.values(services).map((service) => service.hits.length);
    for (const id of ['nonsense', 'billing:rabbitmq:x', 'payment:smtp:x']) {
      const res = await request(gateway.app).post(`/api/admin/dead-letters/${id}/redrive`).set('authorization', admin).expect(400);
      expect(res.body.error.code).toBe('INVALID_DEAD_LETTER_ID');
    }
    await request(gateway.app).post('/api/admin/dead-letters/payment:rabbitmq:b2/redrive').set('authorization', alice).expect(403);
    expect(Object.values(services).map((service) => service.hits.length)).toEqual(before);
  });
});
