// The refund rules: refund what was charged, exactly once; a refund with nothing charged is 0 and closes the door.
import type { Payment } from './payment';
import { applyRefund, decideRefund } from './refund';

const t0 = new Date('2030-01-01T10:00:00Z');
const t1 = new Date('2030-01-01T10:01:00Z');
const request = { orderId: 'o-1', sagaId: 's-1', channel: 'command' as const };
const ids = { paymentId: 'p-new' };

const payment = (overrides: Partial<Payment>): Payment => ({
  paymentId: 'p-1', orderId: 'o-1', sagaId: 's-1', customerId: 'c-1', amountCents: 4200, currency: 'EUR',
  status: 'CHARGED', providerChargeId: 'ch_1', refundedCents: 0, failureReason: null, failureMessage: null,
  channel: 'command', createdAt: t0, updatedAt: t0, reconciledAt: null, ...overrides,
});

describe('decideRefund', () => {
  it('refunds the full charge on record', () => {
    expect(decideRefund(payment({}))).toEqual({ kind: 'refund', chargeId: 'ch_1', amountCents: 4200 });
  });

  it('voids the charge key at the provider when no charge is on record, its outcome is unknown, or it is still in flight', () => {
    expect(decideRefund(undefined)).toEqual({ kind: 'void-charge' });
    expect(decideRefund(payment({ status: 'FAILED', providerChargeId: null, failureReason: 'TIMEOUT' }))).toEqual({ kind: 'void-charge' });
    expect(decideRefund(payment({ status: 'FAILED', providerChargeId: null, failureReason: 'PROVIDER_UNAVAILABLE' }))).toEqual({ kind: 'void-charge' });
    expect(decideRefund(payment({ status: 'CHARGING', providerChargeId: null }))).toEqual({ kind: 'void-charge' });
  });

  it('is done when declined (nothing charged) or already refunded (the recorded amount)', () => {
    expect(decideRefund(payment({ status: 'DECLINED', providerChargeId: null }))).toEqual({ kind: 'done', amountCents: 0 });
    expect(decideRefund(payment({ status: 'REFUNDED', refundedCents: 4200 }))).toEqual({ kind: 'done', amountCents: 4200 });
  });
});

describe('applyRefund', () => {
  it('marks a charged payment REFUNDED with the amount', () => {
    const recorded = applyRefund(payment({}), request, { kind: 'refunded', chargeId: 'ch_1', amountCents: 4200 }, ids, t1);
    expect(recorded).toMatchObject({ kind: 'record', changed: true, refundedCents: 4200, payment: { status: 'REFUNDED', refundedCents: 4200, updatedAt: t1 } });
  });

  it('records a tombstone when nothing was ever charged, so a late ChargePayment will not charge', () => {
    const recorded = applyRefund(undefined, request, { kind: 'nothing-charged' }, ids, t1);
    expect(recorded).toMatchObject({
      kind: 'record', changed: true, refundedCents: 0,
      payment: { paymentId: 'p-new', status: 'REFUNDED', amountCents: 0, customerId: null, providerChargeId: null },
    });
  });

  it('refunds a timed-out charge found at the provider and keeps why it failed', () => {
    const failed = payment({ status: 'FAILED', providerChargeId: null, failureReason: 'TIMEOUT', failureMessage: 'slow' });
    const recorded = applyRefund(failed, request, { kind: 'refunded', chargeId: 'ch_7', amountCents: 4200 }, ids, t1);
    expect(recorded).toMatchObject({ kind: 'record', refundedCents: 4200, payment: { status: 'REFUNDED', providerChargeId: 'ch_7', failureReason: 'TIMEOUT' } });
  });

  it('leaves declined and already-refunded payments as they are', () => {
    const declined = payment({ status: 'DECLINED', providerChargeId: null });
    expect(applyRefund(declined, request, { kind: 'nothing-charged' }, ids, t1)).toEqual({ kind: 'record', payment: declined, changed: false, refundedCents: 0 });
    const refunded = payment({ status: 'REFUNDED', refundedCents: 4200 });
    expect(applyRefund(refunded, request, { kind: 'refunded', chargeId: 'ch_1', amountCents: 4200 }, ids, t1)).toMatchObject({ changed: false, refundedCents: 4200 });
  });

  it('closes a claim still in flight with a tombstone: its key is voided, so its answer can only be a refusal', () => {
    const inFlight = payment({ status: 'CHARGING', providerChargeId: null });
    expect(applyRefund(inFlight, request, { kind: 'nothing-charged' }, ids, t1)).toMatchObject({
      kind: 'record', changed: true, refundedCents: 0, payment: { paymentId: 'p-1', status: 'REFUNDED', providerChargeId: null, reconciledAt: null },
    });
  });

  it('a capture found for a tombstone is refunded in full, the record growing to the captured amount', () => {
    const tombstone = payment({ status: 'REFUNDED', providerChargeId: null, customerId: null, amountCents: 0 });
    expect(applyRefund(tombstone, request, { kind: 'refunded', chargeId: 'ch_8', amountCents: 4200 }, ids, t1)).toMatchObject({
      kind: 'record', changed: true, refundedCents: 4200, payment: { status: 'REFUNDED', amountCents: 4200, refundedCents: 4200, providerChargeId: 'ch_8' },
    });
  });

  it('is stale when a charge was recorded while the refund found none: never answer 0 while money is held', () => {
    expect(applyRefund(payment({}), request, { kind: 'nothing-charged' }, ids, t1).kind).toBe('stale');
  });
});
