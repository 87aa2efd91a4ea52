// Component test of the command side: ReserveStock / ReleaseStock through the in-memory bus, replies via the outbox.
import { randomUUID } from 'node:crypto';
import { ReleaseStock, ReserveStock, createEnvelope, queues, routingKeys, type MessageEnvelope, type OrderLine } from '@saga/contracts';
import { eventually, FIXED_NOW, repliesFor, startInventoryHarness, type InventoryHarness } from '../testing/inventory-harness';

let h: InventoryHarness;

beforeAll(async () => {
  h = await startInventoryHarness();
}, 30_000);
afterAll(() => h?.close());
beforeEach(() => h.reset());

const reserveCommand = (orderId: string, lines: OrderLine[]) => ReserveStock.create({ orderId, sagaId: `saga-${orderId}`, lines }, { correlationId: orderId });
const releaseCommand = (orderId: string) => ReleaseStock.create({ orderId, sagaId: `saga-${orderId}` }, { correlationId: orderId });
const newOrder = () => `order-${randomUUID()}`;

/** Waits for exactly `count` replies about the order, then a little longer to be sure no extra one follows. */
async function awaitReplies(orderId: string, count: number): Promise<MessageEnvelope[]> {
  await eventually(() => expect(repliesFor(h.replies, orderId).length).toBeGreaterThanOrEqual(count));
  // A duplicate would have enqueued a row by now (handlers run back to back on PGlite's one connection).
  await new Promise((resolve) => setTimeout(resolve, 150));
  const { rows } = await h.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM outbox WHERE envelope->>'correlationId' = $1`, [orderId]);
  expect(rows[0]!.n).toBe(count);
  const replies = repliesFor(h.replies, orderId);
  expect(replies).toHaveLength(count);
  return replies;
}

const stockOf = async (...skus: string[]) => Object.fromEntries(await Promise.all(skus.map(async (sku) => [sku, await h.availableOf(sku)])));

describe('ReserveStock', () => {
  it('reserves every line, replies StockReserved on order.saga-replies, and the reply points at the command', async () => {
    const orderId = newOrder();
    const command = reserveCommand(orderId, [{ sku: 'SKU-BREAD', quantity: 3 }, { sku: 'SKU-APPLE', quantity: 2 }]);
    await h.bus.send(routingKeys.reserveStock, command);

    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({
      type: 'StockReserved',
      correlationId: orderId,
      causationId: command.messageId,
      occurredAt: FIXED_NOW.toISOString(),
      payload: { orderId, sagaId: `saga-${orderId}`, lines: [{ sku: 'SKU-APPLE', quantity: 2 }, { sku: 'SKU-BREAD', quantity: 3 }] },
    });
    expect(h.replies.find((r) => r.envelope.messageId === reply!.messageId)?.queue).toBe(queues.orderSagaReplies);
    expect(await stockOf('SKU-APPLE', 'SKU-BREAD')).toEqual({ 'SKU-APPLE': 998, 'SKU-BREAD': 497 });
  });

  it('takes nothing when one line is out of stock, and names the sku', async () => {
    const orderId = newOrder();
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-APPLE', quantity: 5 }, { sku: 'SKU-RARE', quantity: 2 }]));

    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'StockReservationFailed', payload: { reason: 'OUT_OF_STOCK', skus: ['SKU-RARE'] } });
    expect(await stockOf('SKU-APPLE', 'SKU-RARE')).toEqual({ 'SKU-APPLE': 1000, 'SKU-RARE': 1 });
  });

  it('fails UNKNOWN_SKU for a sku not in the catalog, taking nothing', async () => {
    const orderId = newOrder();
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-APPLE', quantity: 1 }, { sku: 'SKU-NOPE', quantity: 1 }]));

    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'StockReservationFailed', payload: { reason: 'UNKNOWN_SKU', skus: ['SKU-NOPE'] } });
    expect(await h.availableOf('SKU-APPLE')).toBe(1000);
  });

  it('processes a redelivered command once: one reply, stock taken once', async () => {
    const orderId = newOrder();
    const command = reserveCommand(orderId, [{ sku: 'SKU-TEA', quantity: 10 }]);
    await h.bus.send(routingKeys.reserveStock, command);
    await h.bus.send(routingKeys.reserveStock, command);

    await awaitReplies(orderId, 1);
    expect(await h.availableOf('SKU-TEA')).toBe(290);
  });

  it('answers a retried command (new messageId, same order) with the first outcome, changing nothing', async () => {
    const orderId = newOrder();
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-RARE', quantity: 1 }]));
    await awaitReplies(orderId, 1);
    await h.db.query(`UPDATE products SET available = 0 WHERE sku = 'SKU-TEA'`);

    // Even with different lines: the reservation decided for this order stands.
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-TEA', quantity: 1 }]));
    const replies = await awaitReplies(orderId, 2);
    expect(replies.map((r) => [r.type, r.payload])).toEqual([
      ['StockReserved', expect.objectContaining({ lines: [{ sku: 'SKU-RARE', quantity: 1 }] })],
      ['StockReserved', expect.objectContaining({ lines: [{ sku: 'SKU-RARE', quantity: 1 }] })],
    ]);
    expect(await stockOf('SKU-RARE', 'SKU-TEA')).toEqual({ 'SKU-RARE': 0, 'SKU-TEA': 0 });
  });

  it('sends the reply to the routing key the command asked for', async () => {
    const orderId = newOrder();
    const elsewhere: MessageEnvelope[] = [];
    const subscription = await h.bus.consume({
      queue: 'test.other-replies',
      bindings: ['test.other-reply'],
      handle: async ({ envelope }) => {
        elsewhere.push(envelope);
      },
    });
    try {
      await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-APPLE', quantity: 1 }]), { replyTo: 'test.other-reply' });
      await eventually(() => expect(elsewhere.map((e) => e.correlationId)).toEqual([orderId]));
      expect(repliesFor(h.replies, orderId)).toEqual([]);
    } finally {
      await subscription.close();
    }
  });
});

describe('ReleaseStock', () => {
  it('gives back exactly what was reserved, once, however often it is asked', async () => {
    const orderId = newOrder();
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-CHEESE', quantity: 7 }, { sku: 'SKU-COFFEE', quantity: 3 }]));
    await awaitReplies(orderId, 1);
    expect(await stockOf('SKU-CHEESE', 'SKU-COFFEE')).toEqual({ 'SKU-CHEESE': 43, 'SKU-COFFEE': 197 });

    await h.bus.send(routingKeys.releaseStock, releaseCommand(orderId));
    await h.bus.send(routingKeys.releaseStock, releaseCommand(orderId));
    const [, first, second] = await awaitReplies(orderId, 3);
    const released = [{ sku: 'SKU-CHEESE', quantity: 7 }, { sku: 'SKU-COFFEE', quantity: 3 }];
    expect(first).toMatchObject({ type: 'StockReleased', payload: { lines: released } });
    expect(second).toMatchObject({ type: 'StockReleased', payload: { lines: released } });
    expect(await stockOf('SKU-CHEESE', 'SKU-COFFEE')).toEqual({ 'SKU-CHEESE': 50, 'SKU-COFFEE': 200 });
  });

  it('succeeds with nothing to give back when the order never reserved, and a late reserve then takes nothing', async () => {
    const orderId = newOrder();
    await h.bus.send(routingKeys.releaseStock, releaseCommand(orderId));
    const [released] = await awaitReplies(orderId, 1);
    expect(released).toMatchObject({ type: 'StockReleased', payload: { lines: [] } });

    // The reserve overtaken by its own compensation (e.g. after a timeout) must not hold stock forever.
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-APPLE', quantity: 1 }]));
    const [, late] = await awaitReplies(orderId, 2);
    expect(late).toMatchObject({ type: 'StockReserved', payload: { lines: [] } });
    expect(await h.availableOf('SKU-APPLE')).toBe(1000);
  });

  it('succeeds with nothing to give back after a failed reservation', async () => {
    const orderId = newOrder();
    await h.bus.send(routingKeys.reserveStock, reserveCommand(orderId, [{ sku: 'SKU-RARE', quantity: 5 }]));
    await h.bus.send(routingKeys.releaseStock, releaseCommand(orderId));
    const [, released] = await awaitReplies(orderId, 2);
    expect(released).toMatchObject({ type: 'StockReleased', payload: { lines: [] } });
    expect(await h.availableOf('SKU-RARE')).toBe(1);
  });
});

describe('poison commands', () => {
  const lettersFrom = async () => (await h.bus.peekDeadLetters()).filter((letter) => letter.source === queues.inventoryCommands);

  it('dead-letters a command whose payload breaks the contract, with the reason, and replies nothing', async () => {
    const orderId = newOrder();
    const bad = createEnvelope('ReserveStock', 1, { orderId, sagaId: 's', lines: [{ sku: 'SKU-APPLE', quantity: 0 }] }, { correlationId: orderId });
    await h.bus.send(routingKeys.reserveStock, bad);

    const letter = await eventually(async () => {
      const found = (await lettersFrom()).find((l) => l.messageId === bad.messageId);
      expect(found).toBeDefined();
      return found!;
    });
    expect(letter.reason).toMatch(/^POISON: ReserveStock: lines\.0\.quantity/);
    expect(repliesFor(h.replies, orderId)).toEqual([]);
    expect(await h.availableOf('SKU-APPLE')).toBe(1000);
  });

  it('dead-letters a message type inventory does not handle, and bytes that are not an envelope', async () => {
    const stray = createEnvelope('ChargePayment', 1, {}, { correlationId: newOrder() });
    await h.bus.send(routingKeys.releaseStock, stray);
    h.bus.sendRaw(routingKeys.reserveStock, 'not json at all');

    await eventually(async () => {
      const letters = await lettersFrom();
      expect(letters).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ messageId: stray.messageId, reason: 'POISON: inventory does not handle ChargePayment' }),
          expect.objectContaining({ raw: 'not json at all', reason: expect.stringMatching(/^INVALID_ENVELOPE/) }),
        ]),
      );
    });
  });
});
