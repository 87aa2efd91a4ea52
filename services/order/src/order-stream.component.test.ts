// GET /orders/stream on PGlite: a change to alice's order reaches alice's stream (and an admin's), never bob's;
// heartbeats, the stream's maximum duration and its end at shutdown.
import { adminBearer, bearerFor, testTokenVerifier } from '@saga/auth/testing';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { InMemoryCommandBus } from '@saga/messaging';
import { createLogger, startHttpServer, type HttpServerHandle } from '@saga/platform';
import { eventually } from '@saga/resilience';
import request from 'supertest';
import { orderChangeEventSchema, streamReadyEventSchema } from './http/order.schemas';
import { createOrderService, type OrderService } from './order-service';
import { migrateOrderDb } from './store/order-migrations';

jest.setTimeout(30_000);

interface Received {
  text: string;
  ended: boolean;
  /** The `order` events' data, parsed. */
  orders(): { orderId: string; customerId: string; status: string; failureReason?: string }[];
  close(): void;
}

describe('order service: the live order stream (SSE over LISTEN/NOTIFY, PGlite)', () => {
  let db: SqlClient;
  let service: OrderService;
  let server: HttpServerHandle;
  let base = '';
  const opened: Received[] = [];

  beforeAll(async () => {
    db = await createPgliteClient();
    await migrateOrderDb(db);
    const prices = { currentPrices: async () => ({ ok: true as const, source: 'live' as const, prices: new Map([['SKU-TEA', 450]]) }) };
    service = createOrderService({
      verifyToken: testTokenVerifier(),
      db,
      // No participant answers: each saga's reservation times out and the saga compensates (more changes to stream).
      commandBus: new InMemoryCommandBus(),
      prices,
      logger: createLogger({ service: 'test', level: 'silent' }),
      runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: 300, maxCompensationAttempts: 2 } },
      deadlineScanIntervalMs: 25,
      stream: { heartbeatMs: 100, maxDurationMs: 20_000 },
    });
    await service.start();
    server = await startHttpServer(service.app, { port: 0, host: '127.0.0.1' });
    base = `http://127.0.0.1:${server.port}`;
  });

  afterAll(async () => {
    for (const stream of opened) stream.close();
    await service?.closeStreams();
    await server?.stop(1_000);
    await service?.stop();
    await db?.close();
  });

  /** Opens a stream as `authorization` and reads it in the background until it ends or the test closes it. */
  async function open(authorization: string, path = '/orders/stream'): Promise<Received & { status: number; contentType: string | null }> {
    const abort = new AbortController();
    const response = await fetch(`${base}${path}`, { headers: { authorization, accept: 'text/event-stream' }, signal: abort.signal });
    const received = {
      status: response.status,
      contentType: response.headers.get('content-type'),
      text: '',
      ended: false,
      orders: () =>
        received.text
          .split('\n\n')
          .filter((block) => block.startsWith('event: order\n'))
          .map((block) => JSON.parse(block.split('\n').find((line) => line.startsWith('data: '))!.slice(6))),
      close: () => abort.abort(),
    };
    opened.push(received);
    void (async () => {
      try {
        const decoder = new TextDecoder();
        for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) received.text += decoder.decode(chunk, { stream: true });
      } catch {
        // aborted by the test
      }
      received.ended = true;
    })();
    await eventually(async () => expect(received.text).toContain('event: ready'), 5_000);
    return received;
  }

  const place = (customer: string) => request(service.app).post('/orders').set('Authorization', bearerFor(customer)).send({ items: [{ sku: 'SKU-TEA', quantity: 1 }] }).expect(202);

  it("pushes alice's order changes to alice and to an admin, and nothing of them to bob", async () => {
    const alice = await open(bearerFor('alice'));
    const bob = await open(bearerFor('bob'));
    const admin = await open(adminBearer());
    expect(alice.status).toBe(200);
    expect(alice.contentType).toMatch(/^text\/event-stream/);
    expect(alice.text).toMatch(/^retry: \d+\n\n/);

    const orderId = (await place('alice')).body.orderId as string;
    // Placed (PENDING), then each saga step: the unanswered reservation times out and the saga compensates.
    await eventually(async () => expect(alice.orders()).toContainEqual(expect.objectContaining({ orderId, customerId: 'alice', status: 'PENDING' })), 5_000);
    await eventually(async () => expect(alice.orders()).toContainEqual(expect.objectContaining({ orderId, failureReason: 'INVENTORY_TIMEOUT' })), 10_000);
    await eventually(async () => expect(admin.orders()).toContainEqual(expect.objectContaining({ orderId, failureReason: 'INVENTORY_TIMEOUT' })), 5_000);
    // Every event as documented (the OpenAPI document's contentSchema is built from these schemas).
    for (const event of alice.orders()) expect(orderChangeEventSchema.strict().parse(event)).toEqual(event);
    const ready = alice.text.split('\n\n').find((block) => block.startsWith('event: ready\n'))!;
    expect(streamReadyEventSchema.strict().parse(JSON.parse(ready.split('data: ')[1]!))).toMatchObject({ customerId: 'alice', scope: 'own', heartbeatMs: 100 });
    // Bob's own order reaches bob: his stream works, and what it lacks is alice's.
    const bobsOrder = (await place('bob')).body.orderId as string;
    await eventually(async () => expect(bob.orders().map((o) => o.orderId)).toContain(bobsOrder), 5_000);
    expect(bob.orders().map((o) => o.orderId)).not.toContain(orderId);
    expect(alice.orders().map((o) => o.orderId)).not.toContain(bobsOrder);
    // No card token and no history in an event: the summary a list row shows.
    expect(JSON.stringify(alice.orders())).not.toContain('tok_');
    expect(alice.orders()[0]).not.toHaveProperty('history');
  });

  it('sends a heartbeat comment while nothing changes', async () => {
    const stream = await open(bearerFor('carol'));
    await eventually(async () => expect(stream.text).toContain(': heartbeat\n\n'), 2_000);
    stream.close();
  });

  it('refuses a caller without a valid token (401, error body), and is not taken for an order id', async () => {
    const response = await request(service.app).get('/orders/stream');
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBeDefined();
  });

  it('ends every stream when the service closes them (shutdown), and refuses new ones with a 503', async () => {
    const stream = await open(bearerFor('dave'));
    await service.closeStreams();
    await eventually(async () => expect(stream.ended).toBe(true), 2_000);
    const after = await request(service.app).get('/orders/stream').set('Authorization', bearerFor('dave'));
    expect(after.status).toBe(503);
    expect(after.body.error.code).toBe('STREAM_UNAVAILABLE');
  });
});

describe('order service: the stream ends after its maximum duration', () => {
  it('closes the response after maxDurationMs (the client reconnects)', async () => {
    const db = await createPgliteClient();
    await migrateOrderDb(db);
    const service = createOrderService({
      verifyToken: testTokenVerifier(),
      db,
      commandBus: new InMemoryCommandBus(),
      prices: { currentPrices: async () => ({ ok: true as const, source: 'live' as const, prices: new Map() }) },
      logger: createLogger({ service: 'test', level: 'silent' }),
      runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: 300, maxCompensationAttempts: 2 } },
      stream: { maxDurationMs: 300 },
    });
    const started = Date.now();
    const response = await request(service.app).get('/orders/stream').set('Authorization', bearerFor('alice')).buffer(true).parse((res, done) => {
      let text = '';
      res.on('data', (chunk: Buffer) => (text += chunk.toString()));
      res.on('end', () => done(null, text));
    });
    expect(response.status).toBe(200);
    expect(response.body).toContain('event: ready');
    expect(Date.now() - started).toBeGreaterThanOrEqual(250);
    await service.closeStreams();
    await db.close();
  });
});
