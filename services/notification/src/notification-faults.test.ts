// Fault injection in the notification service: the /admin/faults API, `send` failures retried like a channel outage,
// and the consumer's duplicate / crash-after-commit deliveries absorbed by the inbox.
import { adminBearer, bearerFor, testTokenVerifier } from '@saga/auth/testing';
import { randomUUID } from 'node:crypto';
import { OrderApproved, queues, routingKeys, SendNotification, topics } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { InMemoryCommandBus, InMemoryEventLog, type ConsumedCommand, type ConsumedEvent } from '@saga/messaging';
import request from 'supertest';
import { createNotificationFaults } from './faults';
import { createNotificationService, type NotificationService } from './notification-service';
import { eventually } from './testing/eventually';
import { captureLogs } from './testing/log-lines';
import { ScriptedChannel } from './testing/scripted.channel';

jest.setTimeout(30_000);

describe('notification service under injected faults', () => {
  let db: SqlClient;
  let bus: InMemoryCommandBus;
  let eventLog: InMemoryEventLog;
  let service: NotificationService;
  const channel = new ScriptedChannel();
  const logs = captureLogs();
  const replies: ConsumedCommand[] = [];
  const published: ConsumedEvent[] = [];
  const crashes: string[] = [];

  beforeAll(async () => {
    db = await createPgliteClient();
    bus = new InMemoryCommandBus();
    eventLog = new InMemoryEventLog();
    // A crash that throws, as the embedded mode's: the message is not acknowledged and is handled again.
    const faults = createNotificationFaults({
      logger: logs.logger,
      crash: (operation) => {
        crashes.push(operation);
        throw new Error('simulated crash after commit');
      },
    });
    // Bounded as in production, but wide enough that a channel a test holds down is never dead-lettered meanwhile.
    service = createNotificationService({ verifyToken: testTokenVerifier(), db, commandBus: bus, eventLog, channels: [channel], logger: logs.logger, faults, retry: { initialDelayMs: 5, maxDelayMs: 20, maxAttempts: 1_000 }, outboxPollIntervalMs: 50 });
    await service.start();
    await bus.consume({ queue: queues.orderSagaReplies, bindings: [routingKeys.sagaReply], handle: async (reply) => void replies.push(reply) });
    await eventLog.subscribe({ groupId: 'test-observer', topics: [topics.notificationEvents], fromBeginning: true, handle: async (event) => void published.push(event) });
  }, 60_000);

  afterEach(() => service.faults.clear());

  afterAll(async () => {
    await service?.stop();
    await eventLog?.close();
    await bus?.close();
    await db?.close();
  });

  const admin = adminBearer();
  const addRule = (body: object, auth = admin) => request(service.app).post('/admin/faults').set('Authorization', auth).send(body);
  const command = (orderId = `order-${randomUUID()}`) => SendNotification.create({ orderId, sagaId: `saga-${orderId}`, customerId: 'customer-7', kind: 'ORDER_CONFIRMED' }, { correlationId: orderId });
  const repliesFor = (orderId: string) => replies.filter((reply) => (reply.envelope.payload as { orderId: string }).orderId === orderId);
  const notificationsOf = async (orderId: string) => (await request(service.app).get('/notifications').set('Authorization', admin).query({ orderId }).expect(200)).body.items as Record<string, unknown>[];

  describe('/admin/faults', () => {
    it('adds a rule (201), lists it with the operations, removes it, then 404s', async () => {
      const created = await addRule({ operation: 'send', effect: 'error', times: 2 }).expect(201);
      expect(created.body).toMatchObject({ id: expect.any(String), service: 'notification', operation: 'send', effect: 'error', times: 2, probability: 1, triggered: 0 });
      const listed = await request(service.app).get('/admin/faults').set('Authorization', admin).expect(200);
      expect(listed.body.service).toBe('notification');
      expect(listed.body.operations.map((o: { name: string; kind: string }) => `${o.name}:${o.kind}`)).toEqual(['send:step', 'consumer:consumer']);
      expect(listed.body.items).toEqual([created.body]);
      await request(service.app).delete(`/admin/faults/${created.body.id}`).set('Authorization', admin).expect(204);
      const again = await request(service.app).delete(`/admin/faults/${created.body.id}`).set('Authorization', admin).expect(404);
      expect(again.body.error.code).toBe('FAULT_RULE_NOT_FOUND');
    });

    it('clears every rule', async () => {
      await addRule({ operation: 'send', effect: 'delay', delayMs: 10 }).expect(201);
      await addRule({ operation: 'consumer', effect: 'duplicate' }).expect(201);
      expect((await request(service.app).delete('/admin/faults').set('Authorization', admin).expect(200)).body).toEqual({ removed: 2 });
      expect((await request(service.app).get('/admin/faults').set('Authorization', admin)).body.items).toEqual([]);
    });

    it.each([
      ['an unknown operation', { operation: 'charge', effect: 'error' }, /unknown operation "charge"; this service has: send, consumer/],
      ['a delivery effect on a step', { operation: 'send', effect: 'duplicate' }, /does not apply to send \(a step\)/],
    ])('refuses %s with 400 INVALID_FAULT_RULE', async (_name, body, message) => {
      const response = await addRule(body).expect(400);
      expect(response.body.error).toMatchObject({ code: 'INVALID_FAULT_RULE', message: expect.stringMatching(message) });
      expect(service.faults.list()).toEqual([]);
    });

    it('refuses a malformed rule with a validation error', async () => {
      const response = await addRule({ operation: 'send', effect: 'delay' }).expect(400);
      expect(JSON.stringify(response.body.error)).toContain('delayMs is required for effect delay');
    });

    it('is for admins only: 401 without a token, 403 for a customer', async () => {
      expect((await request(service.app).post('/admin/faults').send({ operation: 'send', effect: 'error' })).status).toBe(401);
      expect((await addRule({ operation: 'send', effect: 'error' }, bearerFor('alice'))).status).toBe(403);
      expect((await request(service.app).get('/admin/faults').set('Authorization', bearerFor('alice'))).status).toBe(403);
      expect((await request(service.app).delete('/admin/faults').set('Authorization', bearerFor('alice'))).status).toBe(403);
      expect(service.faults.list()).toEqual([]);
    });
  });

  it('send error times 2: the attempts fail like a channel outage, then one notification is SENT and the saga hears once', async () => {
    await addRule({ operation: 'send', effect: 'error', times: 2 }).expect(201);
    const cmd = command();
    const { orderId } = cmd.payload;
    await bus.send(routingKeys.notify, cmd);

    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    const items = await notificationsOf(orderId);
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ status: 'SENT', attempts: 3, lastError: expect.stringMatching(/^channel "test" failed: fault injected on send/) });
    // The injected failures happened before the channel: it was reached once, and delivered once.
    expect(channel.callsFor(orderId)).toHaveLength(1);
    expect(service.faults.list()).toEqual([]);
  });

  it('send error without times: held as FAILED and retried (no reply, no dead letter) until the rule is removed', async () => {
    const rule = (await addRule({ operation: 'send', effect: 'error' }).expect(201)).body as { id: string };
    const cmd = command();
    const { orderId } = cmd.payload;
    await bus.send(routingKeys.notify, cmd);

    await eventually(async () => expect((await notificationsOf(orderId))[0]).toMatchObject({ status: 'FAILED', sentAt: null, attempts: expect.any(Number) }));
    await eventually(async () => expect(((await notificationsOf(orderId))[0]!.attempts as number)).toBeGreaterThan(3));
    expect(repliesFor(orderId)).toHaveLength(0);
    expect(channel.callsFor(orderId)).toHaveLength(0);
    expect((await bus.peekDeadLetters()).filter((letter) => letter.messageId === cmd.messageId)).toHaveLength(0);

    await request(service.app).delete(`/admin/faults/${rule.id}`).set('Authorization', admin).expect(204);
    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    expect(await notificationsOf(orderId)).toEqual([expect.objectContaining({ status: 'SENT' })]);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
  });

  it('consumer duplicate: the command is handled twice, the inbox skips the second: one notification, one reply', async () => {
    await addRule({ operation: 'consumer', effect: 'duplicate', times: 1 }).expect(201);
    const cmd = command();
    const { orderId } = cmd.payload;
    await bus.send(routingKeys.notify, cmd);

    await eventually(() => expect(logs.lines.some((line) => line.msg === 'duplicate SendNotification skipped' && line.orderId === orderId)).toBe(true));
    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    expect(await notificationsOf(orderId)).toHaveLength(1);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    expect(repliesFor(orderId)).toHaveLength(1);
  });

  it('consumer crash-after-commit: dies after the commit, the unacknowledged command comes back, one notification', async () => {
    await addRule({ operation: 'consumer', effect: 'crash-after-commit', times: 1 }).expect(201);
    const cmd = command();
    const { orderId } = cmd.payload;
    await bus.send(routingKeys.notify, cmd);

    // The second handling is the redelivery: the inbox already has the message, so nothing is sent again.
    await eventually(() => expect(logs.lines.some((line) => line.msg === 'duplicate SendNotification skipped' && line.orderId === orderId)).toBe(true));
    expect(crashes).toEqual(['consumer']);
    await eventually(() => expect(repliesFor(orderId)).toHaveLength(1));
    expect(await notificationsOf(orderId)).toEqual([expect.objectContaining({ status: 'SENT', attempts: 1 })]);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    expect(repliesFor(orderId)).toHaveLength(1);
  });

  it.each(['duplicate', 'crash-after-commit'])('consumer %s on the Kafka side: an OrderApproved handled again yields one notification and one NotificationSent', async (effect) => {
    const crashesBefore = crashes.length;
    await addRule({ operation: 'consumer', effect, times: 1 }).expect(201);
    const orderId = `order-${randomUUID()}`;
    const event = OrderApproved.create({ orderId, sagaId: orderId, customerId: 'customer-3', totalCents: 990 }, { correlationId: orderId });
    await eventLog.publish(topics.orderEvents, [{ key: orderId, envelope: event }]);

    await eventually(() => expect(logs.lines.some((line) => line.msg === 'duplicate SendNotification skipped' && line.orderId === orderId)).toBe(true));
    await eventually(() => expect(published.filter((e) => e.envelope.correlationId === orderId)).toHaveLength(1));
    expect(await notificationsOf(orderId)).toEqual([expect.objectContaining({ kind: 'ORDER_CONFIRMED', status: 'SENT', attempts: 1 })]);
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    expect(crashes.length - crashesBefore).toBe(effect === 'crash-after-commit' ? 1 : 0);
    expect(service.faults.list()).toEqual([]);
  });
});
