// /api/admin/links against the REAL toxiproxy-server (one of this test's own, on a free port) in front of a TCP echo
// server the test opens: latency makes a round trip through the proxy slower, a cut refuses and closes connections,
// a restore brings the link back on the same address. No broker involved.
import { once } from 'node:events';
import { connect, createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import request from 'supertest';
import { Toxiproxy, type ToxiproxyProxy } from '@saga/faults';
import { msOf, roundTrip, startOwnToxiproxy, type OwnToxiproxy } from '@saga/faults/testing';
import { brokerLinkListSchema } from './broker-link-view';
import { loadGatewayConfig } from './config';
import { createGatewayApp, type GatewayApp } from './gateway-app';

jest.setTimeout(30_000);

const prefix = `it${process.pid}-`;
let toxiproxy: OwnToxiproxy;
let echo: Server;
let upstream: string;
let link: ToxiproxyProxy;
let gateway: GatewayApp;
let admin: string;


/** Resolves with how a connection that was open ended. */
const ending = (socket: Socket) => new Promise<string>((resolve) => {
  socket.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
  socket.once('close', () => resolve('closed'));
});

beforeAll(async () => {
  toxiproxy = await startOwnToxiproxy();
  echo = createServer((socket) => socket.pipe(socket));
  echo.listen(0, '127.0.0.1');
  await once(echo, 'listening');
  upstream = `127.0.0.1:${(echo.address() as AddressInfo).port}`;
  const client = new Toxiproxy(toxiproxy.url);
  link = await client.createProxy(`${prefix}order-rabbitmq`, upstream);
  // Another deployment's link of the same name: never this gateway's to touch.
  await client.createProxy('order-rabbitmq', upstream);
  gateway = createGatewayApp(loadGatewayConfig({
    JWT_SECRET: 'test-secret-test-secret-test-secret-0123',
    HOST: '127.0.0.1',
    DEMO_USERS_ENABLED: 'true',
    LOG_LEVEL: 'silent',
    TOXIPROXY_URL: toxiproxy.url,
    TOXIPROXY_LINK_PREFIX: prefix,
  }));
  const token = await request(gateway.app).post('/auth/token').send({ username: 'admin', password: 'admin-secret' }).expect(200);
  admin = `Bearer ${token.body.access_token as string}`;
});

afterAll(async () => {
  await gateway?.close();
  await toxiproxy?.stop();
  echo?.close();
});

const admitted = (call: request.Test) => call.set('authorization', admin);

describe('broker links through the real Toxiproxy', () => {
  it("lists the link as Toxiproxy has it (the other deployment's proxy left out)", async () => {
    const res = await admitted(request(gateway.app).get('/api/admin/links')).expect(200);
    expect(brokerLinkListSchema.strict().parse(res.body)).toEqual(res.body);
    expect(res.body.items).toEqual([{ name: 'order-rabbitmq', service: 'order', broker: 'rabbitmq', proxy: `${prefix}order-rabbitmq`, listen: link.listen, upstream, enabled: true, toxics: [] }]);
  });

  it('adds latency: a round trip through the proxy gets slower, and fast again once restored', async () => {
    expect(msOf(await roundTrip(link.listen))).toBeLessThan(200);

    const slowed = await admitted(request(gateway.app).post('/api/admin/links/order-rabbitmq/latency').send({ latencyMs: 400 })).expect(200);
    expect(slowed.body.toxics).toEqual([{ name: 'latency', type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: 400, jitter: 0 } }]);
    expect(msOf(await roundTrip(link.listen))).toBeGreaterThanOrEqual(390);

    // Asked again, the latency is changed, not added to.
    await admitted(request(gateway.app).post('/api/admin/links/order-rabbitmq/latency').send({ latencyMs: 150, jitterMs: 0 })).expect(200);
    const changed = msOf(await roundTrip(link.listen));
    expect(changed).toBeGreaterThanOrEqual(140);
    expect(changed).toBeLessThan(390);

    const restored = await admitted(request(gateway.app).delete('/api/admin/links/order-rabbitmq/toxics')).expect(200);
    expect(restored.body).toMatchObject({ enabled: true, toxics: [] });
    expect(msOf(await roundTrip(link.listen))).toBeLessThan(140);
  });

  it('cuts: an open connection is closed and a new one refused; restored: it works again on the same address', async () => {
    const open = connect({ host: '127.0.0.1', port: Number(link.listen.split(':')[1]) });
    await once(open, 'connect');
    const ended = ending(open);

    const cut = await admitted(request(gateway.app).post('/api/admin/links/order-rabbitmq/cut')).expect(200);
    expect(cut.body).toMatchObject({ name: 'order-rabbitmq', enabled: false, listen: link.listen });
    expect(['closed', 'ECONNRESET']).toContain(await ended);
    expect(await roundTrip(link.listen)).toEqual({ error: 'ECONNREFUSED' });
    // Only this deployment's proxy: the other deployment's of the same link name still listens.
    const listed = (await admitted(request(gateway.app).get('/api/admin/links')).expect(200)).body.items;
    expect(listed).toEqual([expect.objectContaining({ proxy: `${prefix}order-rabbitmq`, enabled: false })]);
    expect(await new Toxiproxy(toxiproxy.url).proxy('order-rabbitmq')).toMatchObject({ enabled: true });

    const restored = await admitted(request(gateway.app).delete('/api/admin/links/order-rabbitmq/toxics')).expect(200);
    expect(restored.body).toMatchObject({ enabled: true, listen: link.listen, toxics: [] });
    expect(await roundTrip(link.listen)).toEqual({ ms: expect.any(Number) });
  });

  it('answers 404 for a link of this deployment that Toxiproxy does not have', async () => {
    const res = await admitted(request(gateway.app).post('/api/admin/links/payment-rabbitmq/cut')).expect(404);
    expect(res.body.error.code).toBe('LINK_NOT_FOUND');
  });
});
