// Wraps the service's channel so the `send` fault rules run just before the real delivery, and fail it like the channel would.
import type { FaultInjector } from '@saga/faults';
import type { Notification } from '../domain/notification';
import type { NotificationChannel } from './notification-channel.port';

export class FaultInjectingChannel implements NotificationChannel {
  /** Same name as the real channel: notifications record where they went, not that a test hook sat in front. */
  readonly name: string;

  constructor(private readonly inner: NotificationChannel, private readonly faults: FaultInjector) {
    this.name = inner.name;
  }

  async send(notification: Notification): Promise<void> {
    // Thrown from inside send(), an injected error becomes a ChannelDeliveryError in the notify use case: recorded as
    // FAILED and retried with the consumer's policy, exactly as a real channel outage.
    await this.faults.beforeOperation('send');
    await this.inner.send(notification);
  }
}
