// RabbitMQ adapter of "notify": decodes SendNotification, runs the use case once per message, replies NotificationSent.
import { queueBindings, queues, routingKeys, SendNotification, type EnvelopeFactoryDeps } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { enqueueOutbox, handleOnce, PoisonMessageError, type CommandConsumer, type RetryPolicy } from '@saga/messaging';
import type { Notify } from '../app/notify.use-case';
import { notificationSentEnvelope } from './notification-sent';

/** Name under which handled messages are recorded in processed_messages. */
export const NOTIFICATION_CONSUMER = 'notification.commands';

/**
 * T4 is retried until done: no attempt limit, so a channel outage holds the command (unacknowledged)
 * instead of dead-lettering it. The delay cap stays well under the bus's drain timeout so shutdown
 * is not held up by a sleeping retry; a redelivery after restart starts the backoff again.
 */
export const notificationRetryPolicy: RetryPolicy = { maxAttempts: Number.POSITIVE_INFINITY, initialDelayMs: 100, maxDelayMs: 5_000 };

export interface SendNotificationHandlerDeps {
  db: SqlClient;
  notify: Notify;
  /** Time and ids of the reply envelopes. */
  envelopes: EnvelopeFactoryDeps;
  retry?: Partial<RetryPolicy>;
  prefetch?: number;
}

export function sendNotificationConsumer({ db, notify, envelopes, retry, prefetch = 10 }: SendNotificationHandlerDeps): CommandConsumer {
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
      await notify(payload, {
        runOnce: (effect) => handleOnce(db, NOTIFICATION_CONSUMER, command.envelope, effect),
        announce: (tx, notification) => {
          const reply = notificationSentEnvelope(payload, notification, parsed.message, envelopes);
          return enqueueOutbox(tx, [{ transport: 'command', routingKey: replyTo, envelope: reply }]);
        },
      });
    },
  };
}
