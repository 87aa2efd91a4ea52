// End to end, choreographed saga: every service its own OS process on the real PostgreSQL, RabbitMQ and Kafka, each
// reacting to the others' events. Asserts what a user sees (order status and history, stock, payments,
// notifications) and what Kafka holds (duplicates applied once, poison dead-lettered, the timeline replayable),
// including crashes of a participant, a provider outage and a second inventory instance killed mid-flow.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { OrderCreated, StockReserved, topics, type MessageEnvelope } from '@saga/contracts';
import { KafkaEventLog } from '@saga/messaging';
import { eventually } from '@saga/resilience';
import { Client } from 'pg';
import { groupMembers, kafkaAdminClient, positionGroup, withKafkaAdmin } from './support/kafka-namespace';
import {
  getOrder,
  getTimeline,
  listPayments,
  placeOrderAccepted,
  replayTimeline,
  stockLevels,
  waitForFinalStatus,
  type OrderView,
  type PlaceOrderRequest,
  type PlacedOrder,
  type SagaStep,
  type TimelineEvent,
} from './support/order-client';
import { PLATFORM_LOCK_TIMEOUT_MS, startPlatform, type Platform } from './support/platform-processes';
import { countBy, expectBooksBalance, expectNoDeclinedCardApproved, expectOneNotification, expectStockConserved, settle, stepIndex } from './support/saga-invariants';
import { customer, describeOrderOutcomes, describeProviderDown, e2eHarness, sleep, type SagaModeSpec } from './support/saga-scenarios';

jest.setTimeout(180_000);

let platform: Platform | undefined;
const { p, scenario } = e2eHarness(() => platform);
const choreographed = { sagaMode: 'choreography' as const };
/** beforeAll may first wait for another file's platform (one platform at a time: support/platform-lock.ts). */
const startTimeoutMs = PLATFORM_LOCK_TIMEOUT_MS + 120_000;
const notificationTimeoutMs = 20_000;

/**
 * The order once its history shows every one of `steps`. A choreographed order's history is read from the timeline,
 * a read model fed from four topics and twelve partitions: it catches up a moment after the order's status changes,
 * and not in causal order across topics (NotificationSent may be in before PaymentCompleted), so a test waits for
 * the whole set before it looks at the order of the entries.
 */
async function orderWithSteps(customerId: string, orderId: string, steps: readonly SagaStep[], timeoutMs = 30_000): Promise<OrderView> {
  return eventually(async () => {
    const order = await getOrder(p().urls.order, customerId, orderId);
    expect({ orderId, steps: order.history.map((entry) => entry.step) }).toEqual({ orderId, steps: expect.arrayContaining([...steps]) });
    return order;
  }, timeoutMs, 200);
}

const approvedSteps: readonly SagaStep[] = ['CREATE_ORDER', 'RESERVE_STOCK', 'CHARGE_PAYMENT', 'APPROVE_ORDER', 'NOTIFY_CONFIRMED'];
const declinedSteps: readonly SagaStep[] = ['CREATE_ORDER', 'RESERVE_STOCK', 'CHARGE_PAYMENT', 'RELEASE_STOCK', 'CANCEL_ORDER', 'NOTIFY_CANCELLED'];
const approvedEvents = ['OrderCreated', 'StockReserved', 'PaymentCompleted', 'OrderApproved', 'NotificationSent'];
const declinedEvents = ['OrderCreated', 'StockReserved', 'PaymentFailed', 'StockReleased', 'OrderCancelled', 'NotificationSent'];

/** The order's timeline once it holds exactly these event types (in the timeline's order). */
async function timelineOfTypes(customerId: string, orderId: string, types: readonly string[], timeoutMs = 30_000): Promise<{ orderId: string; events: TimelineEvent[] }> {
  return eventually(async () => {
    const timeline = await getTimeline(p().urls.order, customerId, orderId);
    expect({ orderId, types: timeline.events.map((event) => event.type) }).toEqual({ orderId, types });
    return timeline;
  }, timeoutMs, 200);
}

/** The choreographed saga: its history comes from the timeline (APPROVE_ORDER included), once it has caught up. */
const choreography: SagaModeSpec = {
  mode: 'choreography',
  notificationTimeoutMs,
  money: 'net',
  titles: {
    happy: 'happy path: APPROVED, stock taken once, one charge for the total, one confirmation, history from the timeline',
    declined: 'payment declined: stock released (C2) before the order is cancelled (C1), payment DECLINED never CHARGED',
  },
  history: {
    approved: async (customerId, final, items) => {
      expect(final).toMatchObject({ items });
      const order = await orderWithSteps(customerId, final.orderId, approvedSteps);
      for (const entry of order.history) expect(entry).toEqual({ step: expect.any(String), status: expect.any(String), at: expect.any(String), event: expect.any(String), ...(entry.detail === undefined ? {} : { detail: expect.any(String) }) });
      const positions = approvedSteps.map((step) => stepIndex(order, step));
      expect({ positions, inOrder: positions.every((at, i) => at >= 0 && (i === 0 || at > positions[i - 1]!)) }).toEqual({ positions, inOrder: true });
      expect(order.history.filter((entry) => entry.status !== 'SUCCEEDED')).toEqual([]);
    },
    outOfStock: async (customerId, final) => {
      const order = await orderWithSteps(customerId, final.orderId, ['CREATE_ORDER', 'RESERVE_STOCK', 'CANCEL_ORDER', 'NOTIFY_CANCELLED']);
      expect(stepIndex(order, 'RESERVE_STOCK', 'FAILED')).toBeGreaterThan(stepIndex(order, 'CREATE_ORDER'));
      expect(stepIndex(order, 'CANCEL_ORDER')).toBeGreaterThan(stepIndex(order, 'RESERVE_STOCK', 'FAILED'));
      expect(order.history.filter((entry) => entry.step === 'CHARGE_PAYMENT' || entry.step === 'RELEASE_STOCK')).toEqual([]);
    },
    declined: async (customerId, final) => {
      const order = await orderWithSteps(customerId, final.orderId, declinedSteps);
      const charge = stepIndex(order, 'CHARGE_PAYMENT', 'FAILED');
      const released = stepIndex(order, 'RELEASE_STOCK');
      const cancelled = stepIndex(order, 'CANCEL_ORDER');
      expect({ charge, released, cancelled, order: charge >= 0 && charge < released && released < cancelled }).toEqual({ charge, released, cancelled, order: true });
      expect(order.history[cancelled]!.detail).toBe('PAYMENT_DECLINED');
      expect(stepIndex(order, 'REFUND_PAYMENT')).toBe(-1); // declined: no money moved, nothing to refund
    },
  },
};

/**
 * The invariants every batch of orders must keep, whatever crashed meanwhile: every order final, a declined card
 * never approved, per-sku stock = initial − what approved orders took, one charge of the total per approved order and
 * no money kept for a cancelled one, one notification of the right kind per order.
 */
async function expectConsistent(requests: PlaceOrderRequest[], placed: PlacedOrder[], initial: Record<string, number>, finalTimeoutMs: number): Promise<OrderView[]> {
  const finals = await Promise.all(placed.map(({ orderId }, i) => waitForFinalStatus(p().urls.order, requests[i]!.customerId, orderId, finalTimeoutMs)));
  console.log(
    `outcomes: ${JSON.stringify(countBy(finals.map((order, i) => `${order.sagaMode} ${requests[i]!.paymentToken ?? 'tok_visa'} → ${order.status}${order.failureReason ? ` ${order.failureReason}` : ''}`)))}`,
  );
  expectNoDeclinedCardApproved(requests, finals);
  const skus = [...new Set(requests.flatMap((request) => request.items.map((item) => item.sku)))].sort();
  await expectStockConserved(p(), skus, initial, finals, { timeoutMs: 15_000, intervalMs: 250 });
  await expectBooksBalance(p(), finals, 'net', notificationTimeoutMs);
  return finals;
}

/** How many lines of a service's log contain `text` (the log is JSON lines, one per event). */
function countLines(logFile: string, text: string): number {
  return existsSync(logFile) ? readFileSync(logFile, 'utf8').split('\n').filter((line) => line.includes(text)).length : 0;
}

/** The order database's current timeline generation and its consumer group (the order service's own state). */
async function timelineGeneration(): Promise<{ generation: number; groupId: string }> {
  const client = new Client({ connectionString: p().databaseUrl('order') });
  await client.connect();
  try {
    const { rows } = await client.query<{ generation: number; group_id: string }>('SELECT generation, group_id FROM timeline_state WHERE id = 1');
    return { generation: rows[0]!.generation, groupId: rows[0]!.group_id };
  } finally {
    await client.end();
  }
}

/** A private consumer of `topic` from this run's start (not the whole log's), collecting every envelope. */
async function collectEvents(log: KafkaEventLog, topic: string): Promise<{ events: { key: string; envelope: MessageEnvelope }[]; close: () => Promise<void> }> {
  const groupId = `e2e-reader-${p().run}-${randomBytes(3).toString('hex')}`;
  await positionGroup(kafkaAdminClient(p().kafkaBrokers), groupId, { [topic]: p().kafkaStart[topic]! });
  const events: { key: string; envelope: MessageEnvelope }[] = [];
  const subscription = await log.subscribe({ groupId, topics: [topic], fromBeginning: true, handle: async ({ key, envelope }) => void events.push({ key, envelope }) });
  return {
    events,
    close: async () => {
      await subscription.close();
      // Tidy: the reader's group and the dead-letter topic its subscription created.
      await withKafkaAdmin(p().kafkaBrokers, async (admin) => {
        await admin.deleteGroups([groupId]).catch(() => undefined);
        await admin.deleteTopics({ topics: [`${groupId}.dlt`] }).catch(() => undefined);
      });
    },
  };
}

describe('choreographed saga', () => {
  beforeAll(async () => {
    platform = await startPlatform();
  }, startTimeoutMs);

  afterAll(async () => {
    await platform?.stop();
    platform = undefined;
  }, 60_000);

  describeOrderOutcomes(choreography, () => platform);

  describeProviderDown(choreography, () => platform);

  scenario('the same OrderCreated delivered twice: stock taken once, one StockReserved', async () => {
    const initial = await stockLevels(p().urls.inventory);
    const log = await KafkaEventLog.connect({ brokers: p().kafkaBrokers, clientId: 'e2e-duplicate-event' });
    const reader = await collectEvents(log, topics.inventoryEvents);
    try {
      // An order the order service never saw: only the participants react to it.
      const orderId = randomUUID();
      const created = OrderCreated.create(
        { orderId, sagaId: orderId, customerId: customer('dup'), lines: [{ sku: 'SKU-APPLE', quantity: 1 }], totalCents: 120, currency: 'EUR', paymentToken: 'tok_visa' },
        { correlationId: orderId },
      );
      await log.publish(topics.orderEvents, [{ key: orderId, envelope: created }]);
      await log.publish(topics.orderEvents, [{ key: orderId, envelope: created }]);
      // A sentinel on the same partition (same key), after both copies: inventory handles a partition in order, so
      // once the sentinel's outcome is out, the copies were both handled and their outcomes published before it.
      const sentinelId = randomUUID();
      const sentinel = OrderCreated.create(
        { orderId: sentinelId, sagaId: sentinelId, customerId: customer('dup-sentinel'), lines: [{ sku: 'SKU-TEA', quantity: 1 }], totalCents: 450, currency: 'EUR', paymentToken: 'tok_visa' },
        { correlationId: sentinelId },
      );
      await log.publish(topics.orderEvents, [{ key: orderId, envelope: sentinel }]);

      await eventually(() => {
        expect(reader.events.some(({ envelope }) => envelope.correlationId === sentinelId && StockReserved.is(envelope))).toBe(true);
        expect(reader.events.some(({ key }) => key === orderId)).toBe(true);
      }, 30_000, 100);
      await sleep(1_500); // a second StockReserved would have been published before the sentinel's: this is margin

      const mine = reader.events.filter(({ key }) => key === orderId);
      expect(mine.map(({ envelope }) => ({ type: envelope.type, causationId: envelope.causationId, payload: envelope.payload }))).toEqual([
        { type: 'StockReserved', causationId: created.messageId, payload: { orderId, sagaId: orderId, lines: [{ sku: 'SKU-APPLE', quantity: 1 }] } },
      ]);
      const stock = await stockLevels(p().urls.inventory);
      expect({ apple: stock['SKU-APPLE'], tea: stock['SKU-TEA'] }).toEqual({ apple: initial['SKU-APPLE']! - 1, tea: initial['SKU-TEA']! - 1 });
      // Payment remembered the order once too: one charge, not two (it dedupes OrderCreated and charges on StockReserved).
      await eventually(async () => expect((await listPayments(p().urls.payment, orderId)).map((x) => ({ status: x.status, amountCents: x.amountCents }))).toEqual([{ status: 'CHARGED', amountCents: 120 }]), 15_000, 200);
    } finally {
      await reader.close();
      await log.close();
    }
  });

  scenario('SIGKILL of inventory mid-flow, then a restart: every order ends, and stock, payments and orders agree', async () => {
    const customerId = customer('sigkill');
    const skus = ['SKU-APPLE', 'SKU-BREAD', 'SKU-TEA', 'SKU-COFFEE'];
    const initial = await stockLevels(p().urls.inventory);
    const requests: PlaceOrderRequest[] = Array.from({ length: 20 }, (_, i) => ({
      customerId,
      items: [{ sku: skus[i % 4]!, quantity: 1 + (i % 3) }, ...(i % 5 === 0 ? [{ sku: skus[(i + 1) % 4]!, quantity: 1 }] : [])],
      paymentToken: i % 3 === 0 ? 'tok_chargeDeclined' : 'tok_visa',
      ...choreographed,
    }));
    try {
      const placed = await Promise.all(requests.map((request) => placeOrderAccepted(p().urls.order, request)));
      await p().kill('inventory', 'SIGKILL');
      const pending = (await Promise.all(placed.map(({ orderId }) => getOrder(p().urls.order, customerId, orderId)))).filter((order) => order.status === 'PENDING').length;
      console.log(`inventory killed with ${pending} of ${placed.length} orders still PENDING`);
      await sleep(1_000);
      await p().restart('inventory');
      await expectConsistent(requests, placed, initial, 90_000);
    } finally {
      if (!p().isRunning('inventory')) await p().restart('inventory');
    }
  }, 240_000);

  scenario('mixed load: 100 orders, orchestrated and choreographed alternately, in waves of 20: every order ends and the books balance', async () => {
    const customers = { orchestration: customer('mixed-orch'), choreography: customer('mixed-choreo') };
    const skus = ['SKU-APPLE', 'SKU-BREAD', 'SKU-TEA', 'SKU-COFFEE'];
    const initial = await stockLevels(p().urls.inventory);
    const requests: PlaceOrderRequest[] = Array.from({ length: 100 }, (_, i) => {
      const sagaMode = i % 2 === 0 ? ('orchestration' as const) : ('choreography' as const);
      return {
        customerId: customers[sagaMode],
        items: [{ sku: skus[i % 4]!, quantity: 1 + (i % 2) }, ...(i % 3 === 0 ? [{ sku: skus[(i + 2) % 4]!, quantity: 1 }] : [])],
        paymentToken: i % 5 === 4 ? 'tok_chargeDeclined' : 'tok_visa',
        sagaMode,
      };
    });
    const placed: PlacedOrder[] = [];
    try {
      const started = Date.now();
      for (let wave = 0; wave < requests.length; wave += 20) {
        placed.push(...(await Promise.all(requests.slice(wave, wave + 20).map((request) => placeOrderAccepted(p().urls.order, request)))));
      }
      const finals = await expectConsistent(requests, placed, initial, 120_000);
      console.log(`mixed load: ${finals.length} orders placed and checked in ${Date.now() - started} ms`);
      expect(countBy(finals.map((order) => order.sagaMode))).toEqual({ orchestration: 50, choreography: 50 });
    } finally {
      await settle(p(), (orderId) => requests[placed.findIndex((order) => order.orderId === orderId)]!.customerId, placed);
    }
  }, 300_000);

  scenario('replay: POST /admin/replay rebuilds the timeline from the log, event for event', async () => {
    const customerId = customer('replay');
    const tokens = ['tok_visa', 'tok_chargeDeclined', 'tok_visa'];
    const placed = await Promise.all(tokens.map((paymentToken, i) => placeOrderAccepted(p().urls.order, { customerId, items: [{ sku: 'SKU-TEA', quantity: 1 + i }], paymentToken, ...choreographed })));
    // Wait until each saga has ended and its timeline holds every event of it: nothing about these orders comes later.
    const before: { orderId: string; events: TimelineEvent[] }[] = [];
    for (const [i, { orderId }] of placed.entries()) before.push(await timelineOfTypes(customerId, orderId, tokens[i] === 'tok_visa' ? approvedEvents : declinedEvents));
    for (const event of before.flatMap((timeline) => timeline.events)) {
      expect(event).toEqual<TimelineEvent>({
        messageId: expect.any(String),
        orderId: expect.any(String),
        type: expect.any(String),
        topic: expect.stringMatching(/^(orders|inventory|payments|notifications)\.events\.v1$/),
        partition: expect.any(Number),
        offset: expect.stringMatching(/^\d+$/),
        occurredAt: expect.any(String),
        payload: expect.any(Object),
      });
    }
    const histories = await Promise.all(placed.map(({ orderId }) => getOrder(p().urls.order, customerId, orderId).then((order) => order.history)));

    const { generation, groupId } = await timelineGeneration();
    const answer = await replayTimeline(p().urls.order);
    expect(answer).toMatchObject({ status: 202, body: { generation: generation + 1 } });
    // A new consumer group, never used before: it reads from offset 0, it cannot resume anyone's offsets.
    expect((answer.body as { groupId: string }).groupId).not.toBe(groupId);

    // Events keep flowing during the rebuild: an order placed now completes and shows up in the new timeline too.
    const during = await placeOrderAccepted(p().urls.order, { customerId, items: [{ sku: 'SKU-TEA', quantity: 1 }], ...choreographed });
    await eventually(async () => {
      const after = await Promise.all(placed.map(({ orderId }) => getTimeline(p().urls.order, customerId, orderId)));
      expect(after).toEqual(before);
    }, 60_000, 500);
    expect(await Promise.all(placed.map(({ orderId }) => getOrder(p().urls.order, customerId, orderId).then((order) => order.history)))).toEqual(histories);
    await timelineOfTypes(customerId, during.orderId, approvedEvents);
    expect((await orderWithSteps(customerId, during.orderId, approvedSteps)).status).toBe('APPROVED');
  }, 120_000);

  scenario('poison event on orders.events.v1: dead-lettered by every group that reads it, with the reason; the next order completes', async () => {
    const poison = `not an envelope: e2e ${p().run} ${randomUUID()} {`;
    const groups = ['inventory-service', 'payment-service', 'notification-service', (await timelineGeneration()).groupId];
    const producer = kafkaAdminClient(p().kafkaBrokers, 'e2e-poison').producer();
    await producer.connect();
    try {
      await producer.send({ topic: topics.orderEvents, acks: -1, messages: [{ key: `poison-${randomUUID()}`, value: poison }] });
    } finally {
      await producer.disconnect();
    }

    const log = await KafkaEventLog.connect({ brokers: p().kafkaBrokers, clientId: 'e2e-dead-letters' });
    try {
      await eventually(async () => {
        const found = await Promise.all(
          groups.map(async (groupId) => {
            const letter = (await log.deadLetters(groupId)).find((entry) => entry.raw === poison);
            return { groupId, source: letter?.source, hasReason: (letter?.reason.length ?? 0) > 0 };
          }),
        );
        expect(found).toEqual(groups.map((groupId) => ({ groupId, source: topics.orderEvents, hasReason: true })));
      }, 30_000, 1_000);
      const letter = (await log.deadLetters('inventory-service')).find((entry) => entry.raw === poison);
      console.log(`inventory-service dead-lettered the poison event: ${letter?.reason}`);
    } finally {
      await log.close();
    }

    const customerId = customer('after-poison');
    const placed = await placeOrderAccepted(p().urls.order, { customerId, items: [{ sku: 'SKU-APPLE', quantity: 1 }], ...choreographed });
    expect(await waitForFinalStatus(p().urls.order, customerId, placed.orderId, 30_000)).toMatchObject({ status: 'APPROVED' });
    await expectOneNotification(p(), placed.orderId, 'ORDER_CONFIRMED', notificationTimeoutMs);
  }, 120_000);
});

describe('two inventory instances, one killed while events flow', () => {
  beforeAll(async () => {
    // info logs: each instance's log then says which events it handled (and which it skipped as duplicates).
    platform = await startPlatform({ extraInstances: { inventory: 1 }, env: { inventory: { LOG_LEVEL: 'info' } } });
  }, startTimeoutMs);

  afterAll(async () => {
    await platform?.stop();
    platform = undefined;
  }, 60_000);

  scenario('SIGKILL of one inventory instance mid-burst loses nothing and applies nothing twice', async () => {
    // Both instances are members of the inventory's consumer group, each with its share of the partitions.
    await eventually(async () => {
      const group = await withKafkaAdmin(p().kafkaBrokers, (admin) => groupMembers(admin, 'inventory-service'));
      expect({ state: group.state, members: group.members.length }).toEqual({ state: 'Stable', members: 2 });
    }, 30_000, 500);

    const customerId = customer('two-instances');
    const skus = ['SKU-APPLE', 'SKU-BREAD', 'SKU-TEA', 'SKU-COFFEE', 'SKU-CHEESE'];
    const initial = await stockLevels(p().urls.inventory);
    const requests: PlaceOrderRequest[] = Array.from({ length: 30 }, (_, i) => ({
      customerId,
      items: [{ sku: skus[i % 5]!, quantity: 1 + (i % 2) }, ...(i % 4 === 0 ? [{ sku: skus[(i + 1) % 5]!, quantity: 1 }] : [])],
      paymentToken: i % 4 === 3 ? 'tok_chargeDeclined' : 'tok_visa',
      ...choreographed,
    }));
    const placing = Promise.all(requests.map((request) => placeOrderAccepted(p().urls.order, request)));
    // Mid-flow: as soon as the second instance has handled a few events (so it surely owns partitions with work on them).
    const handledBy = (instance: 'inventory' | 'inventory#2') => countLines(join(p().logDir, `${instance}.log`), '"msg":"event handled"');
    await eventually(() => expect(handledBy('inventory#2')).toBeGreaterThanOrEqual(3), 30_000, 10);
    await p().kill('inventory#2', 'SIGKILL');
    const atKill = { 'inventory#2': handledBy('inventory#2'), inventory: handledBy('inventory') };
    const placed = await placing;
    const pending = (await Promise.all(placed.map(({ orderId }) => getOrder(p().urls.order, customerId, orderId)))).filter((order) => order.status === 'PENDING').length;
    console.log(`inventory#2 killed after handling ${atKill['inventory#2']} events (inventory: ${atKill.inventory}); ${pending} of ${placed.length} orders still PENDING`);

    // The survivor takes the dead member's partitions once its session times out, and resumes at the last commit.
    await expectConsistent(requests, placed, initial, 120_000);
    const skipped = countLines(join(p().logDir, 'inventory.log'), '"msg":"duplicate event skipped"');
    console.log(`afterwards: inventory handled ${handledBy('inventory')} events in all, and skipped ${skipped} already-applied redeliveries`);
    expect(pending).toBeGreaterThan(0); // the kill did happen mid-flow
  }, 240_000);
});
