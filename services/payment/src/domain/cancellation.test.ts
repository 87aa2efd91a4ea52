// A cancelled order (choreography): money that may have moved is refunded, an order not yet charged is closed to
// charges, and a closed order refuses a late charge without asking the provider.
import { closedPayment, decideOnCancellation } from './cancellation';
import { decideCharge, type Payment } from './payment';

const t0 = new Date('2030-01-01T10:00:00Z');
const payment = (overrides: Partial<Payment>): Payment => ({
  paymentId: 'p-1', orderId: 'o-1', sagaId: 'o-1', customerId: 'c-1', amountCents: 4200, currency: 'EUR',
  status: 'CHARGED', providerChargeId: 'ch_1', refundedCents: 0, failureReason: null, failureMessage: null,
  channel: 'event', createdAt: t0, updatedAt: t0, reconciledAt: null, ...overrides,
});

describe('decideOnCancellation', () => {
  it('refunds whatever may have moved money: charged, still claimed, timed out', () => {
    expect(decideOnCancellation(payment({}), true)).toBe('refund');
    expect(decideOnCancellation(payment({ status: 'CHARGING', providerChargeId: null }), true)).toBe('refund');
    expect(decideOnCancellation(payment({ status: 'FAILED', providerChargeId: null, failureReason: 'TIMEOUT' }), true)).toBe('refund');
  });

  it('leaves final answers alone: declined, refused as provider-unavailable, refunded', () => {
    expect(decideOnCancellation(payment({ status: 'DECLINED', providerChargeId: null, failureReason: 'DECLINED' }), true)).toBe('nothing');
    expect(decideOnCancellation(payment({ status: 'FAILED', providerChargeId: null, failureReason: 'PROVIDER_UNAVAILABLE' }), true)).toBe('nothing');
    expect(decideOnCancellation(payment({ status: 'REFUNDED', refundedCents: 4200 }), true)).toBe('nothing');
  });

  it('closes an order no charge was claimed for when one may still come (deadline), not when inventory refused it', () => {
    expect(decideOnCancellation(undefined, true)).toBe('close');
    expect(decideOnCancellation(undefined, false)).toBe('nothing');
  });
});

describe('closedPayment', () => {
  it('is a tombstone: REFUNDED, nothing charged; a charge asked for later is answered PaymentFailed, the provider never called', () => {
    const closed = closedPayment({ orderId: 'o-1', sagaId: 'o-1', channel: 'event' }, { paymentId: 'p-new' }, t0);
    expect(closed).toMatchObject({ paymentId: 'p-new', orderId: 'o-1', status: 'REFUNDED', amountCents: 0, refundedCents: 0, providerChargeId: null, channel: 'event' });
    const late = decideCharge(closed, { orderId: 'o-1', sagaId: 'o-1', customerId: 'c-1', amountCents: 4200, currency: 'EUR', channel: 'event' }, { paymentId: 'p-2' }, t0);
    expect(late).toMatchObject({ kind: 'reply', reply: { type: 'PaymentFailed' } });
  });
});
