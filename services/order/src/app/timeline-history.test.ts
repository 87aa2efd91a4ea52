// A choreographed order's timeline read as saga history: the reconciliation note and late successes read as
// orchestration records them.
import type { TimelineEntry } from '../store/timeline-repository';
import { timelineToHistory } from './timeline-history';

const at = '2026-03-01T10:00:00.000Z';
const event = (type: string, payload: Record<string, unknown>, offset = '0'): TimelineEntry => ({ messageId: `m-${offset}`, orderId: 'o-1', type, topic: 'payments.events.v1', partition: 0, offset, occurredAt: at, payload });

describe('timelineToHistory', () => {
  it('reads PaymentReconciled as RECONCILE_PAYMENT: SUCCEEDED when it refunded a capture, FAILED when one is missing', () => {
    const refunded = event('PaymentReconciled', { orderId: 'o-1', sagaId: 'o-1', action: 'REFUNDED_CAPTURE', amountCents: 900, chargeId: 'ch-1', detail: 'refunded 900 cents captured on a cancelled order' }, '1');
    const missing = event('PaymentReconciled', { orderId: 'o-1', sagaId: 'o-1', action: 'MISSING_CAPTURE', amountCents: 900, detail: 'approved, but no capture at the provider' }, '2');
    expect(timelineToHistory([refunded, missing])).toEqual([
      { step: 'RECONCILE_PAYMENT', status: 'SUCCEEDED', at, detail: 'refunded 900 cents captured on a cancelled order', event: 'PaymentReconciled' },
      { step: 'RECONCILE_PAYMENT', status: 'FAILED', at, detail: 'approved, but no capture at the provider', event: 'PaymentReconciled' },
    ]);
  });

  it('keeps the other entries and skips events it does not know', () => {
    const history = timelineToHistory([event('PaymentRefunded', { amountCents: 900 }, '1'), event('SomethingNew', {}, '2')]);
    expect(history).toEqual([{ step: 'REFUND_PAYMENT', status: 'SUCCEEDED', at, detail: '900 cents', event: 'PaymentRefunded' }]);
  });

  it('marks a reservation or a charge that happened after the cancellation (its deadline) LATE_REPLY, nothing before it', () => {
    const history = timelineToHistory([
      event('OrderCreated', {}, '1'),
      event('StockReserved', {}, '2'),
      event('OrderCancelled', { reason: 'DEADLINE_EXCEEDED' }, '3'),
      event('StockReleased', {}, '4'),
      event('PaymentCompleted', { paymentId: 'p-1' }, '5'),
      event('PaymentRefunded', { amountCents: 900 }, '6'),
    ]);
    expect(history.map((entry) => `${entry.step} ${entry.status}`)).toEqual([
      'CREATE_ORDER SUCCEEDED',
      'RESERVE_STOCK SUCCEEDED',
      'CANCEL_ORDER SUCCEEDED',
      'RELEASE_STOCK SUCCEEDED',
      'CHARGE_PAYMENT LATE_REPLY',
      'REFUND_PAYMENT SUCCEEDED',
    ]);
  });
});
