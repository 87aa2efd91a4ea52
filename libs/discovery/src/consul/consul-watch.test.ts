// The watch's own rules on top of the package's helper: stop() aborts the held request, a stopped watch stays quiet,
// and a misbehaving agent (index 0, no X-Consul-Index, a 400) neither ends the watch for good nor turns it into a busy loop.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConsulDouble } from '../testing/consul-double';
import { eventually } from '../testing/eventually';
import type { Instance } from '../ports/service-registry.port';
import { ConsulRegistry } from './consul-registry';

const fast = { waitS: 30, initialBackoffMs: 50, maxBackoffMs: 200 };
const check = { httpPath: '/h', intervalS: 5, timeoutS: 1, deregisterCriticalAfterS: 60 };
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe('ConsulRegistry.watch on the Consul double', () => {
  let double: ConsulDouble;
  let registry: ConsulRegistry;
  beforeAll(async () => {
    double = await ConsulDouble.start();
    registry = new ConsulRegistry({ url: double.url, watch: fast });
  });
  afterAll(() => double.close());

  it('stop() aborts the blocking query in flight at once, not when wait runs out', async () => {
    await registry.register({ name: 'held', id: 'held-1', address: '127.0.0.1', port: 4100, check });
    double.setCheckStatus('held-1', 'passing');
    const seen: Instance[][] = [];
    const handle = registry.watch('held', (instances) => seen.push(instances));
    await eventually(() => expect(seen).toHaveLength(1));
    await eventually(() => expect(double.heldQueries).toBe(1));
    const before = double.requests.length;
    handle.stop();
    await eventually(() => expect(double.heldQueries).toBe(0), 500);
    await sleep(200);
    expect(double.requests.length).toBe(before);
  });

  it('a watch stopped while backing off from an outage sends nothing more', async () => {
    await double.goOffline();
    const handle = registry.watch('held', () => undefined);
    await sleep(150);
    handle.stop();
    await double.goOnline();
    const before = double.requests.length;
    await sleep(500);
    expect(double.requests.length).toBe(before);
  });

  it('a throwing listener does not stop later changes from arriving', async () => {
    const warn = jest.spyOn(process, 'emitWarning').mockImplementation(() => undefined);
    await registry.register({ name: 'loud', id: 'loud-1', address: '127.0.0.1', port: 4200, check });
    const seen: Instance[][] = [];
    const handle = registry.watch('loud', (instances) => {
      seen.push(instances);
      if (seen.length === 1) throw new Error('listener bug');
    });
    try {
      await eventually(() => expect(seen).toHaveLength(1));
      double.setCheckStatus('loud-1', 'passing');
      await eventually(() => expect(seen.at(-1)?.map((i) => i.id)).toEqual(['loud-1']));
      expect(warn).toHaveBeenCalledWith(expect.objectContaining({ message: 'listener bug' }), 'DiscoveryWatchListenerError');
    } finally {
      handle.stop();
      warn.mockRestore();
    }
  });
});

describe('ConsulRegistry.watch against a misbehaving agent', () => {
  let server: Server;
  let answer: (path: string) => { status: number; index?: string };
  const paths: string[] = [];
  const entry = { Node: { Node: 'n', Address: '127.0.0.1' }, Service: { ID: 'odd-1', Service: 'odd', Address: '127.0.0.1', Port: 1, Tags: [], Meta: {} }, Checks: [] };
  beforeAll(async () => {
    server = createServer((req, res) => {
      paths.push(req.url ?? '');
      // A blocking query on the index already given is held, as Consul would, until the client gives up.
      if (/index=7&/.test(req.url ?? '')) return;
      const { status, index } = answer(req.url ?? '');
      if (index !== undefined) res.setHeader('X-Consul-Index', index);
      res.writeHead(status, { 'Content-Type': status === 200 ? 'application/json' : 'text/plain' });
      res.end(status === 200 ? JSON.stringify([entry]) : 'Invalid wait time');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  });
  beforeEach(() => void paths.splice(0));
  afterAll(() => new Promise<void>((resolve) => (server.close(() => resolve()), server.closeAllConnections())));
  const url = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  it('never blocks on index 0 and does not spin on it: it retries from scratch with backoff', async () => {
    answer = () => ({ status: 200, index: '0' });
    const seen: Instance[][] = [];
    const handle = new ConsulRegistry({ url: url(), watch: fast }).watch('odd', (instances) => seen.push(instances));
    await sleep(700);
    handle.stop();
    expect(paths.length).toBeGreaterThanOrEqual(2);
    // 50, 100, 200, 200 ms of (jittered) backoff: a busy loop would have sent hundreds.
    expect(paths.length).toBeLessThanOrEqual(10);
    expect(paths.every((path) => path.endsWith('index=0&wait=30s'))).toBe(true);
  });

  it.each([
    ['an answer without X-Consul-Index', { status: 200 }],
    ['a 400', { status: 400 }],
    ['index 0', { status: 200, index: '0' }],
  ])('recovers after %s (the package alone would end the watch or keep waiting)', async (_label, bad) => {
    let calls = 0;
    answer = () => (++calls <= 2 ? bad : { status: 200, index: '7' });
    const seen: Instance[][] = [];
    const handle = new ConsulRegistry({ url: url(), watch: fast }).watch('odd', (instances) => seen.push(instances));
    try {
      await eventually(() => expect(seen.map((list) => list.map((i) => i.id))).toEqual([['odd-1']]), 2_000);
      // Then it blocks on the index it was given.
      await eventually(() => expect(paths.at(-1)).toMatch(/index=7&wait=30s$/));
    } finally {
      handle.stop();
    }
  });
});
