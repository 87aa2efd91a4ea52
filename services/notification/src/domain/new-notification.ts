// Pure construction of a notification record about to be delivered, from the saga's request.
import { composeMessage } from './compose-message';
import type { Clock, Notification, NotificationRequest } from './notification';

export interface NewNotificationDeps {
  clock: Clock;
  newId: () => string;
  /** Name of the channel that will deliver it. */
  channel: string;
}

export function newNotification(request: NotificationRequest, { clock, newId, channel }: NewNotificationDeps): Notification {
  const { subject, body } = composeMessage(request.kind, request.orderId, request.reason);
  return {
    notificationId: newId(),
    orderId: request.orderId,
    sagaId: request.sagaId,
    customerId: request.customerId,
    kind: request.kind,
    channel,
    subject,
    body,
    // A confirmation has no reason, even if a sender attached one.
    reason: request.kind === 'ORDER_CANCELLED' ? (request.reason ?? null) : null,
    status: 'PENDING',
    attempts: 0,
    lastError: null,
    createdAt: clock.now(),
    sentAt: null,
  };
}
