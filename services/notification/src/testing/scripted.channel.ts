// Test double of a delivery channel: records what it delivered and fails on command, per order.
import type { NotificationChannel } from '../channels/notification-channel.port';
import type { Notification } from '../domain/notification';

export class ScriptedChannel implements NotificationChannel {
  readonly name = 'test';
  /** Every call, failed ones included. */
  readonly calls: Notification[] = [];
  /** Only the successful deliveries. */
  readonly delivered: Notification[] = [];
  private readonly failures = new Map<string, number>();

  /** The next `times` deliveries for this order throw (Infinity: until heal()). */
  failFor(orderId: string, times: number): this {
    this.failures.set(orderId, times);
    return this;
  }

  heal(orderId: string): void {
    this.failures.delete(orderId);
  }

  async send(notification: Notification): Promise<void> {
    this.calls.push(notification);
    const left = this.failures.get(notification.orderId) ?? 0;
    if (left > 0) {
      this.failures.set(notification.orderId, left - 1);
      throw new Error(`channel down for ${notification.orderId}`);
    }
    this.delivered.push(notification);
  }

  deliveredFor(orderId: string): Notification[] {
    return this.delivered.filter((n) => n.orderId === orderId);
  }

  callsFor(orderId: string): Notification[] {
    return this.calls.filter((n) => n.orderId === orderId);
  }
}
