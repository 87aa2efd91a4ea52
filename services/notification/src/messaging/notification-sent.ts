// Shared by both transport adapters: the NotificationSent envelope that announces a delivered notification. Only where it
// goes differs (a RabbitMQ reply to the orchestrator, or an event on notifications.events.v1).
import { NotificationSent, type EnvelopeFactoryDeps, type MessageEnvelope } from '@saga/contracts';
import type { Notification, NotificationRequest } from '../domain/notification';

/** About the request's order, saga and kind; correlated by order, caused by the message that asked for it, in its trace. */
export function notificationSentEnvelope(
  request: Pick<NotificationRequest, 'orderId' | 'sagaId' | 'kind'>,
  notification: Pick<Notification, 'notificationId'>,
  cause: MessageEnvelope,
  envelopes: EnvelopeFactoryDeps,
): MessageEnvelope {
  const { orderId, sagaId, kind } = request;
  return NotificationSent.create(
    { orderId, sagaId, kind, notificationId: notification.notificationId },
    { correlationId: orderId, causationId: cause.messageId, ...(cause.traceparent === undefined ? {} : { traceparent: cause.traceparent }) },
    envelopes,
  );
}
