// The notification model: what the service sends for an order, and the states a record goes through.
import type { notificationKinds } from '@saga/contracts';

export type NotificationKind = (typeof notificationKinds)[number];

/**
 * PENDING: recorded, not sent yet. SENDING: claimed by one delivery, which is calling the channel (no transaction open)
 * until its lease runs out. SENT: delivered and recorded (final). FAILED: the last attempt failed; visible to operators
 * while the message is retried, and left so if it is dead-lettered (a re-drive sends it again).
 */
export type NotificationStatus = 'PENDING' | 'SENDING' | 'SENT' | 'FAILED';

/** What the saga asks for: one final notification per order and kind. */
export interface NotificationRequest {
  orderId: string;
  sagaId: string;
  customerId: string;
  kind: NotificationKind;
  /** Why the order was cancelled; ignored for a confirmation. */
  reason?: string;
}

export interface Notification {
  notificationId: string;
  orderId: string;
  sagaId: string;
  customerId: string;
  kind: NotificationKind;
  /** Name of the channel(s) it was (or is being) delivered through, e.g. "log" or "webhook". */
  channel: string;
  subject: string;
  body: string;
  reason: string | null;
  status: NotificationStatus;
  /** Delivery attempts made so far, failed ones included. */
  attempts: number;
  /** The last delivery failure, kept after a later success as a trace of what happened. */
  lastError: string | null;
  createdAt: Date;
  sentAt: Date | null;
}

/** Where time comes from: injected so the domain stays deterministic (no Date.now here). */
export interface Clock {
  now(): Date;
}

/** The key a receiver can use to drop duplicates: delivery is at least once, and the record is unique per order and kind. */
export function deliveryKey(notification: Pick<Notification, 'orderId' | 'kind'>): string {
  return `${notification.orderId}:${notification.kind}`;
}
