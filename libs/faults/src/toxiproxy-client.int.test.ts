// The Toxiproxy client against the REAL toxiproxy-server (one of this test's own, on a free port): the proxy handle the
// chaos suite uses, start:local's ensureProxy (kept and healed across runs), and its errors. No broker involved.
import { once } from 'node:events';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { msOf, roundTrip, startOwnToxiproxy, type OwnToxiproxy } from './testing';
import { Toxiproxy } from './toxiproxy-client';
import { ToxiproxyError } from './toxiproxy-state';

jest.setTimeout(30_000);

let server: OwnToxiproxy;
let client: Toxiproxy;
let echo: Server;
let upstream: string;


beforeAll(async () => {
  server = await startOwnToxiproxy();
  client = new Toxiproxy(server.url);
  echo = createServer((socket) => socket.pipe(socket));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  upstream = `127.0.0.1:${(echo.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await server?.stop();
  echo?.close();
});

describe('the Toxiproxy client', () => {
  it("a proxy handle (the chaos suite's) slows down, cuts and restores on the same port", async () => {
    const link = await client.createProxy('handle-rabbitmq', upstream);
    expect(msOf(await roundTrip(link.listen))).toBeLessThan(200);
    const removeLatency = await link.slowDown(300);
    expect(msOf(await roundTrip(link.listen))).toBeGreaterThanOrEqual(290);
    await removeLatency();
    await link.cut();
    expect(await roundTrip(link.listen)).toEqual({ error: 'ECONNREFUSED' });
    await link.restore();
    expect(msOf(await roundTrip(link.listen))).toBeLessThan(200);
    await link.remove();
    expect(await client.proxy('handle-rabbitmq')).toBeUndefined();
  });

  it('ensureProxy keeps an existing proxy on its port and heals it; one to another upstream is replaced', async () => {
    const first = await client.ensureProxy('order-rabbitmq', upstream);
    expect(first).toMatchObject({ name: 'order-rabbitmq', upstream, enabled: true, toxics: [] });
    await client.setLatency('order-rabbitmq', 500, 10);
    await client.cut('order-rabbitmq');

    // The next start:local: same port (services still running keep their URL), toxics gone, listening again.
    const again = await client.ensureProxy('order-rabbitmq', upstream);
    expect(again).toEqual({ ...first, enabled: true, toxics: [] });
    expect(msOf(await roundTrip(again.listen))).toBeLessThan(200);

    const moved = await client.ensureProxy('order-rabbitmq', '127.0.0.1:1');
    expect(moved.upstream).toBe('127.0.0.1:1');
    expect((await client.proxies()).filter((proxy) => proxy.name === 'order-rabbitmq')).toEqual([moved]);
  });

  it('setLatency changes the latency in place; heal removes every toxic and listens again', async () => {
    await client.ensureProxy('payment-rabbitmq', upstream);
    await client.setLatency('payment-rabbitmq', 400, 100);
    await client.setLatency('payment-rabbitmq', 50);
    expect((await client.proxy('payment-rabbitmq'))?.toxics).toEqual([{ name: 'latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 50, jitter: 0 } }]);
    await client.cut('payment-rabbitmq');
    expect(await client.heal('payment-rabbitmq')).toMatchObject({ enabled: true, toxics: [] });
  });

  it('says what Toxiproxy answered, or that it did not answer', async () => {
    await expect(client.cut('no-such-proxy')).rejects.toMatchObject({ name: 'ToxiproxyError', status: 404 });
    await expect(client.heal('no-such-proxy')).rejects.toMatchObject({ status: 404 });
    await client.removeToxic('payment-rabbitmq', 'not-there');
    // Port 1: nothing listens there.
    const gone = new Toxiproxy('http://127.0.0.1:1', 1_000);
    const refused = await gone.proxies().catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(ToxiproxyError);
    expect(refused).toMatchObject({ status: undefined, message: expect.stringContaining('Toxiproxy at http://127.0.0.1:1 did not answer GET /proxies') });
  });
});
