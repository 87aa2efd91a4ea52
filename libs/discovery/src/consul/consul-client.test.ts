// The package's client as built from CONSUL_URL: where it sends, what it sends along, and how its failures surface.
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsulRegistry, ConsulRegistryError } from './consul-registry';

describe('ConsulRegistry built from CONSUL_URL', () => {
  let server: Server;
  const seen: Array<{ method: string; url: string; headers: IncomingHttpHeaders }> = [];
  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers });
      res.writeHead(200, { 'Content-Type': 'application/json', 'X-Consul-Index': '3' });
      res.end('[]');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  beforeEach(() => void seen.splice(0));
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  it('keeps a path prefix and a trailing slash out of the way, and sends the ACL token on every call', async () => {
    const registry = new ConsulRegistry({ url: `${base()}/consul/`, token: 'secret-token' });
    await registry.healthyInstances('order');
    await registry.deregister('order-1');
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /consul/v1/health/service/order?passing=true', 'PUT /consul/v1/agent/service/deregister/order-1']);
    expect(seen.map((r) => r.headers['x-consul-token'])).toEqual(['secret-token', 'secret-token']);
  });

  it('sends no token header when none is configured', async () => {
    await new ConsulRegistry({ url: base() }).healthyInstances('order');
    expect(seen[0]?.headers['x-consul-token']).toBeUndefined();
  });

  it('refuses an IPv6 literal up front (the package cannot resolve it)', () => {
    expect(() => new ConsulRegistry({ url: 'http://[::1]:8500' })).toThrow(/IPv6 literal/);
  });

  it('rejects with a ConsulRegistryError when nothing listens (a socket error is a failure, not a value)', async () => {
    const registry = new ConsulRegistry({ url: 'http://127.0.0.1:1' });
    await expect(registry.register({ name: 'x', id: 'x-1', address: '127.0.0.1', port: 1, check: { httpPath: '/h', intervalS: 5, timeoutS: 1, deregisterCriticalAfterS: 60 } })).rejects.toThrow(ConsulRegistryError);
    await expect(registry.deregister('x-1')).rejects.toThrow(/ECONNREFUSED/);
    await expect(registry.healthyInstances('x')).rejects.toThrow(/Consul health.service x failed/);
  });

  it('times out an ordinary call after requestTimeoutMs', async () => {
    const silent = createServer(() => undefined);
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    try {
      const registry = new ConsulRegistry({ url: `http://127.0.0.1:${(silent.address() as AddressInfo).port}`, requestTimeoutMs: 100 });
      const started = Date.now();
      await expect(registry.healthyInstances('x')).rejects.toThrow(/timed out/);
      expect(Date.now() - started).toBeLessThan(1_000);
    } finally {
      silent.closeAllConnections();
      await new Promise<void>((resolve) => silent.close(() => resolve()));
    }
  });
});

describe('ConsulRegistryError', () => {
  it('carries Consul status and full message, even past the 80 characters the package keeps', async () => {
    const text = 'Unknown service ID "a-very-long-service-id". Ensure that the service ID is passed, not the service name.';
    const server = createServer((_req, res) => (res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }), res.end(text)));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const error = await new ConsulRegistry({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` }).deregister('a-very-long-service-id').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ConsulRegistryError);
      expect((error as ConsulRegistryError).status).toBe(404);
      expect((error as ConsulRegistryError).message).toBe(`Consul agent.service.deregister a-very-long-service-id failed: 404 ${text}`);
    } finally {
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });
});
