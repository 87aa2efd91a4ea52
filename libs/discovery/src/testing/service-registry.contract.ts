// Contract suite every ServiceRegistry adapter must pass: ConsulRegistry against the Consul double, and StaticRegistry.
import { randomUUID } from 'node:crypto';
import type { CheckStatus, Instance, Registration, ServiceRegistry, Watch } from '../ports/service-registry.port';
import { RoundRobin } from '../round-robin';
import { eventually } from './eventually';

export interface ServiceRegistryHarness {
  registry: ServiceRegistry;
  /** Whether a fresh registration is healthy before any check has run (static: yes; Consul: no, checks start critical). */
  healthyOnRegister: boolean;
  /** Plays the health checker's role. */
  setHealth(id: string, status: CheckStatus): Promise<void>;
  makeUnreachable(): Promise<void>;
  makeReachable(): Promise<void>;
  /** Requests the registry server has received so far, when there is a server. */
  requestCount?(): number;
  close(): Promise<void>;
}

const ids = (instances: Instance[] | undefined) => (instances ?? []).map((instance) => instance.id);
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function describeServiceRegistryContract(name: string, createHarness: () => Promise<ServiceRegistryHarness>): void {
  describe(`ServiceRegistry contract: ${name}`, () => {
    jest.setTimeout(20_000);
    let harness: ServiceRegistryHarness;
    let watches: Watch[] = [];
    let service: string;
    const registration = (id: string, port = 7000): Registration => ({
      name: service,
      id: `${service}-${id}`,
      address: '127.0.0.1',
      port,
      tags: ['v1'],
      meta: { version: '1.2.3' },
      check: { httpPath: '/health/ready', intervalS: 10, timeoutS: 2, deregisterCriticalAfterS: 60 },
    });
    const registerHealthy = async (id: string, port?: number) => {
      const r = registration(id, port);
      await harness.registry.register(r);
      await harness.setHealth(r.id, 'passing');
      return r.id;
    };
    const watch = (seen: Instance[][]) => {
      const handle = harness.registry.watch(service, (instances) => seen.push(instances));
      watches.push(handle);
      return handle;
    };

    beforeAll(async () => {
      harness = await createHarness();
    });
    afterAll(async () => harness.close());
    beforeEach(() => {
      service = `svc-${randomUUID().slice(0, 8)}`;
    });
    afterEach(async () => {
      for (const handle of watches) handle.stop();
      watches = [];
      await harness.makeReachable();
    });

    it('lists a registered instance once its check passes, with address, port, tags and meta', async () => {
      const r = registration('a', 7001);
      await harness.registry.register(r);
      expect(ids(await harness.registry.healthyInstances(service))).toEqual(harness.healthyOnRegister ? [r.id] : []);
      await harness.setHealth(r.id, 'passing');
      expect(await harness.registry.healthyInstances(service)).toEqual([{ id: r.id, address: '127.0.0.1', port: 7001, tags: ['v1'], meta: { version: '1.2.3' } }]);
    });

    it('drops an instance whose check turns critical, and brings it back when it passes again', async () => {
      const a = await registerHealthy('a');
      const b = await registerHealthy('b');
      await harness.setHealth(a, 'critical');
      expect(ids(await harness.registry.healthyInstances(service))).toEqual([b]);
      await harness.setHealth(a, 'passing');
      expect(ids(await harness.registry.healthyInstances(service))).toEqual([a, b]);
    });

    it('forgets a deregistered instance, and rejects deregistering an unknown id', async () => {
      const a = await registerHealthy('a');
      await harness.registry.deregister(a);
      expect(await harness.registry.healthyInstances(service)).toEqual([]);
      await expect(harness.registry.deregister(`${service}-nope`)).rejects.toThrow(/Unknown service ID/);
    });

    it('only lists instances of the requested service', async () => {
      const a = await registerHealthy('a');
      const other = service;
      service = `${other}-other`;
      await registerHealthy('x');
      expect(ids(await harness.registry.healthyInstances(other))).toEqual([a]);
    });

    it('watch delivers the first list, then changes promptly, without polling while idle', async () => {
      const a = await registerHealthy('a');
      const seen: Instance[][] = [];
      watch(seen);
      await eventually(() => expect(ids(seen.at(-1))).toEqual([a]));
      await sleep(100);
      const before = harness.requestCount?.() ?? 0;
      await sleep(1_000);
      // A blocking query holds one request open while nothing changes: a poller would have sent dozens.
      expect((harness.requestCount?.() ?? 0) - before).toBeLessThanOrEqual(1);
      const b = await registerHealthy('b');
      await eventually(() => expect(ids(seen.at(-1))).toEqual([a, b]), 1_000);
      await harness.setHealth(a, 'critical');
      await eventually(() => expect(ids(seen.at(-1))).toEqual([b]), 1_000);
      await harness.registry.deregister(b);
      await eventually(() => expect(seen.at(-1)).toEqual([]), 1_000);
    });

    it('watch keeps the last known list while the registry is unreachable, and recovers after', async () => {
      const a = await registerHealthy('a');
      const b = registration('b');
      await harness.registry.register(b);
      await harness.setHealth(b.id, 'critical');
      const seen: Instance[][] = [];
      watch(seen);
      await eventually(() => expect(ids(seen.at(-1))).toEqual([a]));
      await harness.makeUnreachable();
      await sleep(500);
      expect(ids(seen.at(-1))).toEqual([a]);
      expect(seen.every((list) => list.length > 0)).toBe(true);
      await harness.setHealth(b.id, 'passing');
      await harness.makeReachable();
      await eventually(() => expect(ids(seen.at(-1))).toEqual([a, b.id]), 5_000);
    });

    it('stop() ends a watch', async () => {
      const seen: Instance[][] = [];
      watch(seen).stop();
      await registerHealthy('a');
      await sleep(200);
      expect(seen.filter((list) => list.length > 0)).toEqual([]);
    });

    it('round robin over the healthy list spreads picks evenly', async () => {
      await registerHealthy('a', 7001);
      await registerHealthy('b', 7002);
      await registerHealthy('c', 7003);
      const picker = new RoundRobin(await harness.registry.healthyInstances(service));
      const counts = new Map<number, number>();
      for (let i = 0; i < 300; i += 1) {
        const port = picker.next()?.port ?? 0;
        counts.set(port, (counts.get(port) ?? 0) + 1);
      }
      expect(Object.fromEntries(counts)).toEqual({ 7001: 100, 7002: 100, 7003: 100 });
    });
  });
}
