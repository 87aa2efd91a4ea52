// Default channel: "delivers" a notification as one structured log line, so the platform runs with no mail server.
import type { Logger } from '@saga/platform';
import { deliveryKey, type Notification } from '../domain/notification';
import type { NotificationChannel } from './notification-channel.port';

export class LogChannel implements NotificationChannel {
  readonly name = 'log';

  constructor(private readonly logger: Logger) {}

  async send(notification: Notification): Promise<void> {
    const { notificationId, orderId, sagaId, customerId, kind, subject, body } = notification;
    this.logger.info(
      { channel: this.name, notificationId, orderId, sagaId, customerId, kind, deliveryKey: deliveryKey(notification), subject, body },
      'notification delivered',
    );
  }
}
