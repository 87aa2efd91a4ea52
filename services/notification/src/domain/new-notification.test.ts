// Building a record to deliver: ids and time come from outside, the reason is kept only for cancellations.
import { deliveryKey } from './notification';
import { newNotification } from './new-notification';

const deps = { clock: { now: () => new Date('2030-01-02T03:04:05Z') }, newId: () => 'n-1', channel: 'log' };
const request = { orderId: 'o-1', sagaId: 's-1', customerId: 'c-1' };

describe('newNotification', () => {
  it('starts PENDING with no attempts, stamped by the clock', () => {
    expect(newNotification({ ...request, kind: 'ORDER_CANCELLED', reason: 'DECLINED' }, deps)).toEqual({
      notificationId: 'n-1',
      orderId: 'o-1',
      sagaId: 's-1',
      customerId: 'c-1',
      kind: 'ORDER_CANCELLED',
      channel: 'log',
      subject: 'Your order o-1 was cancelled',
      body: expect.stringContaining('because the payment was declined'),
      reason: 'DECLINED',
      status: 'PENDING',
      attempts: 0,
      lastError: null,
      createdAt: new Date('2030-01-02T03:04:05Z'),
      sentAt: null,
    });
  });

  it('drops a reason sent with a confirmation', () => {
    expect(newNotification({ ...request, kind: 'ORDER_CONFIRMED', reason: 'stray' }, deps).reason).toBeNull();
  });

  it('has one delivery key per order and kind', () => {
    expect(deliveryKey({ orderId: 'o-1', kind: 'ORDER_CONFIRMED' })).toBe('o-1:ORDER_CONFIRMED');
  });
});
