// Component test of fault injection in inventory: /admin/faults, and each rule's effect on both saga modes' consumers.
import { randomUUID } from 'node:crypto';
import { adminBearer, bearerFor } from '@saga/auth/testing';
import { OrderCreated, PaymentFailed, ReleaseStock, ReserveStock, routingKeys, topics, type MessageEnvelope, type OrderLine } from '@saga/contracts';
import { FaultInjector } from '@saga/faults';
import request from 'supertest';
import { inventoryFaultOperations } from './faults';
import { eventsFor, eventually, repliesFor, startInventoryHarness, type InventoryHarness } from './testing/inventory-harness';

let h: InventoryHarness;
/** "The process dies" as the embedded mode has it: a throw, so the delivery is not acknowledged and comes back. */
const crashes: string[] = [];
const faults = new FaultInjector({
  service: 'inventory',
  operations: inventoryFaultOperations,
  crash: (operation) => {
    crashes.push(operation);
    throw new Error(`crashed in ${operation}`);
  },
});

beforeAll(async () => {
  h = await startInventoryHarness({ faults });
}, 30_000);
afterAll(() => h?.close());
beforeEach(async () => {
  faults.clear();
  crashes.length = 0;
  await h.reset();
});

const newOrder = () => `order-${randomUUID()}`;
const reserveCommand = (orderId: string, lines: OrderLine[]) => ReserveStock.create({ orderId, sagaId: `saga-${orderId}`, lines }, { correlationId: orderId });
const releaseCommand = (orderId: string) => ReleaseStock.create({ orderId, sagaId: `saga-${orderId}` }, { correlationId: orderId });
const orderCreated = (orderId: string, lines: OrderLine[]) =>
  OrderCreated.create({ orderId, sagaId: orderId, customerId: 'alice', lines, totalCents: 1234, currency: 'EUR', paymentToken: 'tok_visa' }, { correlationId: orderId });
const paymentFailed = (orderId: string) => PaymentFailed.create({ orderId, sagaId: orderId, reason: 'DECLINED', message: 'card declined' }, { correlationId: orderId });
const publish = (topic: string, envelope: MessageEnvelope) => h.eventLog.publish(topic, [{ key: envelope.correlationId, envelope }]);
const addRule = (rule: object) =>
  request(h.service.app).post('/admin/faults').set('Authorization', adminBearer()).send(rule).expect(201);

/** Waits for `count` replies about the order, then checks the outbox holds no more (no duplicate was enqueued). */
async function awaitReplies(orderId: string, count: number): Promise<MessageEnvelope[]> {
  await eventually(() => expect(repliesFor(h.replies, orderId).length).toBeGreaterThanOrEqual(count));
  await new Promise((resolve) => setTimeout(resolve, 150));
  const { rows } = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE envelope->>'correlationId' = $1`, [orderId]);
  expect(rows[0]!.n).toBe(count);
  return repliesFor(h.replies, orderId);
}

const reservationsOf = async (orderId: string) =>
  (await h.db.query<{ status: string }>('SELECT status FROM reservations WHERE order_id = $1', [orderId])).rows.map((row) => row.status);

describe('/admin/faults', () => {
  it('adds a rule (201 with an id), lists it, deletes it (204), then 404', async () => {
    const created = await addRule({ operation: 'reserve', effect: 'error', times: 1 });
    expect(created.body).toMatchObject({ id: expect.any(String), service: 'inventory', operation: 'reserve', effect: 'error', probability: 1, times: 1, triggered: 0 });

    const listed = await request(h.service.app).get('/admin/faults').set('Authorization', adminBearer()).expect(200);
    expect(listed.body.service).toBe('inventory');
    expect(listed.body.operations.map((o: { name: string }) => o.name)).toEqual(['reserve', 'release', 'consumer']);
    expect(listed.body.items).toEqual([created.body]);

    await request(h.service.app).delete(`/admin/faults/${created.body.id}`).set('Authorization', adminBearer()).expect(204);
    const again = await request(h.service.app).delete(`/admin/faults/${created.body.id}`).set('Authorization', adminBearer()).expect(404);
    expect(again.body.error).toMatchObject({ code: 'FAULT_RULE_NOT_FOUND' });
    expect(faults.list()).toEqual([]);
  });

  it('DELETE /admin/faults clears every rule', async () => {
    await addRule({ operation: 'reserve', effect: 'error' });
    await addRule({ operation: 'consumer', effect: 'duplicate' });
    const res = await request(h.service.app).delete('/admin/faults').set('Authorization', adminBearer()).expect(200);
    expect(res.body).toEqual({ removed: 2 });
  });

  it.each([
    [{ operation: 'charge', effect: 'error' }, 'unknown operation "charge"; this service has: reserve, release, consumer'],
    [{ operation: 'reserve', effect: 'duplicate' }, 'effect duplicate does not apply to reserve (a step); use one of: error, delay, timeout'],
  ])('rejects %j with 400 INVALID_FAULT_RULE', async (rule, message) => {
    const res = await request(h.service.app).post('/admin/faults').set('Authorization', adminBearer()).send(rule).expect(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_FAULT_RULE', message });
    expect(faults.list()).toEqual([]);
  });

  it('rejects a malformed rule with 400 naming the field', async () => {
    const res = await request(h.service.app).post('/admin/faults').set('Authorization', adminBearer()).send({ operation: 'reserve', effect: 'delay' }).expect(400);
    expect(JSON.stringify(res.body.error)).toContain('delayMs');
  });

  it('is admin only: no token → 401, a customer → 403', async () => {
    await request(h.service.app).post('/admin/faults').send({ operation: 'reserve', effect: 'error' }).expect(401);
    await request(h.service.app).get('/admin/faults').expect(401);
    const res = await request(h.service.app).post('/admin/faults').set('Authorization', bearerFor('alice')).send({ operation: 'reserve', effect: 'error' }).expect(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN' });
    await request(h.service.app).delete('/admin/faults').set('Authorization', bearerFor('alice')).expect(403);
    expect(faults.list()).toEqual([]);
  });
});

describe('reserve', () => {
  it('error refuses the ReserveStock command (StockReservationFailed saying a fault was injected) and takes nothing', async () => {
    const rule = await addRule({ operation: 'reserve', effect: 'error', times: 1 });
    const orderId = newOrder();
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-TEA', quantity: 3 }]));

    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'StockReservationFailed', payload: { reason: 'OUT_OF_STOCK', skus: [`fault injected on reserve (rule ${rule.body.id})`] } });
    expect(await h.availableOf('SKU-TEA')).toBe(300);
    expect(await reservationsOf(orderId)).toEqual(['FAILED']);
    // The saga's compensation then goes through: nothing to give back.
    await h.bus.send(routingKeys.releaseStock, releaseCommand(orderId));
    const [, released] = await awaitReplies(orderId, 2);
    expect(released).toMatchObject({ type: 'StockReleased', payload: { lines: [] } });
    expect(await h.availableOf('SKU-TEA')).toBe(300);
  });

  it('error refuses an OrderCreated event too (choreography): StockReservationFailed on inventory.events.v1', async () => {
    await addRule({ operation: 'reserve', effect: 'error', times: 1 });
    const orderId = newOrder();
    await publish(topics.orderEvents, orderCreated(orderId, [{ sku: 'SKU-BREAD', quantity: 2 }]));

    await eventually(() => expect(eventsFor(h.events, orderId)).toHaveLength(1));
    expect(eventsFor(h.events, orderId)[0]!.envelope).toMatchObject({ type: 'StockReservationFailed', payload: { reason: 'OUT_OF_STOCK' } });
    expect(await h.availableOf('SKU-BREAD')).toBe(500);
  });

  it('delay only slows the step down', async () => {
    await addRule({ operation: 'reserve', effect: 'delay', delayMs: 20, times: 1 });
    const orderId = newOrder();
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-TEA', quantity: 3 }]));
    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'StockReserved' });
    expect(await h.availableOf('SKU-TEA')).toBe(297);
  });
});

describe('release', () => {
  it('error with times 2: the ReleaseStock delivery is retried and the stock comes back once', async () => {
    const orderId = newOrder();
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-TEA', quantity: 3 }]));
    await awaitReplies(orderId, 1);
    const rule = await addRule({ operation: 'release', effect: 'error', times: 2 });

    await h.bus.send(routingKeys.releaseStock, releaseCommand(orderId));
    const [, released] = await awaitReplies(orderId, 2);
    expect(released).toMatchObject({ type: 'StockReleased', payload: { lines: [{ sku: 'SKU-TEA', quantity: 3 }] } });
    expect(await h.availableOf('SKU-TEA')).toBe(300);
    // Both injected errors fired (the rule ran out and is gone) and nothing reached the dead letters.
    expect(faults.list().find((r) => r.id === rule.body.id)).toBeUndefined();
    expect(await h.bus.peekDeadLetters()).toEqual([]);
  });

  it('error with times 2 on a PaymentFailed event (choreography): retried, then released', async () => {
    const orderId = newOrder();
    await publish(topics.orderEvents, orderCreated(orderId, [{ sku: 'SKU-BREAD', quantity: 4 }]));
    await eventually(() => expect(eventsFor(h.events, orderId)).toHaveLength(1));
    await addRule({ operation: 'release', effect: 'error', times: 2 });

    await publish(topics.paymentEvents, paymentFailed(orderId));
    await eventually(() => expect(eventsFor(h.events, orderId).map((e) => e.envelope.type)).toEqual(['StockReserved', 'StockReleased']));
    expect(await h.availableOf('SKU-BREAD')).toBe(500);
  });
});

describe('consumer', () => {
  it('duplicate runs the handler twice: the inbox applies it once, one reservation, one reply', async () => {
    await addRule({ operation: 'consumer', effect: 'duplicate', times: 1 });
    const orderId = newOrder();
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-TEA', quantity: 5 }]));

    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'StockReserved' });
    expect(await h.availableOf('SKU-TEA')).toBe(295);
    expect(await reservationsOf(orderId)).toEqual(['RESERVED']);
  });

  it('duplicate on an OrderCreated event: reserved once, one event', async () => {
    await addRule({ operation: 'consumer', effect: 'duplicate', times: 1 });
    const orderId = newOrder();
    await publish(topics.orderEvents, orderCreated(orderId, [{ sku: 'SKU-APPLE', quantity: 7 }]));
    await eventually(() => expect(eventsFor(h.events, orderId)).toHaveLength(1));
    await new Promise((resolve) => setTimeout(resolve, 150));
    expect(eventsFor(h.events, orderId)).toHaveLength(1);
    expect(await h.availableOf('SKU-APPLE')).toBe(993);
  });

  it('crash-after-commit: committed once; the redelivery and a re-sent copy do not apply it again', async () => {
    await addRule({ operation: 'consumer', effect: 'crash-after-commit', times: 1 });
    const orderId = newOrder();
    const command = reserveCommand(orderId, [{ sku: 'SKU-TEA', quantity: 4 }]);
    await h.bus.send(routingKeys.reserveStock, command);
    await eventually(() => expect(crashes).toEqual(['consumer']));
    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'StockReserved' });

    // As a restarted consumer would get it: the same envelope again.
    await h.bus.send(routingKeys.reserveStock, command);
    await awaitReplies(orderId, 1);
    expect(await h.availableOf('SKU-TEA')).toBe(296);
    expect(await reservationsOf(orderId)).toEqual(['RESERVED']);
    expect(await h.bus.peekDeadLetters()).toEqual([]);
  });
});
