// Bounded T4: a channel down past the retry budget dead-letters the command (record left FAILED), and a re-drive sends it once.
import { testTokenVerifier } from '@saga/auth/testing';
import { randomUUID } from 'node:crypto';
import { queues, routingKeys, SendNotification } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { InMemoryCommandBus, type ConsumedCommand } from '@saga/messaging';
import { createLogger } from '@saga/platform';
import { findByOrder } from './store/notification.repository';
import { createNotificationService, type NotificationService } from './notification-service';
import { eventually } from './testing/eventually';
import { ScriptedChannel } from './testing/scripted.channel';

jest.setTimeout(30_000);

describe('notification retries are bounded', () => {
  let db: SqlClient;
  let bus: InMemoryCommandBus;
  let service: NotificationService;
  const channel = new ScriptedChannel();
  const replies: ConsumedCommand[] = [];

  beforeAll(async () => {
    db = await createPgliteClient();
    bus = new InMemoryCommandBus();
    const logger = createLogger({ service: 'notification', level: 'silent' });
    service = createNotificationService({ verifyToken: testTokenVerifier(), db, commandBus: bus, channels: [channel], logger, retry: { maxAttempts: 3, initialDelayMs: 2, maxDelayMs: 4 }, outboxPollIntervalMs: 50 });
    await service.start();
    await bus.consume({ queue: queues.orderSagaReplies, bindings: [routingKeys.sagaReply], handle: async (reply) => void replies.push(reply) });
  }, 60_000);

  afterAll(async () => {
    await service?.stop();
    await bus?.close();
    await db?.close();
  });

  it('dead-letters after the last attempt, then a re-drive of the same message sends once and replies once', async () => {
    const orderId = `order-${randomUUID()}`;
    const command = SendNotification.create({ orderId, sagaId: orderId, customerId: 'customer-1', kind: 'ORDER_CONFIRMED' }, { correlationId: orderId });
    channel.failFor(orderId, Number.POSITIVE_INFINITY);
    await bus.send(routingKeys.notify, command);

    const letter = await eventually(async () => {
      const found = (await bus.peekDeadLetters()).find((l) => l.messageId === command.messageId);
      expect(found).toBeDefined();
      return found!;
    });
    expect(letter.reason).toBe(`HANDLER_FAILED after 3 attempts: channel "test" failed: channel down for ${orderId}`);
    expect(channel.callsFor(orderId)).toHaveLength(3);
    // Left FAILED and unclaimed: what an operator sees, and what lets a re-drive claim it at once.
    expect(await findByOrder(db, orderId)).toEqual([expect.objectContaining({ status: 'FAILED', attempts: 3, sentAt: null })]);

    // What POST /api/admin/dead-letters/{id}/redrive does: the same message, back on its queue.
    channel.heal(orderId);
    await bus.send(routingKeys.notify, command);
    await eventually(() => expect(replies.filter((r) => r.envelope.correlationId === orderId)).toHaveLength(1));
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    expect(await findByOrder(db, orderId)).toEqual([expect.objectContaining({ status: 'SENT', attempts: 4 })]);

    // Re-driven twice: the inbox has it, nothing is sent again.
    await bus.send(routingKeys.notify, command);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(channel.deliveredFor(orderId)).toHaveLength(1);
    expect(replies.filter((r) => r.envelope.correlationId === orderId)).toHaveLength(1);
  });
});
