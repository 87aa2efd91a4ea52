// Channel that POSTs each notification as JSON to a webhook; anything but a 2xx within the timeout is a failure.
import { deliveryKey, type Notification } from '../domain/notification';
import type { NotificationChannel } from './notification-channel.port';

export interface WebhookChannelOptions {
  url: string;
  /** Whole request, body included. Keep it short: delivery runs inside an open database transaction. Default 5000. */
  timeoutMs?: number;
  /** Injected for tests; defaults to the global fetch. */
  fetch?: typeof fetch;
}

export class WebhookError extends Error {
  override readonly name = 'WebhookError';
}

export class WebhookChannel implements NotificationChannel {
  readonly name = 'webhook';
  private readonly timeoutMs: number;
  private readonly fetch: typeof fetch;

  constructor(private readonly options: WebhookChannelOptions) {
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.fetch = options.fetch ?? globalThis.fetch;
  }

  async send(notification: Notification): Promise<void> {
    const { notificationId, orderId, sagaId, customerId, kind, subject, body, reason } = notification;
    const signal = AbortSignal.timeout(this.timeoutMs);
    try {
      const response = await this.fetch(this.options.url, {
        method: 'POST',
        // Delivery is at least once: the key lets the receiver drop a repeat of the same order and kind.
        headers: { 'content-type': 'application/json', 'idempotency-key': deliveryKey(notification) },
        body: JSON.stringify({ notificationId, orderId, sagaId, customerId, kind, subject, body, reason }),
        signal,
      });
      // Read the body either way: an unread body keeps the connection from returning to the pool.
      const text = await response.text();
      if (!response.ok) throw new WebhookError(`webhook answered ${response.status}: ${text.slice(0, 200)}`);
    } catch (error) {
      // The URL is not in the message: it may carry a token.
      if (signal.aborted) throw new WebhookError(`webhook did not answer within ${this.timeoutMs} ms`, { cause: error });
      throw error;
    }
  }
}
