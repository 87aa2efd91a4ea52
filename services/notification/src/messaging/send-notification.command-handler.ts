// RabbitMQ adapter of "notify": decodes SendNotification, runs the use case once per message, replies NotificationSent.
import { queueBindings, queues, routingKeys, SendNotification, type EnvelopeFactoryDeps } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { defaultRetryPolicy, enqueueOutbox, handleOnce, PoisonMessageError, wasProcessed, type CommandConsumer, type RetryBudget, type RetryPolicy } from '@saga/messaging';
import type { Notify } from '../app/notify.use-case';
import { notificationSentEnvelope } from './notification-sent';

/** Name under which handled messages are recorded in processed_messages. */
export const NOTIFICATION_CONSUMER = 'notification.commands';

/**
 * T4 is "retried until done", but in bounded rounds. A channel that is down shows either as its errors (ordinary) or as
 * a refused connection (transient): both get the same budget, 9 attempts, 1 s doubling to 30 s, 60.5-121 s of waiting,
 * which also rides out a database restart. Worst case 497 s, under RabbitMQ's consumer_timeout of 600 s (checked at
 * start). Past that the message is dead-lettered with its reason, the record stays FAILED (unclaimed), and an operator
 * re-drives it (POST /api/admin/dead-letters/{id}/redrive): the inbox and the claim make a re-drive send only what is unsent.
 */
const channelOutage: RetryBudget = { maxAttempts: 9, initialDelayMs: 1_000, maxDelayMs: 30_000 };
export const notificationRetryPolicy: RetryPolicy = { ...defaultRetryPolicy, ...channelOutage, transient: channelOutage };

/** At most this many SendNotification in flight (and so database connections held by them, see derivePoolSize). */
export const NOTIFICATION_PREFETCH = 10;

export interface SendNotificationHandlerDeps {
  db: SqlClient;
  notify: Notify;
  /** Time and ids of the reply envelopes. */
  envelopes: EnvelopeFactoryDeps;
  retry?: Partial<RetryPolicy>;
  prefetch?: number;
}

export function sendNotificationConsumer({ db, notify, envelopes, retry, prefetch = NOTIFICATION_PREFETCH }: SendNotificationHandlerDeps): CommandConsumer {
  return {
    queue: queues.notificationCommands,
    bindings: queueBindings.notificationCommands.bindings,
    prefetch,
    retry: { ...notificationRetryPolicy, ...retry },
    handle: async (command) => {
      const parsed = SendNotification.parse(command.envelope);
      // A command that breaks its contract will never succeed: dead-letter it now, no retries.
      if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
      const { payload } = parsed.message;
      const replyTo = command.replyTo ?? routingKeys.sagaReply;
      const { messageId } = command.envelope;
      await notify(payload, {
        messageId,
        wasHandled: (tx) => wasProcessed(tx, NOTIFICATION_CONSUMER, messageId),
        runOnce: (effect) => handleOnce(db, NOTIFICATION_CONSUMER, command.envelope, effect),
        announce: (tx, notification) => {
          const reply = notificationSentEnvelope(payload, notification, parsed.message, envelopes);
          return enqueueOutbox(tx, [{ transport: 'command', routingKey: replyTo, envelope: reply }]);
        },
      });
    },
  };
}
