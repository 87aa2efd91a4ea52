// Fault injection in the order service: /admin/faults, a failing inventory price lookup (cached prices or 503),
// and a duplicated saga reply that the inbox absorbs. Participants are the real services, in-process (the embedded platform).
import { adminBearer, bearerFor, testTokenVerifier } from '@saga/auth/testing';
import { createPgliteClient } from '@saga/db';
import { faultRuleListSchema, faultRuleSchema, faultRulesClearedSchema } from '@saga/faults';
import { InMemoryCommandBus } from '@saga/messaging';
import { createOrderFaults, createOrderService, HttpPriceCatalog, migrateOrderDb } from '@saga/order-service';
import { createLogger, processBreakersSchema } from '@saga/platform';
import { eventually } from '@saga/resilience';
import { Writable } from 'node:stream';
import request from 'supertest';
import type { EmbeddedPlatform } from './embedded-platform';
import { startTestPlatform } from './testing/test-platform';

jest.setTimeout(60_000);
const logger = createLogger({ service: 'test', level: 'silent' });
const verifyToken = testTokenVerifier();
/** The order service's log lines, to see the inbox skip the duplicated reply. */
const orderLines: Record<string, unknown>[] = [];
/** The platform's log at debug: each service logs under its own `service`; the order service's lines are kept. */
const platformLogger = createLogger({
  service: 'embedded',
  level: 'debug',
  destination: new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString('utf8').split('\n')) {
        const entry = line.trim() ? (JSON.parse(line) as Record<string, unknown>) : undefined;
        if (entry?.service === 'order') orderLines.push(entry);
      }
      done();
    },
  }),
});

describe('order service under injected faults (in-process, in-memory bus, PGlite)', () => {
  let platform: EmbeddedPlatform;
  let orderUrl = '';
  let inventoryUrl = '';
  let paymentUrl = '';

  beforeAll(async () => {
    // As in every deployment: one injector, shared by the catalog (http:inventory) and the service (consumers, /admin/faults).
    platform = await startTestPlatform({ logger: platformLogger, stepTimeoutMs: 10_000 });
    ({ order: orderUrl, inventory: inventoryUrl, payment: paymentUrl } = platform.urls);
  });

  const admin = adminBearer();
  /** The order service's fault rules, as its API lists them. */
  const orderRules = async () => (await request(orderUrl).get('/admin/faults').set('Authorization', admin).expect(200)).body.items;

  afterEach(() => request(orderUrl).delete('/admin/faults').set('Authorization', admin).expect(200));

  afterAll(() => platform?.stop());

  const addRule = (app: Parameters<typeof request>[0], body: object, auth = admin) => request(app).post('/admin/faults').set('Authorization', auth).send(body);
  const place = (app: Parameters<typeof request>[0], customer: string) =>
    request(app).post('/orders').set('Authorization', bearerFor(customer)).send({ items: [{ sku: 'SKU-BREAD', quantity: 1 }] });
  const finalOrder = (customer: string, orderId: string) =>
    eventually(async () => {
      const response = await request(orderUrl).get(`/orders/${orderId}`).set('Authorization', bearerFor(customer));
      expect(['APPROVED', 'CANCELLED']).toContain(response.body.status);
      return response.body as { status: string; history: { step: string; status: string; detail?: string }[] };
    }, 20_000);

  describe('/admin/faults', () => {
    it('adds, lists, removes and clears rules on the order operations', async () => {
      const created = await addRule(orderUrl, { operation: 'http:inventory', effect: 'timeout', delayMs: 2_000 }).expect(201);
      expect(created.body).toMatchObject({ service: 'order', operation: 'http:inventory', effect: 'timeout', delayMs: 2_000, triggered: 0 });
      expect(faultRuleSchema.parse(created.body)).toEqual(created.body);
      const listed = (await request(orderUrl).get('/admin/faults').set('Authorization', admin).expect(200)).body;
      expect(faultRuleListSchema.parse(listed)).toEqual(listed);
      expect(listed.operations.map((o: { name: string; kind: string }) => `${o.name}:${o.kind}`)).toEqual(['http:inventory:http', 'consumer:consumer', 'payment-events:consumer']);
      expect(listed.items).toEqual([created.body]);
      await request(orderUrl).delete(`/admin/faults/${created.body.id}`).set('Authorization', admin).expect(204);
      expect((await request(orderUrl).delete(`/admin/faults/${created.body.id}`).set('Authorization', admin).expect(404)).body.error.code).toBe('FAULT_RULE_NOT_FOUND');
      const limited = (await addRule(orderUrl, { operation: 'consumer', effect: 'crash-after-commit', probability: 0.5, times: 3 }).expect(201)).body;
      expect(faultRuleSchema.parse(limited)).toEqual(limited);
      const cleared = (await request(orderUrl).delete('/admin/faults').set('Authorization', admin).expect(200)).body;
      expect(cleared).toEqual({ removed: 1 });
      expect(faultRulesClearedSchema.parse(cleared)).toEqual(cleared);
    });

    it.each([
      ['an unknown operation', { operation: 'charge', effect: 'error' }, /unknown operation "charge"; this service has: http:inventory, consumer/],
      ['a delivery effect on the HTTP call', { operation: 'http:inventory', effect: 'duplicate' }, /does not apply to http:inventory \(a http\)/],
    ])('refuses %s with 400 INVALID_FAULT_RULE', async (_name, body, message) => {
      const response = await addRule(orderUrl, body).expect(400);
      expect(response.body.error).toMatchObject({ code: 'INVALID_FAULT_RULE', message: expect.stringMatching(message) });
    });

    it('is for admins only: 401 without a token, 403 for a customer', async () => {
      expect((await request(orderUrl).post('/admin/faults').send({ operation: 'consumer', effect: 'error' })).status).toBe(401);
      expect((await addRule(orderUrl, { operation: 'consumer', effect: 'error' }, bearerFor('alice'))).status).toBe(403);
      expect((await request(orderUrl).get('/admin/faults').set('Authorization', bearerFor('alice'))).status).toBe(403);
      expect(await orderRules()).toEqual([]);
    });
  });

  it('consumer duplicate: a saga reply handled twice advances the saga once', async () => {
    await addRule(orderUrl, { operation: 'consumer', effect: 'duplicate', times: 1 }).expect(201);
    const placed = await place(orderUrl, 'gina').expect(202);
    const final = await finalOrder('gina', placed.body.orderId);

    expect(final.status).toBe('APPROVED');
    const orderId = placed.body.orderId as string;
    // The second run of the same reply found it in the inbox and changed nothing.
    expect(orderLines).toContainEqual(expect.objectContaining({ msg: 'saga reply changed nothing (duplicate or late)', orderId, reply: 'StockReserved', result: 'duplicate' }));
    expect(orderLines).toContainEqual(expect.objectContaining({ msg: 'fault injected', rule: expect.objectContaining({ operation: 'consumer', effect: 'duplicate' }) }));
    expect(orderLines.filter((line) => line.msg === 'saga advanced' && line.orderId === orderId && line.reply === 'StockReserved')).toHaveLength(1);
    // The rule fired on the first reply (StockReserved): it is gone, and the saga recorded that step once.
    expect(await orderRules()).toEqual([]);
    const succeeded = final.history.filter((entry) => entry.status === 'SUCCEEDED').map((entry) => entry.step);
    expect(succeeded).toEqual([...new Set(succeeded)]);
    expect(succeeded).toEqual(expect.arrayContaining(['RESERVE_STOCK', 'CHARGE_PAYMENT', 'NOTIFY_CONFIRMED']));
    const payments = (await request(paymentUrl).get(`/payments?orderId=${placed.body.orderId}`).set('Authorization', admin)).body.items;
    expect(payments).toEqual([expect.objectContaining({ status: 'CHARGED' })]);
  });

  it('http:inventory error with a known price list: the order is accepted from cached prices, and its history says so', async () => {
    // A live lookup first, so a price list is known.
    const live = await place(orderUrl, 'hana').expect(202);
    await finalOrder('hana', live.body.orderId);
    await addRule(orderUrl, { operation: 'http:inventory', effect: 'error' }).expect(201);

    const placed = await place(orderUrl, 'hana').expect(202);
    expect(placed.body).toMatchObject({ status: 'PENDING', totalCents: live.body.totalCents });
    expect((await orderRules())[0]).toMatchObject({ operation: 'http:inventory', triggered: 1 });
    const final = await finalOrder('hana', placed.body.orderId);
    expect(final.history[0]?.detail).toMatch(/^priced from the last known price list \(.+\): inventory unavailable$/);
  });

  it('http:inventory error with no price list known yet: 503 PRICES_UNAVAILABLE, nothing written', async () => {
    // A fresh order database (no cached list) with its own catalog and injector, wired as main.ts wires them.
    const db = await createPgliteClient();
    await migrateOrderDb(db);
    const faults = createOrderFaults({ logger });
    const prices = new HttpPriceCatalog({ inventoryUrl: () => inventoryUrl, db, faults });
    const fresh = createOrderService({ verifyToken, db, commandBus: new InMemoryCommandBus(), prices, faults, logger, runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: 10_000, maxCompensationAttempts: 5 } } });
    try {
      // Added through the service's API, fired by the catalog: the same injector.
      await addRule(fresh.app, { operation: 'http:inventory', effect: 'error' }).expect(201);
      const response = await place(fresh.app, 'ivan');
      expect(response.status).toBe(503);
      expect(response.body.error.code).toBe('PRICES_UNAVAILABLE');
      expect(fresh.faults.list()[0]?.triggered).toBe(1);
      expect((await request(fresh.app).get('/orders').set('Authorization', bearerFor('ivan'))).body.items).toEqual([]);
    } finally {
      prices.shutdown();
      await db.close();
    }
  });

  it('GET /admin/breakers: the catalog\'s breaker towards inventory, closed, then open once lookups keep failing', async () => {
    const db = await createPgliteClient();
    await migrateOrderDb(db);
    const faults = createOrderFaults({ logger });
    const prices = new HttpPriceCatalog({ inventoryUrl: () => inventoryUrl, db, faults });
    const fresh = createOrderService({ verifyToken, db, commandBus: new InMemoryCommandBus(), prices, faults, logger, runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: 10_000, maxCompensationAttempts: 5 } }, breakers: () => [prices.breakerStats()] });
    const breakers = () => request(fresh.app).get('/admin/breakers').set('Authorization', admin).expect(200);
    try {
      await place(fresh.app, 'jo').expect(202);
      expect((await breakers()).body.items).toEqual([expect.objectContaining({ name: 'inventory', state: 'closed', successes: 1, failures: 0 })]);
      // Every later lookup fails (the orders are priced from the list just read): with five calls in the window and most
      // of them failed, the breaker opens, and the next lookup is refused without a call.
      await addRule(fresh.app, { operation: 'http:inventory', effect: 'error' }).expect(201);
      for (let i = 0; i < 5; i++) await place(fresh.app, 'jo').expect(202);
      const open = (await breakers()).body;
      expect(processBreakersSchema.parse(open)).toEqual(open);
      expect(open.items).toEqual([expect.objectContaining({ name: 'inventory', state: 'open', successes: 1, failures: 4, rejects: 1 })]);
      await request(fresh.app).get('/admin/breakers').set('Authorization', bearerFor('jo')).expect(403);
    } finally {
      prices.shutdown();
      await db.close();
    }
  });
});
