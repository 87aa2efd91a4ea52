// Kafka adapter of "notify" (choreography): OrderApproved → ORDER_CONFIRMED, OrderCancelled → ORDER_CANCELLED with the
// reason; NotificationSent is published on notifications.events.v1 through the outbox, in the transaction that records it.
import { consumerGroups, OrderApproved, OrderCancelled, topics, type EnvelopeFactoryDeps, type MessageContract, type MessageEnvelope } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { enqueueOutbox, handleOnce, PoisonMessageError, wasProcessed, type EventSubscription, type RetryPolicy } from '@saga/messaging';
import type { Notify } from '../app/notify.use-case';
import type { NotificationRequest } from '../domain/notification';
import { notificationSentEnvelope } from './notification-sent';
import { notificationRetryPolicy } from './send-notification.command-handler';

/** Dedup name for events, distinct from the RabbitMQ consumer's. */
export const NOTIFICATION_EVENTS_CONSUMER = 'notification.events';

export interface OrderEventHandlerDeps {
  db: SqlClient;
  notify: Notify;
  /** Time and ids of the NotificationSent envelopes. */
  envelopes: EnvelopeFactoryDeps;
  retry?: Partial<RetryPolicy>;
}

function parseOrPoison<P>(contract: MessageContract<string, P>, envelope: MessageEnvelope): P {
  const parsed = contract.parse(envelope);
  // An event that breaks its contract will never succeed: dead-letter it now, no retries.
  if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
  return parsed.message.payload;
}

/** The notification an order event asks for; undefined for events notification does not react to (OrderCreated, …). */
function requestFor(envelope: MessageEnvelope): NotificationRequest | undefined {
  if (OrderApproved.is(envelope)) {
    const { orderId, sagaId, customerId } = parseOrPoison(OrderApproved, envelope);
    return { orderId, sagaId, customerId, kind: 'ORDER_CONFIRMED' };
  }
  if (OrderCancelled.is(envelope)) {
    const { orderId, sagaId, customerId, reason } = parseOrPoison(OrderCancelled, envelope);
    return { orderId, sagaId, customerId, kind: 'ORDER_CANCELLED', reason };
  }
  return undefined;
}

export function orderEventSubscription({ db, notify, envelopes, retry }: OrderEventHandlerDeps): EventSubscription {
  return {
    groupId: consumerGroups.notification,
    topics: [topics.orderEvents],
    fromBeginning: true,
    // Bounded like the command: a channel outage holds the partition for up to a few minutes, then the event is
    // dead-lettered (re-drivable) and the partition moves on.
    retry: { ...notificationRetryPolicy, ...retry },
    handle: async ({ envelope }) => {
      const request = requestFor(envelope);
      if (!request) return;
      await notify(request, {
        messageId: envelope.messageId,
        wasHandled: (tx) => wasProcessed(tx, NOTIFICATION_EVENTS_CONSUMER, envelope.messageId),
        runOnce: (effect) => handleOnce(db, NOTIFICATION_EVENTS_CONSUMER, envelope, effect),
        announce: (tx, notification) => {
          const sent = notificationSentEnvelope(request, notification, envelope, envelopes);
          // Keyed by orderId, like every event of the order.
          return enqueueOutbox(tx, [{ transport: 'event', topic: topics.notificationEvents, key: request.orderId, envelope: sent }]);
        },
      });
    },
  };
}
