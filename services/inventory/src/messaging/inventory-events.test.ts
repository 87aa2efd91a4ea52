// Component test of the event side (choreography): OrderCreated / PaymentFailed / OrderCancelled through the in-memory
// event log, outcomes published on inventory.events.v1 via the outbox.
import { randomUUID } from 'node:crypto';
import {
  OrderApproved,
  OrderCancelled,
  OrderCreated,
  PaymentCompleted,
  PaymentFailed,
  consumerGroups,
  createEnvelope,
  topics,
  type MessageEnvelope,
  type OrderLine,
} from '@saga/contracts';
import type { ConsumedEvent } from '@saga/messaging';
import { eventsFor, eventually, FIXED_NOW, startInventoryHarness, type InventoryHarness } from '../testing/inventory-harness';

let h: InventoryHarness;

beforeAll(async () => {
  h = await startInventoryHarness();
}, 30_000);
afterAll(() => h?.close());
beforeEach(() => h.reset());

const newOrder = () => `order-${randomUUID()}`;
const orderCreated = (orderId: string, lines: OrderLine[]) =>
  OrderCreated.create(
    { orderId, sagaId: orderId, customerId: 'alice', lines, totalCents: 1234, currency: 'EUR', paymentToken: 'tok_visa' },
    { correlationId: orderId },
  );
const paymentFailed = (orderId: string) =>
  PaymentFailed.create({ orderId, sagaId: orderId, reason: 'DECLINED', message: 'card declined' }, { correlationId: orderId });
const orderCancelled = (orderId: string, reason = 'DEADLINE_EXCEEDED') =>
  OrderCancelled.create({ orderId, sagaId: orderId, customerId: 'alice', reason }, { correlationId: orderId });
const publish = (topic: string, envelope: MessageEnvelope) => h.eventLog.publish(topic, [{ key: envelope.correlationId, envelope }]);
const stockOf = async (...skus: string[]) => Object.fromEntries(await Promise.all(skus.map(async (sku) => [sku, await h.availableOf(sku)])));

/** Waits for exactly `count` inventory events about the order, then a little longer to be sure no extra one follows. */
async function awaitEvents(orderId: string, count: number): Promise<ConsumedEvent[]> {
  await eventually(() => expect(eventsFor(h.events, orderId).length).toBeGreaterThanOrEqual(count));
  await new Promise((resolve) => setTimeout(resolve, 150));
  const { rows } = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE envelope->>'correlationId' = $1`, [orderId]);
  expect(rows[0]!.n).toBe(count);
  const events = eventsFor(h.events, orderId);
  expect(events).toHaveLength(count);
  return events;
}

describe('OrderCreated', () => {
  it('reserves the lines and publishes StockReserved on inventory.events.v1, keyed by orderId, caused by the event', async () => {
    const orderId = newOrder();
    const created = orderCreated(orderId, [{ sku: 'SKU-BREAD', quantity: 3 }, { sku: 'SKU-APPLE', quantity: 2 }]);
    await publish(topics.orderEvents, created);

    const [event] = await awaitEvents(orderId, 1);
    expect(event).toMatchObject({ topic: topics.inventoryEvents, key: orderId });
    expect(event!.envelope).toMatchObject({
      type: 'StockReserved',
      correlationId: orderId,
      causationId: created.messageId,
      occurredAt: FIXED_NOW.toISOString(),
      payload: { orderId, sagaId: orderId, lines: [{ sku: 'SKU-APPLE', quantity: 2 }, { sku: 'SKU-BREAD', quantity: 3 }] },
    });
    expect(await stockOf('SKU-APPLE', 'SKU-BREAD')).toEqual({ 'SKU-APPLE': 998, 'SKU-BREAD': 497 });
    expect(h.replies).toEqual([]);
  });

  it('publishes StockReservationFailed naming the sku when a line is short, taking nothing', async () => {
    const orderId = newOrder();
    await publish(topics.orderEvents, orderCreated(orderId, [{ sku: 'SKU-APPLE', quantity: 5 }, { sku: 'SKU-RARE', quantity: 2 }]));

    const [event] = await awaitEvents(orderId, 1);
    expect(event!.envelope).toMatchObject({ type: 'StockReservationFailed', payload: { orderId, reason: 'OUT_OF_STOCK', skus: ['SKU-RARE'] } });
    expect(await stockOf('SKU-APPLE', 'SKU-RARE')).toEqual({ 'SKU-APPLE': 1000, 'SKU-RARE': 1 });
  });

  it('handles the same event delivered twice once: one reservation, one StockReserved', async () => {
    const orderId = newOrder();
    const created = orderCreated(orderId, [{ sku: 'SKU-TEA', quantity: 10 }]);
    await publish(topics.orderEvents, created);
    await publish(topics.orderEvents, created);

    await awaitEvents(orderId, 1);
    expect(await h.availableOf('SKU-TEA')).toBe(290);
  });
});

describe('PaymentFailed', () => {
  it('gives back what the order reserved and publishes StockReleased', async () => {
    const orderId = newOrder();
    await publish(topics.orderEvents, orderCreated(orderId, [{ sku: 'SKU-CHEESE', quantity: 7 }, { sku: 'SKU-COFFEE', quantity: 3 }]));
    await awaitEvents(orderId, 1);
    expect(await stockOf('SKU-CHEESE', 'SKU-COFFEE')).toEqual({ 'SKU-CHEESE': 43, 'SKU-COFFEE': 197 });

    const failed = paymentFailed(orderId);
    await publish(topics.paymentEvents, failed);
    await publish(topics.paymentEvents, failed);
    const [, released] = await awaitEvents(orderId, 2);
    expect(released).toMatchObject({ topic: topics.inventoryEvents, key: orderId });
    expect(released!.envelope).toMatchObject({
      type: 'StockReleased',
      causationId: failed.messageId,
      payload: { orderId, lines: [{ sku: 'SKU-CHEESE', quantity: 7 }, { sku: 'SKU-COFFEE', quantity: 3 }] },
    });
    expect(await stockOf('SKU-CHEESE', 'SKU-COFFEE')).toEqual({ 'SKU-CHEESE': 50, 'SKU-COFFEE': 200 });
  });
});

describe('OrderCancelled (the order service gave up: its choreography deadline passed)', () => {
  it('gives back a held reservation and publishes StockReleased, once however often it comes', async () => {
    const orderId = newOrder();
    await publish(topics.orderEvents, orderCreated(orderId, [{ sku: 'SKU-BREAD', quantity: 4 }]));
    await awaitEvents(orderId, 1);
    expect(await h.availableOf('SKU-BREAD')).toBe(496);

    const cancelled = orderCancelled(orderId);
    await publish(topics.orderEvents, cancelled);
    await publish(topics.orderEvents, orderCancelled(orderId)); // another cancellation of the same order: nothing more
    const [, released] = await awaitEvents(orderId, 2);
    expect(released!.envelope).toMatchObject({ type: 'StockReleased', causationId: cancelled.messageId, payload: { orderId, lines: [{ sku: 'SKU-BREAD', quantity: 4 }] } });
    expect(await h.availableOf('SKU-BREAD')).toBe(500);
  });

  it('a late PaymentFailed after it changes nothing: the stock went back once', async () => {
    const orderId = newOrder();
    await publish(topics.orderEvents, orderCreated(orderId, [{ sku: 'SKU-COFFEE', quantity: 2 }]));
    await awaitEvents(orderId, 1);
    await publish(topics.orderEvents, orderCancelled(orderId));
    await awaitEvents(orderId, 2);
    await publish(topics.paymentEvents, paymentFailed(orderId));
    await awaitEvents(orderId, 3);
    expect(await h.availableOf('SKU-COFFEE')).toBe(200);
  });

  it('says nothing for an order whose stock was already released (declined) or never reserved (out of stock)', async () => {
    const declined = newOrder();
    await publish(topics.orderEvents, orderCreated(declined, [{ sku: 'SKU-TEA', quantity: 1 }]));
    await awaitEvents(declined, 1);
    await publish(topics.paymentEvents, paymentFailed(declined));
    await awaitEvents(declined, 2);
    await publish(topics.orderEvents, orderCancelled(declined, 'PAYMENT_DECLINED'));

    const short = newOrder();
    await publish(topics.orderEvents, orderCreated(short, [{ sku: 'SKU-RARE', quantity: 5 }]));
    await awaitEvents(short, 1);
    await publish(topics.orderEvents, orderCancelled(short, 'OUT_OF_STOCK'));

    await awaitEvents(declined, 2);
    expect((await awaitEvents(short, 1)).map((event) => event.envelope.type)).toEqual(['StockReservationFailed']);
    expect(await stockOf('SKU-TEA', 'SKU-RARE')).toEqual({ 'SKU-TEA': 300, 'SKU-RARE': 1 });
  });

  it('before its OrderCreated (one re-driven from a dead letter): leaves a tombstone, so the late reserve takes nothing', async () => {
    const orderId = newOrder();
    await publish(topics.orderEvents, orderCancelled(orderId));
    await awaitEvents(orderId, 1);
    await publish(topics.orderEvents, orderCreated(orderId, [{ sku: 'SKU-APPLE', quantity: 3 }]));
    const [tombstone, late] = await awaitEvents(orderId, 2);
    expect(tombstone!.envelope).toMatchObject({ type: 'StockReleased', payload: { lines: [] } });
    expect(late!.envelope).toMatchObject({ type: 'StockReserved', payload: { lines: [] } });
    expect(await h.availableOf('SKU-APPLE')).toBe(1000);
  });
});

describe('events inventory does not react to, and poison', () => {
  it('ignores other event types without dead-lettering them, and goes on with the next event', async () => {
    const orderId = newOrder();
    const others = [
      OrderApproved.create({ orderId, sagaId: orderId, customerId: 'alice', totalCents: 1 }, { correlationId: orderId }),
      PaymentCompleted.create({ orderId, sagaId: orderId, paymentId: 'p-1', amountCents: 1 }, { correlationId: orderId }),
      createEnvelope('SomethingNew', 1, { whatever: true }, { correlationId: orderId }),
    ];
    await publish(topics.orderEvents, others[0]!);
    await publish(topics.paymentEvents, others[1]!);
    await publish(topics.orderEvents, others[2]!);
    await publish(topics.orderEvents, orderCreated(orderId, [{ sku: 'SKU-APPLE', quantity: 1 }]));

    const [event] = await awaitEvents(orderId, 1);
    expect(event!.envelope.type).toBe('StockReserved');
    const letters = await h.eventLog.deadLetters(consumerGroups.inventory);
    expect(letters.filter((letter) => others.some((other) => other.messageId === letter.messageId))).toEqual([]);
  });

  it('dead-letters an OrderCreated whose payload breaks the contract, with the reason, publishing nothing', async () => {
    const orderId = newOrder();
    const bad = createEnvelope('OrderCreated', 1, { orderId, sagaId: orderId, lines: [{ sku: 'SKU-APPLE', quantity: 0 }] }, { correlationId: orderId });
    await publish(topics.orderEvents, bad);

    const letter = await eventually(async () => {
      const found = (await h.eventLog.deadLetters(consumerGroups.inventory)).find((l) => l.messageId === bad.messageId);
      expect(found).toBeDefined();
      return found!;
    });
    expect(letter).toMatchObject({ source: topics.orderEvents, reason: expect.stringMatching(/^POISON: OrderCreated: /) });
    expect(letter.reason).toContain('lines.0.quantity');
    await awaitEvents(orderId, 0);
    expect(await h.availableOf('SKU-APPLE')).toBe(1000);
  });
});
