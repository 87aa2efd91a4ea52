// The charge rules: replay final outcomes, ask again only when the outcome is unknown, never lose a late charge.
import { applyChargeOutcome, decideCharge, type ChargeRequest, type Payment } from './payment';

const t0 = new Date('2030-01-01T10:00:00Z');
const t1 = new Date('2030-01-01T10:00:05Z');
const request: ChargeRequest = { orderId: 'o-1', sagaId: 's-1', customerId: 'c-1', amountCents: 4200, currency: 'EUR' };
const ids = { paymentId: 'p-new' };

const payment = (overrides: Partial<Payment>): Payment => ({
  paymentId: 'p-1', orderId: 'o-1', sagaId: 's-1', customerId: 'c-1', amountCents: 4200, currency: 'EUR',
  status: 'CHARGED', providerChargeId: 'ch_1', refundedCents: 0, failureReason: null, failureMessage: null,
  createdAt: t0, updatedAt: t0, ...overrides,
});

describe('decideCharge', () => {
  it('calls the provider when nothing is recorded, or only an unknown outcome (FAILED)', () => {
    expect(decideCharge(undefined)).toEqual({ kind: 'call-provider' });
    expect(decideCharge(payment({ status: 'FAILED', providerChargeId: null, failureReason: 'TIMEOUT' }))).toEqual({ kind: 'call-provider' });
  });

  it('replays a recorded charge or decline without calling the provider', () => {
    expect(decideCharge(payment({}))).toEqual({ kind: 'reply', reply: { type: 'PaymentCompleted', paymentId: 'p-1', amountCents: 4200 } });
    expect(decideCharge(payment({ status: 'DECLINED', providerChargeId: null, failureReason: 'DECLINED', failureMessage: 'no funds' }))).toEqual({
      kind: 'reply', reply: { type: 'PaymentFailed', reason: 'DECLINED', message: 'no funds' },
    });
  });

  it('never charges an order whose payment was already refunded (compensated)', () => {
    const decision = decideCharge(payment({ status: 'REFUNDED', providerChargeId: null, amountCents: 0 }));
    expect(decision).toMatchObject({ kind: 'reply', reply: { type: 'PaymentFailed' } });
  });
});

describe('applyChargeOutcome', () => {
  it('records a first success as CHARGED and answers PaymentCompleted', () => {
    const recorded = applyChargeOutcome(undefined, request, { ok: true, chargeId: 'ch_9' }, ids, t1);
    expect(recorded.changed).toBe(true);
    expect(recorded.payment).toMatchObject({ paymentId: 'p-new', status: 'CHARGED', providerChargeId: 'ch_9', amountCents: 4200, createdAt: t1 });
    expect(recorded.reply).toEqual({ type: 'PaymentCompleted', paymentId: 'p-new', amountCents: 4200 });
  });

  it('records a decline as DECLINED and a provider problem as FAILED, with the reason', () => {
    const declined = applyChargeOutcome(undefined, request, { ok: false, reason: 'DECLINED', message: 'card declined' }, ids, t1);
    expect(declined.payment).toMatchObject({ status: 'DECLINED', failureReason: 'DECLINED', providerChargeId: null });
    expect(declined.reply).toEqual({ type: 'PaymentFailed', reason: 'DECLINED', message: 'card declined' });
    const timedOut = applyChargeOutcome(undefined, request, { ok: false, reason: 'TIMEOUT', message: 'slow' }, ids, t1);
    expect(timedOut.payment).toMatchObject({ status: 'FAILED', failureReason: 'TIMEOUT' });
    expect(timedOut.reply).toMatchObject({ type: 'PaymentFailed', reason: 'TIMEOUT' });
  });

  it('a FAILED charge asked again is overwritten by the new answer, keeping its id and creation time', () => {
    const failed = payment({ status: 'FAILED', providerChargeId: null, failureReason: 'TIMEOUT', failureMessage: 'slow' });
    const recorded = applyChargeOutcome(failed, request, { ok: true, chargeId: 'ch_1' }, ids, t1);
    expect(recorded.payment).toMatchObject({ paymentId: 'p-1', status: 'CHARGED', failureReason: null, createdAt: t0, updatedAt: t1 });
  });

  it('keeps a final outcome another delivery recorded meanwhile', () => {
    const charged = payment({});
    const recorded = applyChargeOutcome(charged, request, { ok: false, reason: 'TIMEOUT', message: 'slow' }, ids, t1);
    expect(recorded).toEqual({ payment: charged, changed: false, reply: { type: 'PaymentCompleted', paymentId: 'p-1', amountCents: 4200 } });
  });

  it('records a charge that went through after the refund ran as CHARGED: a late success to compensate, not money to keep', () => {
    const tombstone = payment({ status: 'REFUNDED', providerChargeId: null, customerId: null, amountCents: 0 });
    const recorded = applyChargeOutcome(tombstone, request, { ok: true, chargeId: 'ch_late' }, ids, t1);
    expect(recorded.payment).toMatchObject({ status: 'CHARGED', providerChargeId: 'ch_late', amountCents: 4200, customerId: 'c-1' });
    expect(recorded.reply.type).toBe('PaymentCompleted');
  });

  it('leaves a refunded charge refunded when the provider replays that same charge', () => {
    const refunded = payment({ status: 'REFUNDED', refundedCents: 4200 });
    const recorded = applyChargeOutcome(refunded, request, { ok: true, chargeId: 'ch_1' }, ids, t1);
    expect(recorded.changed).toBe(false);
    expect(recorded.reply.type).toBe('PaymentFailed');
  });
});
