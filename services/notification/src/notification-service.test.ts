// Component tests: the whole service on PGlite and the in-memory command bus, driven through its queue and its HTTP API.
import { adminBearer, testTokenVerifier } from '@saga/auth/testing';
import { randomUUID } from 'node:crypto';
import { queues, routingKeys, SendNotification, type MessageEnvelope } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { InMemoryCommandBus, type ConsumedCommand } from '@saga/messaging';
import request from 'supertest';
import { notificationListSchema } from './http/notification.routes';
import { createNotificationService, type NotificationService } from './notification-service';
import { eventually } from './testing/eventually';
import { captureLogs } from './testing/log-lines';
import { ScriptedChannel } from './testing/scripted.channel';

jest.setTimeout(30_000);

describe('notification service', () => {
  let db: SqlClient;
  let bus: InMemoryCommandBus;
  let service: NotificationService;
  const channel = new ScriptedChannel();
  const logs = captureLogs();
  const replies: ConsumedCommand[] = [];
  // A clock that ticks one second per reading: "newest first" is then deterministic.
  let tick = Date.parse('2030-01-01T00:00:00Z');
  const clock = { now: () => new Date((tick += 1_000)) };

  beforeAll(async () => {
    db = await createPgliteClient();
    bus = new InMemoryCommandBus();
    // Bounded as in production, but wide enough that a channel a test holds down is never dead-lettered meanwhile.
    service = createNotificationService({ verifyToken: testTokenVerifier(), db, commandBus: bus, channels: [channel], logger: logs.logger, clock, retry: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 1_000 }, outboxPollIntervalMs: 50 });
    await service.start();
    await bus.consume({ queue: queues.orderSagaReplies, bindings: [routingKeys.sagaReply], handle: async (reply) => void replies.push(reply) });
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await db?.close();
  });

  const command = (kind: 'ORDER_CONFIRMED' | 'ORDER_CANCELLED', orderId = `order-${randomUUID()}`, reason?: string) =>
    SendNotification.create(
      { orderId, sagaId: `saga-${orderId}`, customerId: 'customer-7', kind, ...(reason === undefined ? {} : { reason }) },
      { correlationId: orderId },
    );
  const repliesFor = (orderId: string) => replies.filter((reply) => (reply.envelope.payload as { orderId: string }).orderId === orderId);
  const notificationsOf = async (orderId: string) => {
    const response = await request(service.app).get('/notifications').set('Authorization', adminBearer()).query({ orderId }).expect(200);
    // Every list a test reads is also held to the documented schema (PENDING, FAILED, SENT; lastError null or not).
    expect(notificationListSchema.parse(response.body)).toEqual(response.body);
    return response.body.items as Record<string, unknown>[];
  };
  /** Waits until the service logged `msg` about this order: the handler has finished with it. */
  const logged = (orderId: string, msg: string) => eventually(() => expect(logs.lines.some((line) => line.msg === msg && line.orderId === orderId)).toBe(true));
  const send = (envelope: MessageEnvelope, replyTo?: string) => bus.send(routingKeys.notify, envelope, replyTo === undefined ? {} : { replyTo });

  it('sends and records an order confirmation, and replies NotificationSent to the saga', async () => {
    const cmd = command('ORDER_CONFIRMED');
    const { orderId } = cmd.payload;
    await send(cmd);

    const [reply] = await eventually(() => {
      const found = repliesFor(orderId);
      expect(found).toHaveLength(1);
      return found;
    });
    const [item] = await notificationsOf(orderId);
    expect(reply!.envelope).toMatchObject({
      type: 'NotificationSent',
      correlationId: orderId,
      causationId: cmd.messageId,
      payload: { orderId, sagaId: `saga-${orderId}`, kind: 'ORDER_CONFIRMED', notificationId: item!.notificationId },
    });
    expect(item).toMatchObject({
      orderId,
      sagaId: `saga-${orderId}`,
      customerId: 'customer-7',
      kind: 'ORDER_CONFIRMED',
      channel: 'test',
      subject: `Your order ${orderId} is confirmed`,
      reason: null,
      status: 'SENT',
      attempts: 1,
      lastError: null,
    });
    expect(typeof item!.sentAt).toBe('string');
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
  });

  it('sends a cancellation notice that gives the reason', async () => {
    const cmd = command('ORDER_CANCELLED', undefined, 'OUT_OF_STOCK: sku-9');
    const { orderId } = cmd.payload;
    await send(cmd);

    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    const [item] = await notificationsOf(orderId);
    expect(item).toMatchObject({ kind: 'ORDER_CANCELLED', status: 'SENT', reason: 'OUT_OF_STOCK: sku-9' });
    expect(item!.body).toContain('because some items are out of stock (sku-9)');
    expect(repliesFor(orderId)[0]!.envelope.payload).toMatchObject({ kind: 'ORDER_CANCELLED', notificationId: item!.notificationId });
  });

  it('replies to the routing key the command asks for', async () => {
    const replyQueue = `test.replies.${randomUUID()}`;
    const privateReplies: ConsumedCommand[] = [];
    await bus.consume({ queue: replyQueue, bindings: [replyQueue], handle: async (reply) => void privateReplies.push(reply) });
    const cmd = command('ORDER_CONFIRMED');
    await send(cmd, replyQueue);

    await eventually(() => expect(privateReplies).toHaveLength(1));
    expect(privateReplies[0]!.envelope.payload).toMatchObject({ orderId: cmd.payload.orderId });
    expect(repliesFor(cmd.payload.orderId)).toHaveLength(0);
  });

  it('handles a redelivered command once: one notification, one delivery, one reply', async () => {
    const cmd = command('ORDER_CONFIRMED');
    const { orderId } = cmd.payload;
    await send(cmd);
    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    await send(cmd);

    await logged(orderId, 'duplicate SendNotification skipped');
    expect(repliesFor(orderId)).toHaveLength(1);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    expect(await notificationsOf(orderId)).toHaveLength(1);
  });

  it('does not notify twice for another command about the same order and kind, but answers it with the same notification', async () => {
    const first = command('ORDER_CONFIRMED');
    const { orderId } = first.payload;
    await send(first);
    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    await send(command('ORDER_CONFIRMED', orderId));

    const [a, b] = await eventually(() => {
      const found = repliesFor(orderId);
      expect(found).toHaveLength(2);
      return found;
    });
    expect(b!.envelope.payload).toEqual(a!.envelope.payload);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    expect(await notificationsOf(orderId)).toHaveLength(1);
  });

  it('keeps retrying a failing channel until it works, then records one SENT notification', async () => {
    const cmd = command('ORDER_CONFIRMED');
    const { orderId } = cmd.payload;
    channel.failFor(orderId, 2);
    await send(cmd);

    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    expect(channel.callsFor(orderId)).toHaveLength(3);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    const items = await notificationsOf(orderId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: 'SENT', attempts: 3, lastError: `channel "test" failed: channel down for ${orderId}` });
    // The same record was retried, so the saga hears about the id it will see over HTTP.
    expect(repliesFor(orderId)[0]!.envelope.payload).toMatchObject({ notificationId: items[0]!.notificationId });
  });

  it('shows a notification as FAILED while its channel is down, without replying or dead-lettering', async () => {
    const cmd = command('ORDER_CANCELLED', undefined, 'DECLINED');
    const { orderId } = cmd.payload;
    channel.failFor(orderId, Number.POSITIVE_INFINITY);
    await send(cmd);

    await eventually(async () => expect((await notificationsOf(orderId))[0]).toMatchObject({ status: 'FAILED', attempts: expect.any(Number), sentAt: null }));
    await eventually(() => expect(channel.callsFor(orderId).length).toBeGreaterThan(3));
    expect(repliesFor(orderId)).toHaveLength(0);
    expect((await bus.peekDeadLetters()).filter((letter) => letter.messageId === cmd.messageId)).toHaveLength(0);

    channel.heal(orderId);
    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    const [item] = await notificationsOf(orderId);
    expect(item).toMatchObject({ status: 'SENT' });
    expect(item!.attempts).toBeGreaterThan(3);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
  });

  it('dead-letters a command that breaks the contract, without sending or recording anything', async () => {
    const orderId = `order-${randomUUID()}`;
    const bad = { ...command('ORDER_CONFIRMED', orderId), payload: { orderId, sagaId: 's', customerId: 'c', kind: 'ORDER_LOST' } };
    await bus.send(routingKeys.notify, bad);

    const letter = await eventually(async () => {
      const found = (await bus.peekDeadLetters()).find((l) => l.messageId === bad.messageId);
      expect(found).toBeDefined();
      return found!;
    });
    expect(letter.source).toBe(queues.notificationCommands);
    expect(letter.reason).toMatch(/^POISON: SendNotification: kind/);
    expect(channel.callsFor(orderId)).toHaveLength(0);
    expect(await notificationsOf(orderId)).toEqual([]);
  });

  it('lists an order\'s notifications newest first', async () => {
    const orderId = `order-${randomUUID()}`;
    await send(command('ORDER_CONFIRMED', orderId));
    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    await send(command('ORDER_CANCELLED', orderId, 'TIMEOUT'));
    await eventually(() => expect(repliesFor(orderId)).toHaveLength(2));

    expect((await notificationsOf(orderId)).map((item) => item.kind)).toEqual(['ORDER_CANCELLED', 'ORDER_CONFIRMED']);
  });

  it('answers 400 when orderId is missing', async () => {
    const response = await request(service.app).get('/notifications').set('Authorization', adminBearer()).expect(400);
    expect(response.body).toEqual({
      error: { code: 'VALIDATION_FAILED', message: 'Request validation failed', details: [{ path: 'orderId', message: 'orderId is required' }] },
    });
  });

  it('is ready once it consumes commands', async () => {
    await request(service.app).get('/health/ready').expect(200);
  });
});
