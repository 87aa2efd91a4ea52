// End to end, orchestrated saga: every service its own OS process on the real PostgreSQL and RabbitMQ, asserting
// what a user sees (order status, stock, payments, notifications), including crashes and an outage of the provider.
import { randomBytes, randomUUID } from 'node:crypto';
import { ReleaseStock, ReserveStock, routingKeys, type MessageEnvelope } from '@saga/contracts';
import { RabbitMqCommandBus } from '@saga/messaging';
import { eventually } from '@saga/resilience';
import { Client } from 'pg';
import {
  listOrders,
  placeOrder,
  placeOrderAccepted,
  postOrderRaw,
  stockLevels,
  waitForFinalStatus,
  type ErrorBody,
  type PlacedOrder,
} from './support/order-client';
import { PLATFORM_LOCK_TIMEOUT_MS, startPlatform, withServiceLogs, type Platform } from './support/platform-processes';
import { countBy, expectBooksBalance, expectNoDeclinedCardApproved, expectStockConserved, stepIndex } from './support/saga-invariants';
import { customer, describeOrderOutcomes, describeProviderDown, e2eHarness, sleep, type SagaModeSpec } from './support/saga-scenarios';

jest.setTimeout(120_000);

let platform: Platform | undefined;
const { p, scenario } = e2eHarness(() => platform);
const orchestrated = { sagaMode: 'orchestration' as const };

/** The orchestrated saga: its history is the saga's own, in the order the orchestrator ran the steps. */
const orchestration: SagaModeSpec = {
  mode: 'orchestration',
  notificationTimeoutMs: 15_000,
  money: 'no-charge',
  titles: {
    happy: 'happy path: APPROVED, stock taken once, one charge for the total, one confirmation',
    declined: 'payment declined: stock released before the order is cancelled, payment DECLINED never CHARGED',
  },
  history: {
    approved: async (_customerId, order) => {
      expect(stepIndex(order, 'CHARGE_PAYMENT', 'SUCCEEDED')).toBeGreaterThan(stepIndex(order, 'RESERVE_STOCK', 'SUCCEEDED'));
    },
    outOfStock: async () => undefined,
    declined: async (_customerId, order) => {
      const released = stepIndex(order, 'RELEASE_STOCK', 'SUCCEEDED');
      const cancelled = stepIndex(order, 'CANCEL_ORDER', 'SUCCEEDED');
      expect({ released: released >= 0, cancelled: cancelled >= 0, releasedFirst: released < cancelled }).toEqual({ released: true, cancelled: true, releasedFirst: true });
      expect(stepIndex(order, 'REFUND_PAYMENT', 'STARTED')).toBe(-1); // declined: no money moved, nothing to refund
    },
  },
};

/** Straight from the order database (its service may be dead): how many sagas are in which state. */
async function sagaStatuses(orderIds: string[]): Promise<Record<string, number>> {
  const client = new Client({ connectionString: p().databaseUrl('order') });
  await client.connect();
  try {
    const result = await client.query<{ status: string; count: string }>('SELECT status, count(*) FROM sagas WHERE order_id = ANY($1::uuid[]) GROUP BY status', [orderIds]);
    return Object.fromEntries(result.rows.map((row) => [row.status, Number(row.count)]));
  } finally {
    await client.end();
  }
}

// beforeAll may first wait for another file's platform (one platform at a time: support/platform-lock.ts).
beforeAll(async () => {
  platform = await startPlatform();
}, PLATFORM_LOCK_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

describeOrderOutcomes(orchestration, () => platform);

scenario('duplicate ReserveStock (same messageId, twice): stock taken once, one reply', async () => {
  const initial = await stockLevels(p().urls.inventory);
  const bus = await RabbitMqCommandBus.connect({ url: p().rabbitUrl, connectionName: 'e2e-duplicate-command' });
  const replyKey = `e2e.replies.${randomBytes(4).toString('hex')}`;
  const replies: MessageEnvelope[] = [];
  const subscription = await bus.consume({ queue: replyKey, bindings: [replyKey], handle: async ({ envelope }) => void replies.push(envelope) });
  try {
    const orderId = `dup-${randomUUID()}`;
    const command = ReserveStock.create({ orderId, sagaId: orderId, lines: [{ sku: 'SKU-CHEESE', quantity: 2 }] }, { correlationId: orderId });
    await Promise.all([bus.send(routingKeys.reserveStock, command, { replyTo: replyKey }), bus.send(routingKeys.reserveStock, command, { replyTo: replyKey })]);
    // A sentinel sent after both: once its reply is in and a moment has passed, a second reply would have come too.
    const sentinelId = `sentinel-${randomUUID()}`;
    await bus.send(routingKeys.releaseStock, ReleaseStock.create({ orderId: sentinelId, sagaId: sentinelId }, { correlationId: sentinelId }), { replyTo: replyKey });
    await eventually(() => {
      expect(replies.some((reply) => reply.correlationId === sentinelId)).toBe(true);
      expect(replies.some((reply) => reply.correlationId === orderId)).toBe(true);
    }, 15_000, 50);
    await sleep(1_500);

    const mine = replies.filter((reply) => reply.correlationId === orderId);
    expect(mine.map((reply) => ({ type: reply.type, causationId: reply.causationId, payload: reply.payload }))).toEqual([
      { type: 'StockReserved', causationId: command.messageId, payload: { orderId, sagaId: orderId, lines: [{ sku: 'SKU-CHEESE', quantity: 2 }] } },
    ]);
    expect((await stockLevels(p().urls.inventory))['SKU-CHEESE']).toBe(initial['SKU-CHEESE']! - 2);

    // Tidy up through the same door: the release gives back exactly what was taken.
    await bus.send(routingKeys.releaseStock, ReleaseStock.create({ orderId, sagaId: orderId }, { correlationId: orderId }), { replyTo: replyKey });
    await eventually(() => expect(replies.filter((reply) => reply.correlationId === orderId).map((reply) => reply.type)).toEqual(['StockReserved', 'StockReleased']), 15_000, 50);
    expect(await stockLevels(p().urls.inventory)).toEqual(initial);
  } finally {
    await subscription.close();
    await bus.close();
  }
});

describe('Idempotency-Key on POST /orders', () => {
  scenario('same key and body: the same order; same key, other body: 409', async () => {
    const customerId = customer('idem');
    const key = `idem-${randomUUID()}`;
    const request = { customerId, items: [{ sku: 'SKU-TEA', quantity: 1 }], idempotencyKey: key, ...orchestrated };

    const first = await placeOrder(p().urls.order, request);
    const again = await placeOrder(p().urls.order, request);
    expect(first.status).toBe(202);
    expect(again.status).toBe(first.status);
    expect((again.body as PlacedOrder).orderId).toBe((first.body as PlacedOrder).orderId);
    expect((again.body as PlacedOrder).totalCents).toBe((first.body as PlacedOrder).totalCents);

    const conflicting = await placeOrder(p().urls.order, { ...request, items: [{ sku: 'SKU-TEA', quantity: 2 }] });
    expect(conflicting.status).toBe(409);
    expect(conflicting.body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });

    const orderId = (first.body as PlacedOrder).orderId;
    await waitForFinalStatus(p().urls.order, customerId, orderId, 30_000);
    expect((await listOrders(p().urls.order, customerId)).items.map((order) => order.orderId)).toEqual([orderId]);
  });

  scenario('two concurrent requests with one key create one order', async () => {
    const customerId = customer('idem-race');
    const request = { customerId, items: [{ sku: 'SKU-TEA', quantity: 1 }], idempotencyKey: `idem-${randomUUID()}`, ...orchestrated };
    const answers = await Promise.all([placeOrder(p().urls.order, request), placeOrder(p().urls.order, request)]);
    const accepted = answers.filter((answer) => answer.status === 202).map((answer) => (answer.body as PlacedOrder).orderId);
    expect(accepted.length).toBeGreaterThanOrEqual(1);
    expect(new Set(accepted).size).toBe(1);
    await waitForFinalStatus(p().urls.order, customerId, accepted[0]!, 30_000);
    expect((await listOrders(p().urls.order, customerId)).items).toHaveLength(1);
  });
});

describe('bad input is refused and creates no order', () => {
  const customerId = customer('bad');
  const item = { sku: 'SKU-APPLE', quantity: 1 };
  const cases: [string, string, number[]][] = [
    ['malformed JSON', '{"items": [', [400]],
    ['empty items', JSON.stringify({ items: [] }), [400, 422]],
    ['missing items', JSON.stringify({}), [400, 422]],
    ['quantity 0', JSON.stringify({ items: [{ sku: 'SKU-APPLE', quantity: 0 }] }), [400, 422]],
    ['quantity -1', JSON.stringify({ items: [{ sku: 'SKU-APPLE', quantity: -1 }] }), [400, 422]],
    ['quantity 1.5', JSON.stringify({ items: [{ sku: 'SKU-APPLE', quantity: 1.5 }] }), [400, 422]],
    ['unknown sku', JSON.stringify({ items: [{ sku: 'SKU-NOPE', quantity: 1 }] }), [422]],
    ['unknown sagaMode', JSON.stringify({ items: [item], sagaMode: 'telepathy' }), [400]],
  ];

  it.each(cases)('%s → %j', (_name, body, statuses) =>
    withServiceLogs(() => platform, async () => {
      const answer = await postOrderRaw(p().urls.order, customerId, body);
      expect({ statusAllowed: statuses.includes(answer.status), status: answer.status }).toEqual({ statusAllowed: true, status: answer.status });
      expect(answer.body).toEqual({ error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }) });
      expect((answer.body as ErrorBody).error.code).not.toBe('INTERNAL');
    })(),
  );

  scenario('GET /orders for that customer stays empty', async () => {
    expect((await listOrders(p().urls.order, customerId)).items).toEqual([]);
  });
});

describeProviderDown(orchestration, () => platform);

scenario('SIGKILL of the order service mid-saga: every order ends, and stock, payments and orders agree', async () => {
  const customerId = customer('sigkill');
  const skus = ['SKU-APPLE', 'SKU-BREAD', 'SKU-TEA', 'SKU-COFFEE'];
  const initial = await stockLevels(p().urls.inventory);
  const requests = Array.from({ length: 20 }, (_, i) => ({
    customerId,
    items: [{ sku: skus[i % 4]!, quantity: 1 + (i % 3) }, ...(i % 5 === 0 ? [{ sku: skus[(i + 1) % 4]!, quantity: 1 }] : [])],
    paymentToken: i % 3 === 0 ? 'tok_chargeDeclined' : 'tok_visa',
    ...orchestrated,
  }));

  const placed = await Promise.all(requests.map((request) => placeOrderAccepted(p().urls.order, request)));
  await p().kill('order', 'SIGKILL');
  console.log(`sagas when the order service was killed: ${JSON.stringify(await sagaStatuses(placed.map((order) => order.orderId)))}`);
  await p().restart('order');

  const finals = await Promise.all(placed.map(({ orderId }) => waitForFinalStatus(p().urls.order, customerId, orderId, 60_000)));
  const outcomes = finals.map((order, i) => `${requests[i]!.paymentToken} → ${order.status}${order.failureReason ? ` ${order.failureReason}` : ''}`);
  console.log(`after the restart: ${JSON.stringify(countBy(outcomes))}`);
  expectNoDeclinedCardApproved(requests, finals);

  await expectStockConserved(p(), skus, initial, finals, { timeoutMs: 10_000, intervalMs: 200 });
  await expectBooksBalance(p(), finals, 'no-charge', orchestration.notificationTimeoutMs);
}, 180_000);
