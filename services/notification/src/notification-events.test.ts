// Component tests of the event side (choreography): OrderApproved / OrderCancelled through the in-memory event log,
// NotificationSent published on notifications.events.v1 via the outbox.
import { adminBearer, testTokenVerifier } from '@saga/auth/testing';
import { randomUUID } from 'node:crypto';
import { consumerGroups, createEnvelope, OrderApproved, OrderCancelled, OrderCreated, topics, type MessageEnvelope } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { InMemoryCommandBus, InMemoryEventLog, type ConsumedEvent } from '@saga/messaging';
import { createLogger } from '@saga/platform';
import request from 'supertest';
import { createNotificationService, type NotificationService } from './notification-service';
import { eventually } from './testing/eventually';
import { ScriptedChannel } from './testing/scripted.channel';

jest.setTimeout(30_000);

let db: SqlClient;
let bus: InMemoryCommandBus;
let eventLog: InMemoryEventLog;
let service: NotificationService;
const channel = new ScriptedChannel();
const published: ConsumedEvent[] = [];

beforeAll(async () => {
  db = await createPgliteClient();
  bus = new InMemoryCommandBus();
  eventLog = new InMemoryEventLog();
  service = createNotificationService({ verifyToken: testTokenVerifier(),
    db,
    commandBus: bus,
    eventLog,
    channels: [channel],
    logger: createLogger({ service: 'notification', level: 'silent' }),
    retry: { initialDelayMs: 5, maxDelayMs: 20 },
    outboxPollIntervalMs: 50,
  });
  await service.start();
  await eventLog.subscribe({ groupId: 'test-observer', topics: [topics.notificationEvents], fromBeginning: true, handle: async (event) => void published.push(event) });
}, 60_000);

afterAll(async () => {
  await service?.stop();
  await eventLog?.close();
  await bus?.close();
  await db?.close();
});

const newOrder = () => `order-${randomUUID()}`;
const approved = (orderId: string) => OrderApproved.create({ orderId, sagaId: orderId, customerId: 'customer-3', totalCents: 990 }, { correlationId: orderId });
const cancelled = (orderId: string, reason: string) => OrderCancelled.create({ orderId, sagaId: orderId, customerId: 'customer-3', reason }, { correlationId: orderId });
const publish = (envelope: MessageEnvelope) => eventLog.publish(topics.orderEvents, [{ key: envelope.correlationId, envelope }]);
const eventsFor = (orderId: string) => published.filter((event) => event.envelope.correlationId === orderId);
const notificationsOf = async (orderId: string) => (await request(service.app).get('/notifications').set('Authorization', adminBearer()).query({ orderId }).expect(200)).body.items as Record<string, unknown>[];

/** Waits for `count` NotificationSent events about the order, then a little longer to be sure no extra one follows. */
async function awaitEvents(orderId: string, count: number): Promise<ConsumedEvent[]> {
  await eventually(() => expect(eventsFor(orderId).length).toBeGreaterThanOrEqual(count));
  await new Promise((resolve) => setTimeout(resolve, 150));
  expect(eventsFor(orderId)).toHaveLength(count);
  return eventsFor(orderId);
}

it('OrderApproved: sends ORDER_CONFIRMED, records it, publishes NotificationSent keyed by orderId', async () => {
  const orderId = newOrder();
  const event = approved(orderId);
  await publish(event);

  const [sent] = await awaitEvents(orderId, 1);
  const [item] = await notificationsOf(orderId);
  expect(item).toMatchObject({ orderId, customerId: 'customer-3', kind: 'ORDER_CONFIRMED', status: 'SENT', attempts: 1 });
  expect(sent).toMatchObject({ topic: topics.notificationEvents, key: orderId });
  expect(sent!.envelope).toMatchObject({
    type: 'NotificationSent',
    correlationId: orderId,
    causationId: event.messageId,
    payload: { orderId, sagaId: orderId, kind: 'ORDER_CONFIRMED', notificationId: item!.notificationId },
  });
  expect(channel.deliveredFor(orderId)).toHaveLength(1);
});

it('OrderCancelled: sends ORDER_CANCELLED with the reason', async () => {
  const orderId = newOrder();
  await publish(cancelled(orderId, 'DECLINED'));

  const [sent] = await awaitEvents(orderId, 1);
  const [item] = await notificationsOf(orderId);
  expect(item).toMatchObject({ kind: 'ORDER_CANCELLED', status: 'SENT', reason: 'DECLINED' });
  expect(item!.body).toContain('because the payment was declined');
  expect(sent!.envelope.payload).toMatchObject({ kind: 'ORDER_CANCELLED', notificationId: item!.notificationId });
});

it('the same event delivered twice: one delivery, one NotificationSent', async () => {
  const orderId = newOrder();
  const event = approved(orderId);
  await publish(event);
  await publish(event);

  await awaitEvents(orderId, 1);
  expect(channel.deliveredFor(orderId)).toHaveLength(1);
  expect(await notificationsOf(orderId)).toHaveLength(1);
});

it('retries a failing channel until it works, then publishes once', async () => {
  const orderId = newOrder();
  channel.failFor(orderId, 2);
  await publish(cancelled(orderId, 'OUT_OF_STOCK: SKU-RARE'));

  await awaitEvents(orderId, 1);
  expect(channel.callsFor(orderId)).toHaveLength(3);
  expect((await notificationsOf(orderId))[0]).toMatchObject({ status: 'SENT', attempts: 3 });
  expect(await eventLog.deadLetters(consumerGroups.notification)).toEqual([]);
});

it('ignores order events it does not react to, and goes on with the next one', async () => {
  const orderId = newOrder();
  const created = OrderCreated.create(
    { orderId, sagaId: orderId, customerId: 'customer-3', lines: [{ sku: 'SKU-APPLE', quantity: 1 }], totalCents: 990, currency: 'EUR', paymentToken: 'tok_visa' },
    { correlationId: orderId },
  );
  const unknown = createEnvelope('OrderShipped', 1, { orderId }, { correlationId: orderId });
  await publish(created);
  await publish(unknown);
  await publish(approved(orderId));

  await awaitEvents(orderId, 1);
  expect(channel.callsFor(orderId).map((n) => n.kind)).toEqual(['ORDER_CONFIRMED']);
  const letters = await eventLog.deadLetters(consumerGroups.notification);
  expect(letters.filter((letter) => letter.messageId === created.messageId || letter.messageId === unknown.messageId)).toEqual([]);
});

it('dead-letters an OrderCancelled that breaks its contract, with the reason, sending nothing', async () => {
  const orderId = newOrder();
  const bad = createEnvelope('OrderCancelled', 1, { orderId, sagaId: orderId, customerId: 'customer-3' }, { correlationId: orderId });
  await publish(bad);

  const letter = await eventually(async () => {
    const found = (await eventLog.deadLetters(consumerGroups.notification)).find((l) => l.messageId === bad.messageId);
    expect(found).toBeDefined();
    return found!;
  });
  expect(letter).toMatchObject({ source: topics.orderEvents, reason: expect.stringMatching(/^POISON: OrderCancelled: reason/) });
  expect(channel.callsFor(orderId)).toHaveLength(0);
  expect(await notificationsOf(orderId)).toEqual([]);
  await awaitEvents(orderId, 0);
});
