// End to end, orchestrated saga: every service its own OS process on the real PostgreSQL and RabbitMQ, asserting
// what a user sees (order status, stock, payments, notifications), including crashes and an outage of the provider.
import { randomBytes, randomUUID } from 'node:crypto';
import { ReleaseStock, ReserveStock, routingKeys, type MessageEnvelope } from '@saga/contracts';
import { RabbitMqCommandBus } from '@saga/messaging';
import { eventually } from '@saga/resilience';
import { Client } from 'pg';
import {
  getOrder,
  listNotifications,
  listOrders,
  listPayments,
  listProducts,
  placeOrder,
  placeOrderAccepted,
  postOrderRaw,
  stockLevels,
  waitForFinalStatus,
  type ErrorBody,
  type OrderItem,
  type OrderView,
  type PlacedOrder,
} from './support/order-client';
import { PLATFORM_LOCK_TIMEOUT_MS, startPlatform, withServiceLogs, type Platform } from './support/platform-processes';

jest.setTimeout(120_000);

let platform: Platform | undefined;
const p = (): Platform => {
  if (!platform) throw new Error('the platform did not start: see the beforeAll error');
  return platform;
};
const scenario = (name: string, body: () => Promise<void>, timeoutMs?: number) => it(name, withServiceLogs(() => platform, body), timeoutMs);
const customer = (name: string) => `cust-${name}-${randomBytes(3).toString('hex')}`;
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const orchestrated = { sagaMode: 'orchestration' as const };

/** What the order should cost, from the catalog's prices. */
async function priceOf(items: OrderItem[]): Promise<number> {
  const prices = new Map((await listProducts(p().urls.inventory)).map((product) => [product.sku, product.priceCents]));
  return items.reduce((sum, item) => sum + (prices.get(item.sku) ?? NaN) * item.quantity, 0);
}

const stepIndex = (order: OrderView, step: string, status: string) => order.history.findIndex((entry) => entry.step === step && entry.status === status);

/** The one notification an order ends with (its kind must match), once the notification service has it. */
async function expectOneNotification(orderId: string, kind: 'ORDER_CONFIRMED' | 'ORDER_CANCELLED'): Promise<void> {
  await eventually(async () => {
    const notifications = await listNotifications(p().urls.notification, orderId);
    expect(notifications.map((n) => ({ kind: n.kind, status: n.status }))).toEqual([{ kind, status: 'SENT' }]);
  }, 15_000, 200);
}

/**
 * After a failed scenario: gives its orders time to end, so their sagas do not change the stock under the next
 * scenario, and says how they ended (shown with the failure).
 */
async function settle(customerId: string, placed: PlacedOrder[], timeoutMs = 60_000): Promise<void> {
  const ended = await Promise.all(
    placed.map(({ orderId }) =>
      waitForFinalStatus(p().urls.order, customerId, orderId, timeoutMs).then(
        (order) => `${order.status}${order.failureReason ? ` ${order.failureReason}` : ''}`,
        () => 'still PENDING',
      ),
    ),
  );
  const counts = ended.reduce<Record<string, number>>((all, status) => ({ ...all, [status]: (all[status] ?? 0) + 1 }), {});
  console.log(`orders of ${customerId} after the scenario: ${JSON.stringify(counts)}`);
}

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

scenario('happy path: APPROVED, stock taken once, one charge for the total, one confirmation', async () => {
  const customerId = customer('happy');
  const items = [{ sku: 'SKU-APPLE', quantity: 3 }, { sku: 'SKU-TEA', quantity: 2 }];
  const initial = await stockLevels(p().urls.inventory);
  const expectedTotal = await priceOf(items);

  const placed = await placeOrderAccepted(p().urls.order, { customerId, items, ...orchestrated });
  expect(placed).toEqual({ orderId: expect.any(String), status: 'PENDING', sagaMode: 'orchestration', totalCents: expectedTotal });

  const order = await waitForFinalStatus(p().urls.order, customerId, placed.orderId, 30_000);
  expect(order).toMatchObject({ orderId: placed.orderId, customerId, status: 'APPROVED', sagaMode: 'orchestration', totalCents: expectedTotal });
  expect(order.failureReason).toBeUndefined();
  expect(stepIndex(order, 'CHARGE_PAYMENT', 'SUCCEEDED')).toBeGreaterThan(stepIndex(order, 'RESERVE_STOCK', 'SUCCEEDED'));

  const stock = await stockLevels(p().urls.inventory);
  expect({ apple: stock['SKU-APPLE'], tea: stock['SKU-TEA'] }).toEqual({ apple: initial['SKU-APPLE']! - 3, tea: initial['SKU-TEA']! - 2 });
  const payments = await listPayments(p().urls.payment, placed.orderId);
  expect(payments.map((x) => ({ status: x.status, amountCents: x.amountCents }))).toEqual([{ status: 'CHARGED', amountCents: expectedTotal }]);
  await expectOneNotification(placed.orderId, 'ORDER_CONFIRMED');
});

scenario('out of stock: CANCELLED OUT_OF_STOCK, stock unchanged, no payment, one cancellation notice', async () => {
  const customerId = customer('oos');
  const initial = await stockLevels(p().urls.inventory);
  const items = [{ sku: 'SKU-RARE', quantity: initial['SKU-RARE']! + 1 }];

  const placed = await placeOrderAccepted(p().urls.order, { customerId, items, ...orchestrated });
  const order = await waitForFinalStatus(p().urls.order, customerId, placed.orderId, 30_000);
  expect(order).toMatchObject({ status: 'CANCELLED', failureReason: 'OUT_OF_STOCK' });

  await expectOneNotification(placed.orderId, 'ORDER_CANCELLED');
  expect(await stockLevels(p().urls.inventory)).toEqual(initial);
  expect(await listPayments(p().urls.payment, placed.orderId)).toEqual([]);
});

scenario('payment declined: stock released before the order is cancelled, payment DECLINED never CHARGED', async () => {
  const customerId = customer('declined');
  const items = [{ sku: 'SKU-COFFEE', quantity: 2 }];
  const initial = await stockLevels(p().urls.inventory);

  const placed = await placeOrderAccepted(p().urls.order, { customerId, items, paymentToken: 'tok_chargeDeclined', ...orchestrated });
  const order = await waitForFinalStatus(p().urls.order, customerId, placed.orderId, 30_000);
  expect(order).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' });
  const released = stepIndex(order, 'RELEASE_STOCK', 'SUCCEEDED');
  const cancelled = stepIndex(order, 'CANCEL_ORDER', 'SUCCEEDED');
  expect({ released: released >= 0, cancelled: cancelled >= 0, releasedFirst: released < cancelled }).toEqual({ released: true, cancelled: true, releasedFirst: true });
  expect(stepIndex(order, 'REFUND_PAYMENT', 'STARTED')).toBe(-1); // declined: no money moved, nothing to refund

  // Cancelled means the stock is already back (C2 runs before C1).
  expect(await stockLevels(p().urls.inventory)).toEqual(initial);
  const payments = await listPayments(p().urls.payment, placed.orderId);
  expect(payments.map((x) => x.status)).toEqual(['DECLINED']);
  await expectOneNotification(placed.orderId, 'ORDER_CANCELLED');
});

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

describe('payment provider down', () => {
  scenario('every order is cancelled promptly (PAYMENT_PROVIDER_UNAVAILABLE or PAYMENT_TIMEOUT) and its stock comes back', async () => {
    const customerId = customer('provider-down');
    const initial = await stockLevels(p().urls.inventory);
    let placed: PlacedOrder[] = [];
    await p().kill('provider');
    try {
      placed = await Promise.all(
        Array.from({ length: 8 }, () => placeOrderAccepted(p().urls.order, { customerId, items: [{ sku: 'SKU-BREAD', quantity: 1 }], ...orchestrated })),
      );
      const outcomes = await Promise.all(
        placed.map(async ({ orderId }) => {
          try {
            const order = await waitForFinalStatus(p().urls.order, customerId, orderId, 20_000);
            return { orderId, status: order.status, failureReason: order.failureReason };
          } catch (error) {
            const order = await getOrder(p().urls.order, customerId, orderId).catch(() => undefined);
            return { orderId, status: order?.status ?? 'UNKNOWN', failureReason: order?.failureReason, stuck: order?.history.slice(-4) ?? String(error) };
          }
        }),
      );
      expect(outcomes).toEqual(
        placed.map(({ orderId }) => ({ orderId, status: 'CANCELLED', failureReason: expect.stringMatching(/^(PAYMENT_PROVIDER_UNAVAILABLE|PAYMENT_TIMEOUT)$/) })),
      );
      expect(await stockLevels(p().urls.inventory)).toEqual(initial);
      for (const { orderId } of placed) {
        expect((await listPayments(p().urls.payment, orderId)).filter((payment) => payment.status === 'CHARGED')).toEqual([]);
      }
      for (const { orderId } of placed) await expectOneNotification(orderId, 'ORDER_CANCELLED');
    } finally {
      // Whatever happened, the next scenarios get a running provider and a quiet platform.
      if (!p().isRunning('provider')) await p().restart('provider');
      await settle(customerId, placed);
    }
  }, 180_000);

  scenario('once the provider is back, a new order is APPROVED', async () => {
    const customerId = customer('provider-back');
    if (!p().isRunning('provider')) await p().restart('provider');
    // The payment service's breaker may still be open for a few seconds (10 s reset), so the first orders may
    // be refused; within 45 s a new order goes through.
    const attempts: { status: string; failureReason?: string }[] = [];
    const deadline = Date.now() + 45_000;
    while (Date.now() < deadline && attempts.at(-1)?.status !== 'APPROVED') {
      const { orderId } = await placeOrderAccepted(p().urls.order, { customerId, items: [{ sku: 'SKU-BREAD', quantity: 1 }], ...orchestrated });
      const order = await waitForFinalStatus(p().urls.order, customerId, orderId, 30_000);
      attempts.push({ status: order.status, ...(order.failureReason ? { failureReason: order.failureReason } : {}) });
      if (order.status !== 'APPROVED') await sleep(2_000);
    }
    expect(attempts.at(-1)).toEqual({ status: 'APPROVED' });
  }, 120_000);
});

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
  console.log(`after the restart: ${JSON.stringify(outcomes.reduce<Record<string, number>>((all, o) => ({ ...all, [o]: (all[o] ?? 0) + 1 }), {}))}`);
  const declinedTokenApproved = finals.filter((order, i) => requests[i]!.paymentToken === 'tok_chargeDeclined' && order.status === 'APPROVED');
  expect(declinedTokenApproved).toEqual([]);

  const approved = finals.filter((order) => order.status === 'APPROVED');
  const taken = (sku: string) => approved.flatMap((order) => order.items).filter((item) => item.sku === sku).reduce((sum, item) => sum + item.quantity, 0);
  await eventually(async () => {
    const stock = await stockLevels(p().urls.inventory);
    expect(Object.fromEntries(skus.map((sku) => [sku, stock[sku]]))).toEqual(Object.fromEntries(skus.map((sku) => [sku, initial[sku]! - taken(sku)])));
  }, 10_000, 200);

  for (const order of finals) {
    const payments = await listPayments(p().urls.payment, order.orderId);
    const charged = payments.filter((payment) => payment.status === 'CHARGED');
    if (order.status === 'APPROVED') expect({ orderId: order.orderId, charged: charged.map((x) => x.amountCents) }).toEqual({ orderId: order.orderId, charged: [order.totalCents] });
    else expect({ orderId: order.orderId, charged }).toEqual({ orderId: order.orderId, charged: [] });
  }
  for (const order of finals) await expectOneNotification(order.orderId, order.status === 'APPROVED' ? 'ORDER_CONFIRMED' : 'ORDER_CANCELLED');
}, 180_000);
