// The reconciliation rules: a cancelled order nets 0 at the provider, an approved one exactly its recorded charge.
import type { Payment } from './payment';
import { orderFate, planReconciliation, recordReconciledRefunds, type LedgerCharge } from './reconciliation';

const t0 = new Date('2030-01-01T10:00:00Z');
const t1 = new Date('2030-01-01T10:05:00Z');
const payment = (overrides: Partial<Payment>): Payment => ({
  paymentId: 'p-1', orderId: 'o-1', sagaId: 's-1', customerId: 'c-1', amountCents: 4200, currency: 'EUR',
  status: 'CHARGED', providerChargeId: 'ch_1', refundedCents: 0, failureReason: null, failureMessage: null,
  channel: 'command', createdAt: t0, updatedAt: t0, reconciledAt: null, ...overrides,
});
const captured = (chargeId: string, amountCents = 4200, refundedCents = 0): LedgerCharge => ({ chargeId, amountCents, refundedCents, status: 'succeeded' });
const declined = (chargeId: string): LedgerCharge => ({ chargeId, amountCents: 4200, refundedCents: 0, status: 'failed' });

describe('orderFate', () => {
  it("follows payment's answer: failed or refunded → CANCELLED, charged → APPROVED, a bare claim → UNSETTLED", () => {
    expect(orderFate(payment({ status: 'FAILED', failureReason: 'PROVIDER_UNAVAILABLE' }))).toBe('CANCELLED');
    expect(orderFate(payment({ status: 'DECLINED' }))).toBe('CANCELLED');
    expect(orderFate(payment({ status: 'REFUNDED' }))).toBe('CANCELLED');
    expect(orderFate(payment({}))).toBe('APPROVED');
    expect(orderFate(payment({ status: 'CHARGING' }))).toBe('UNSETTLED');
  });
});

describe('planReconciliation', () => {
  it('refunds a capture kept on an order cancelled because the provider was unavailable (the redelivered charge)', () => {
    const plan = planReconciliation(payment({ status: 'FAILED', providerChargeId: null, failureReason: 'PROVIDER_UNAVAILABLE' }), [captured('ch_x', 120)]);
    expect(plan).toEqual({ fate: 'CANCELLED', refunds: [{ chargeId: 'ch_x', amountCents: 120 }], missingCents: 0 });
  });

  it('refunds only the unrefunded remainder, and nothing of declined charges', () => {
    const plan = planReconciliation(payment({ status: 'REFUNDED', refundedCents: 1000 }), [captured('ch_1', 4200, 1000), declined('ch_2')]);
    expect(plan.refunds).toEqual([{ chargeId: 'ch_1', amountCents: 3200 }]);
  });

  it('finds nothing to do for a cancelled order that nets 0, or an approved one holding exactly its charge', () => {
    expect(planReconciliation(payment({ status: 'REFUNDED', refundedCents: 4200 }), [captured('ch_1', 4200, 4200)])).toEqual({ fate: 'CANCELLED', refunds: [], missingCents: 0 });
    expect(planReconciliation(payment({}), [captured('ch_1')])).toEqual({ fate: 'APPROVED', refunds: [], missingCents: 0 });
  });

  it('refunds a second capture of an approved order (a double charge) and keeps the recorded one', () => {
    expect(planReconciliation(payment({}), [captured('ch_2'), captured('ch_1')])).toEqual({ fate: 'APPROVED', refunds: [{ chargeId: 'ch_2', amountCents: 4200 }], missingCents: 0 });
  });

  it('flags an approved order whose capture is missing or was refunded; it never charges again', () => {
    expect(planReconciliation(payment({}), [])).toEqual({ fate: 'APPROVED', refunds: [], missingCents: 4200 });
    expect(planReconciliation(payment({}), [captured('ch_1', 4200, 4200)]).missingCents).toBe(4200);
  });

  it('leaves an unsettled claim alone', () => {
    expect(planReconciliation(payment({ status: 'CHARGING', providerChargeId: null }), [captured('ch_1')])).toEqual({ fate: 'UNSETTLED', refunds: [], missingCents: 0 });
  });
});

describe('recordReconciledRefunds', () => {
  it('marks a cancelled order REFUNDED with what was refunded, so the record agrees with the books', () => {
    const failed = payment({ status: 'FAILED', providerChargeId: null, failureReason: 'PROVIDER_UNAVAILABLE', amountCents: 120 });
    expect(recordReconciledRefunds(failed, [{ chargeId: 'ch_x', amountCents: 120 }], t1)).toMatchObject({
      status: 'REFUNDED', refundedCents: 120, providerChargeId: 'ch_x', failureReason: 'PROVIDER_UNAVAILABLE', updatedAt: t1, reconciledAt: t1,
    });
  });

  it('keeps an approved order CHARGED with its own charge after refunding an extra capture', () => {
    expect(recordReconciledRefunds(payment({}), [{ chargeId: 'ch_2', amountCents: 4200 }], t1)).toMatchObject({ status: 'CHARGED', refundedCents: 0, providerChargeId: 'ch_1', reconciledAt: t1 });
  });
});
