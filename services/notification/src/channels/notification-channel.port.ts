// Port through which a notification reaches the customer: email, SMS, webhook or, by default, a log line.
import type { Notification } from '../domain/notification';

export interface NotificationChannel {
  /** Recorded on every notification it delivers, e.g. "log" or "webhook". */
  readonly name: string;
  /**
   * Delivers the notification or throws, within a bounded time (it is part of one handler attempt, whose bound is
   * checked against the broker's consumer_timeout at start). No database transaction is open meanwhile. May be called
   * again for the same notification (delivery is at least once): receivers can deduplicate on `deliveryKey(notification)`.
   */
  send(notification: Notification): Promise<void>;
}

/** Wraps what a channel threw, so the use case can tell a failed delivery from, say, a database error. */
export class ChannelDeliveryError extends Error {
  constructor(
    readonly channel: string,
    cause: unknown,
  ) {
    super(`channel "${channel}" failed: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'ChannelDeliveryError';
  }
}
