// Reconciliation rules, pure: what the provider's books must show for an order, given what payment answered the saga.
import type { Payment } from './payment';

/** The order's fate as payment's own answers fix it (see orderFate). */
export type OrderFate = 'CANCELLED' | 'APPROVED' | 'UNSETTLED';

/**
 * Payment's answer decides the order at the pivot, in both saga styles: a PaymentFailed (declined, refused, timed out)
 * always cancels the order, a refund is only ever asked for a cancelled order, and a PaymentCompleted approves it
 * unless a refund follows (a late success, which the saga compensates). A claim without an outcome is not settled yet.
 */
export function orderFate(payment: Payment): OrderFate {
  switch (payment.status) {
    case 'CHARGING':
      return 'UNSETTLED';
    case 'CHARGED':
      return 'APPROVED';
    case 'DECLINED':
    case 'FAILED':
    case 'REFUNDED':
      return 'CANCELLED';
  }
}

/** One charge as the provider's books show it (a subset of the port's ProviderCharge). */
export interface LedgerCharge {
  chargeId: string;
  amountCents: number;
  refundedCents: number;
  status: 'succeeded' | 'failed';
}

export interface ReconciliationPlan {
  fate: OrderFate;
  /** Captured money the order must not keep: each charge's unrefunded remainder. */
  refunds: { chargeId: string; amountCents: number }[];
  /** An approved order the provider holds less than its amount for: flagged, never "fixed" by charging again. */
  missingCents: number;
}

const remainder = (charge: LedgerCharge) => (charge.status === 'succeeded' ? charge.amountCents - charge.refundedCents : 0);

/**
 * - CANCELLED: the order's net at the provider must be 0: refund every capture's remainder.
 * - APPROVED: exactly the recorded charge must hold the amount: refund any other capture (a double charge), flag a
 *   shortfall on the recorded one.
 * - UNSETTLED: nothing yet (the claim's delivery will be redelivered and settle it).
 */
export function planReconciliation(payment: Payment, charges: readonly LedgerCharge[]): ReconciliationPlan {
  const fate = orderFate(payment);
  if (fate === 'UNSETTLED') return { fate, refunds: [], missingCents: 0 };
  const toRefund = fate === 'CANCELLED' ? charges : charges.filter((charge) => charge.chargeId !== payment.providerChargeId);
  const refunds = toRefund.filter((charge) => remainder(charge) > 0).map((charge) => ({ chargeId: charge.chargeId, amountCents: remainder(charge) }));
  if (fate === 'CANCELLED') return { fate, refunds, missingCents: 0 };
  const recorded = charges.find((charge) => charge.chargeId === payment.providerChargeId);
  const held = recorded ? remainder(recorded) : 0;
  return { fate, refunds, missingCents: Math.max(0, payment.amountCents - held) };
}

/**
 * The row after a cancelled order's stray captures were refunded: REFUNDED, with what the provider now shows refunded
 * in all, so payment's own record agrees with the books.
 */
export function recordReconciledRefunds(payment: Payment, refunded: readonly { chargeId: string; amountCents: number }[], now: Date): Payment {
  // An approved order keeps its own charge; only the extra captures were refunded, which its record never held.
  if (payment.status === 'CHARGED') return { ...payment, updatedAt: now, reconciledAt: now };
  const refundedCents = payment.refundedCents + refunded.reduce((sum, refund) => sum + refund.amountCents, 0);
  return {
    ...payment,
    status: 'REFUNDED',
    providerChargeId: payment.providerChargeId ?? refunded[0]?.chargeId ?? null,
    amountCents: Math.max(payment.amountCents, refundedCents),
    refundedCents,
    updatedAt: now,
    reconciledAt: now,
  };
}
