// Runs the ServiceRegistry contract against ConsulRegistry talking HTTP to the strict Consul double.
import { ConsulDouble } from '../testing/consul-double';
import { describeServiceRegistryContract } from '../testing/service-registry.contract';
import { eventually } from '../testing/eventually';
import { ConsulRegistry } from './consul-registry';
import type { Instance } from '../ports/service-registry.port';

const fastWatch = { waitS: 30, initialBackoffMs: 50, maxBackoffMs: 200 };

describeServiceRegistryContract('ConsulRegistry + Consul double', async () => {
  const double = await ConsulDouble.start();
  return {
    registry: new ConsulRegistry({ url: double.url, watch: fastWatch }),
    healthyOnRegister: false,
    setHealth: async (id, status) => double.setCheckStatus(id, status),
    makeUnreachable: () => double.goOffline(),
    makeReachable: () => double.goOnline(),
    requestCount: () => double.requests.length,
    close: () => double.close(),
  };
});

describe('ConsulRegistry on the wire', () => {
  let double: ConsulDouble;
  let registry: ConsulRegistry;
  beforeAll(async () => {
    double = await ConsulDouble.start();
    registry = new ConsulRegistry({ url: double.url, watch: { waitS: 1, initialBackoffMs: 50, maxBackoffMs: 200 } });
  });
  afterAll(() => double.close());

  it('sends the service definition with Consul field names and Go duration strings', async () => {
    await registry.register({ name: 'order', id: 'order-1', address: '10.0.0.5', port: 3001, meta: { version: '0.1.0' }, check: { httpPath: '/health/ready', intervalS: 10, timeoutS: 2, deregisterCriticalAfterS: 90 } });
    expect(double.registered('order-1')).toEqual({
      Name: 'order',
      ID: 'order-1',
      Address: '10.0.0.5',
      Port: 3001,
      Tags: [],
      Meta: { version: '0.1.0' },
      Check: { HTTP: 'http://10.0.0.5:3001/health/ready', Interval: '10s', Timeout: '2s', DeregisterCriticalServiceAfter: '90s', Status: undefined },
    });
  });

  it('uses the node address when the service registered without one', async () => {
    await registry.register({ name: 'noaddr', id: 'noaddr-1', address: '', port: 4000, check: { httpPath: 'health', intervalS: 5, timeoutS: 1, deregisterCriticalAfterS: 60 } });
    double.setCheckStatus('noaddr-1', 'passing');
    expect((await registry.healthyInstances('noaddr'))[0]?.address).toBe('127.0.0.1');
  });

  it('sends blocking queries with index and wait, and resets when the index goes backwards', async () => {
    await registry.register({ name: 'blk', id: 'blk-1', address: '127.0.0.1', port: 4001, check: { httpPath: '/h', intervalS: 5, timeoutS: 1, deregisterCriticalAfterS: 60 } });
    double.setCheckStatus('blk-1', 'passing');
    const seen: Instance[][] = [];
    const handle = registry.watch('blk', (instances) => seen.push(instances));
    try {
      await eventually(() => expect(seen).toHaveLength(1));
      await eventually(() => expect(double.requests.some((r) => /\/v1\/health\/service\/blk\?passing=true&index=[1-9]\d*&wait=1s$/.test(r.path))).toBe(true));
      // The first query of a watch asks from index 0, which Consul answers at once.
      const fromZero = () => double.requests.filter((r) => r.path === '/v1/health/service/blk?passing=true&index=0&wait=1s').length;
      expect(fromZero()).toBe(1);
      double.resetIndex(1);
      // After the wait elapses the client sees index 1 < its own, resets to 0 and asks from 0 again, then blocks on the new index.
      await eventually(() => expect(fromZero()).toBe(2), 4_000);
      await eventually(() => expect(double.requests.at(-1)?.path).toMatch(/index=[1-9]\d*&wait=1s$/));
      await registry.deregister('blk-1');
      await eventually(() => expect(seen.at(-1)).toEqual([]), 2_000);
    } finally {
      handle.stop();
    }
  });

  it('reports a failed health query instead of an empty list', async () => {
    await double.goOffline();
    try {
      await expect(registry.healthyInstances('order')).rejects.toThrow();
    } finally {
      await double.goOnline();
    }
  });
});
