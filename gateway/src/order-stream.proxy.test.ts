// GET /api/orders/stream through the gateway: each event passes at once (no buffering), the stream outlives the
// upstream timeout (which bounds the time to headers only), and closeStreams() ends it at shutdown.
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { bearerFor, testSigningKeyPem } from '@saga/auth/testing';
import { eventually } from '@saga/resilience';
import { loadGatewayConfig } from './config';
import { createGatewayApp, type GatewayApp } from './gateway-app';

const listen = async (server: Server): Promise<number> => {
  await new Promise<void>((ready) => server.listen(0, '127.0.0.1', ready));
  return (server.address() as AddressInfo).port;
};

describe('the live order stream through the gateway', () => {
  const upstreamStreams = new Set<ServerResponse>();
  let upstream: Server;
  let front: Server;
  let gateway: GatewayApp;
  let base = '';

  beforeAll(async () => {
    // The order service's side, played by the test: headers at once, then whatever the test writes.
    upstream = createServer((req, res) => {
      if (req.url !== '/orders/stream') return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
      res.write('event: ready\ndata: {}\n\n');
      upstreamStreams.add(res);
      res.on('close', () => upstreamStreams.delete(res));
    });
    const url = `http://127.0.0.1:${await listen(upstream)}`;
    gateway = createGatewayApp(
      loadGatewayConfig({ ORDER_URL: url, INVENTORY_URL: url, PAYMENT_URL: url, NOTIFICATION_URL: url, JWT_SIGNING_KEY: testSigningKeyPem(), HOST: '127.0.0.1', LOG_LEVEL: 'silent', UPSTREAM_TIMEOUT_MS: '300', ADMIN_PASSWORD: 'a-test-admin-password-for-this-run' }),
    );
    front = createServer(gateway.app);
    base = `http://127.0.0.1:${await listen(front)}`;
  });

  afterAll(async () => {
    for (const res of upstreamStreams) res.end();
    for (const server of [front, upstream]) {
      server?.closeAllConnections();
      if (server?.listening) await new Promise((done) => server.close(done));
    }
    await gateway?.close();
  });

  it('passes each event on at once, keeps the stream past the upstream timeout, and ends it on closeStreams()', async () => {
    const response = await fetch(`${base}/api/orders/stream`, { headers: { authorization: bearerFor('alice'), accept: 'text/event-stream' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    let text = '';
    let ended = false;
    void (async () => {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) text += Buffer.from(chunk).toString();
      ended = true;
    })();
    await eventually(async () => expect(text).toContain('event: ready'), 2_000);
    // Longer than UPSTREAM_TIMEOUT_MS (300 ms): a proxy timing the whole response would have cut it by now.
    await new Promise((done) => setTimeout(done, 800));
    for (const res of upstreamStreams) res.write('event: order\ndata: {"orderId":"o-1"}\n\n');
    await eventually(async () => expect(text).toContain('"orderId":"o-1"'), 2_000);
    expect(ended).toBe(false);

    gateway.closeStreams();
    await eventually(async () => expect(ended).toBe(true), 2_000);
    // A late event from the upstream after the end is dropped, not a crash.
    for (const res of upstreamStreams) res.write(': heartbeat\n\n');
    await new Promise((done) => setTimeout(done, 100));
  });
});
