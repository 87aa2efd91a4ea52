// The gateway with a ServiceRegistry: upstream instances per request, round robin over the healthy ones.
import { once } from 'node:events';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import request from 'supertest';
import { ConsulRegistry, StaticRegistry, selfRegistration, type ServiceRegistry } from '@saga/discovery';
import { ConsulDouble } from '../../libs/discovery/src/testing/consul-double';
import { loadGatewayConfig } from './config';
import { createGatewayApp, type GatewayApp } from './gateway-app';

interface Fake {
  port: number;
  server: Server;
}

async function startFake(name: string): Promise<Fake> {
  const app = express();
  app.use((_req, res) => {
    res.json({ upstream: name });
  });
  const server = app.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { port: (server.address() as AddressInfo).port, server };
}

const stop = (fake: Fake) =>
  new Promise<void>((resolve) => {
    fake.server.closeAllConnections();
    fake.server.close(() => resolve());
  });

// Static URLs point nowhere: anything that reaches a fake came through the registry.
const config = loadGatewayConfig({
  INVENTORY_URL: 'http://127.0.0.1:9',
  JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
  HOST: '127.0.0.1',
  DEMO_USERS_ENABLED: 'true',
  UPSTREAM_TIMEOUT_MS: '500',
  RATE_LIMIT_MAX: '1000',
  AUTH_RATE_LIMIT_MAX: '1000',
  LOG_LEVEL: 'silent',
});

const registration = (id: string, port: number) => ({ ...selfRegistration({ name: 'inventory', port, hostname: id }), id });

async function until(condition: () => boolean | Promise<boolean>, timeoutMs = 3_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

async function served(gateway: GatewayApp, token: string, n: number): Promise<string[]> {
  const seen: string[] = [];
  for (let i = 0; i < n; i++) {
    const res = await request(gateway.app).get('/api/inventory/products').set('authorization', `Bearer ${token}`).expect(200);
    seen.push((res.body as { upstream: string }).upstream);
  }
  return seen;
}

async function withGateway(registry: ServiceRegistry, body: (gateway: GatewayApp, token: string) => Promise<void>): Promise<void> {
  const gateway = createGatewayApp(config, { registry });
  try {
    const login = await request(gateway.app).post('/auth/token').send({ username: 'alice', password: 'alice-secret' }).expect(200);
    await body(gateway, (login.body as { access_token: string }).access_token);
  } finally {
    await gateway.close();
  }
}

let a: Fake;
let b: Fake;
beforeAll(async () => {
  [a, b] = await Promise.all([startFake('inventory-a'), startFake('inventory-b')]);
});
afterAll(async () => {
  await Promise.all([stop(a), stop(b)]);
});

describe('gateway upstreams from a StaticRegistry', () => {
  it('alternates between two instances; one deregistered -> all go to the other; none -> 503 UPSTREAM_UNAVAILABLE', async () => {
    const registry = new StaticRegistry({ instances: [registration('a', a.port), registration('b', b.port)] });
    await withGateway(registry, async (gateway, token) => {
      await until(async () => (await request(gateway.app).get('/health/ready')).body.upstreams?.inventory?.startsWith('up (2'));
      const first = await served(gateway, token, 4);
      expect(new Set(first)).toEqual(new Set(['inventory-a', 'inventory-b']));
      expect(first[0]).not.toBe(first[1]);
      expect(first[0]).toBe(first[2]);

      await registry.deregister('a');
      expect(await served(gateway, token, 3)).toEqual(['inventory-b', 'inventory-b', 'inventory-b']);

      await registry.deregister('b');
      const res = await request(gateway.app).get('/api/inventory/products').set('authorization', `Bearer ${token}`).expect(503);
      expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');
      // No instance is not an upstream failure: the breaker stays closed.
      expect(gateway.proxies.inventory.breaker.state()).toBe('closed');
      const ready = await request(gateway.app).get('/health/ready').expect(503);
      expect(ready.body.upstreams.inventory).toBe('down (no healthy instance)');
    });
  });
});

describe('gateway upstreams from Consul (strict double)', () => {
  it('routes only once the checks pass, then alternates between both instances', async () => {
    const double = await ConsulDouble.start();
    try {
      const registry = new ConsulRegistry({ url: double.url, watch: { waitS: 30, initialBackoffMs: 50, maxBackoffMs: 200 } });
      await registry.register(registration('a', a.port));
      await registry.register(registration('b', b.port));
      await withGateway(registry, async (gateway, token) => {
        // New checks start critical: nothing to route to yet.
        await until(() => double.requests.some((r) => r.path.startsWith('/v1/health/service/inventory')));
        const res = await request(gateway.app).get('/api/inventory/products').set('authorization', `Bearer ${token}`).expect(503);
        expect(res.body.error.code).toBe('UPSTREAM_UNAVAILABLE');

        double.setCheckStatus('a', 'passing');
        double.setCheckStatus('b', 'passing');
        await until(async () => (await request(gateway.app).get('/health/ready')).body.upstreams?.inventory?.startsWith('up (2'));
        const seen = await served(gateway, token, 4);
        expect(new Set(seen)).toEqual(new Set(['inventory-a', 'inventory-b']));
        expect(seen[0]).not.toBe(seen[1]);
        expect(seen[0]).toBe(seen[2]);
      });
    } finally {
      await double.close();
    }
  });
});
