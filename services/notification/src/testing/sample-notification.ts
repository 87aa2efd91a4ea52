// Test fixture: a notification as the use case hands it to a channel.
import type { Notification } from '../domain/notification';

export function sampleNotification(overrides: Partial<Notification> = {}): Notification {
  return {
    notificationId: '6f1c1a4e-8a39-4a39-9d43-0c8f2f1f0a11',
    orderId: 'order-1',
    sagaId: 'saga-1',
    customerId: 'customer-1',
    kind: 'ORDER_CONFIRMED',
    channel: 'test',
    subject: 'Your order order-1 is confirmed',
    body: 'Good news',
    reason: null,
    status: 'PENDING',
    attempts: 0,
    lastError: null,
    createdAt: new Date('2030-01-01T00:00:00Z'),
    sentAt: null,
    ...overrides,
  };
}
