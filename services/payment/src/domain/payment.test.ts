// The charge rules: claim before calling, the first recorded outcome is final, never charge a compensated order.
import { applyChargeOutcome, decideCharge, type ChargeRequest, type Payment } from './payment';

const t0 = new Date('2030-01-01T10:00:00Z');
const t1 = new Date('2030-01-01T10:00:05Z');
const request: ChargeRequest = { orderId: 'o-1', sagaId: 's-1', customerId: 'c-1', amountCents: 4200, currency: 'EUR', channel: 'command' };
const ids = { paymentId: 'p-new' };

const payment = (overrides: Partial<Payment>): Payment => ({
  paymentId: 'p-1', orderId: 'o-1', sagaId: 's-1', customerId: 'c-1', amountCents: 4200, currency: 'EUR',
  status: 'CHARGED', providerChargeId: 'ch_1', refundedCents: 0, failureReason: null, failureMessage: null,
  channel: 'command', createdAt: t0, updatedAt: t0, reconciledAt: null, ...overrides,
});
const claimed = payment({ status: 'CHARGING', providerChargeId: null });

describe('decideCharge', () => {
  it('claims the charge (CHARGING, with the request) when nothing is recorded', () => {
    const decision = decideCharge(undefined, { ...request, channel: 'event' }, ids, t1);
    expect(decision).toEqual({
      kind: 'claim',
      payment: expect.objectContaining({ paymentId: 'p-new', status: 'CHARGING', amountCents: 4200, channel: 'event', providerChargeId: null, createdAt: t1, reconciledAt: null }),
    });
  });

  it('asks the provider again only for a claim without an outcome (a delivery that died mid-call)', () => {
    expect(decideCharge(claimed, request, ids, t1)).toEqual({ kind: 'call-provider' });
  });

  it('answers a FAILED outcome again instead of asking the provider: the saga already compensated on it', () => {
    const unavailable = payment({ status: 'FAILED', providerChargeId: null, failureReason: 'PROVIDER_UNAVAILABLE', failureMessage: 'circuit open' });
    expect(decideCharge(unavailable, request, ids, t1)).toEqual({ kind: 'reply', reply: { type: 'PaymentFailed', reason: 'PROVIDER_UNAVAILABLE', message: 'circuit open' } });
    const timedOut = payment({ status: 'FAILED', providerChargeId: null, failureReason: 'TIMEOUT', failureMessage: 'slow' });
    expect(decideCharge(timedOut, request, ids, t1)).toEqual({ kind: 'reply', reply: { type: 'PaymentFailed', reason: 'TIMEOUT', message: 'slow' } });
  });

  it('replays a recorded charge or decline without calling the provider', () => {
    expect(decideCharge(payment({}), request, ids, t1)).toEqual({ kind: 'reply', reply: { type: 'PaymentCompleted', paymentId: 'p-1', amountCents: 4200 } });
    expect(decideCharge(payment({ status: 'DECLINED', providerChargeId: null, failureReason: 'DECLINED', failureMessage: 'no funds' }), request, ids, t1)).toEqual({
      kind: 'reply', reply: { type: 'PaymentFailed', reason: 'DECLINED', message: 'no funds' },
    });
  });

  it('never charges an order whose payment was already refunded (compensated)', () => {
    const decision = decideCharge(payment({ status: 'REFUNDED', providerChargeId: null, amountCents: 0 }), request, ids, t1);
    expect(decision).toMatchObject({ kind: 'reply', reply: { type: 'PaymentFailed' } });
  });
});

describe('applyChargeOutcome', () => {
  it('records a first success on the claim as CHARGED, keeping the claim id, and answers PaymentCompleted', () => {
    const recorded = applyChargeOutcome(claimed, request, { ok: true, chargeId: 'ch_9' }, ids, t1);
    expect(recorded.changed).toBe(true);
    expect(recorded.payment).toMatchObject({ paymentId: 'p-1', status: 'CHARGED', providerChargeId: 'ch_9', amountCents: 4200, createdAt: t0, updatedAt: t1 });
    expect(recorded.reply).toEqual({ type: 'PaymentCompleted', paymentId: 'p-1', amountCents: 4200 });
  });

  it('records a decline as DECLINED and a provider problem as FAILED, with the reason', () => {
    const declined = applyChargeOutcome(claimed, request, { ok: false, reason: 'DECLINED', message: 'card declined' }, ids, t1);
    expect(declined.payment).toMatchObject({ status: 'DECLINED', failureReason: 'DECLINED', providerChargeId: null });
    expect(declined.reply).toEqual({ type: 'PaymentFailed', reason: 'DECLINED', message: 'card declined' });
    const timedOut = applyChargeOutcome(claimed, request, { ok: false, reason: 'TIMEOUT', message: 'slow' }, ids, t1);
    expect(timedOut.payment).toMatchObject({ status: 'FAILED', failureReason: 'TIMEOUT' });
    expect(timedOut.reply).toMatchObject({ type: 'PaymentFailed', reason: 'TIMEOUT' });
  });

  it('the first recorded outcome is final: a later success does not overwrite a FAILED answer', () => {
    const failed = payment({ status: 'FAILED', providerChargeId: null, failureReason: 'PROVIDER_UNAVAILABLE', failureMessage: 'down' });
    const recorded = applyChargeOutcome(failed, request, { ok: true, chargeId: 'ch_1' }, ids, t1);
    expect(recorded).toEqual({ payment: failed, changed: false, reply: { type: 'PaymentFailed', reason: 'PROVIDER_UNAVAILABLE', message: 'down' } });
  });

  it('keeps a final outcome another delivery recorded meanwhile', () => {
    const charged = payment({});
    const recorded = applyChargeOutcome(charged, request, { ok: false, reason: 'TIMEOUT', message: 'slow' }, ids, t1);
    expect(recorded).toEqual({ payment: charged, changed: false, reply: { type: 'PaymentCompleted', paymentId: 'p-1', amountCents: 4200 } });
  });

  it('a capture reported after the refund ran leaves the order refunded and hands it to reconciliation', () => {
    const tombstone = payment({ status: 'REFUNDED', providerChargeId: null, customerId: null, amountCents: 0, reconciledAt: t0 });
    const recorded = applyChargeOutcome(tombstone, request, { ok: true, chargeId: 'ch_late' }, ids, t1);
    expect(recorded.changed).toBe(true);
    expect(recorded.payment).toMatchObject({ status: 'REFUNDED', providerChargeId: null, updatedAt: t1, reconciledAt: null });
    expect(recorded.reply.type).toBe('PaymentFailed');
  });

  it('leaves a refunded charge refunded when the provider replays that same charge', () => {
    const refunded = payment({ status: 'REFUNDED', refundedCents: 4200 });
    const recorded = applyChargeOutcome(refunded, request, { ok: true, chargeId: 'ch_1' }, ids, t1);
    expect(recorded.changed).toBe(false);
    expect(recorded.reply.type).toBe('PaymentFailed');
  });
});
