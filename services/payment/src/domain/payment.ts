// The payment rules, pure: what a ChargePayment or RefundPayment does given what is already recorded for the order.

export const paymentStatuses = ['CHARGED', 'DECLINED', 'FAILED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** Why a charge did not go through; the saga compensates on any of them. */
export type FailureReason = 'DECLINED' | 'PROVIDER_UNAVAILABLE' | 'TIMEOUT';

/** One payment per order (orderId is the key): the charge, its outcome and any refund. */
export interface Payment {
  paymentId: string;
  orderId: string;
  sagaId: string;
  /** Null only for a refund recorded before any charge (the charge was compensated before it ran). */
  customerId: string | null;
  /** What was asked for (and, once CHARGED, taken); 0 when only a refund was ever seen. */
  amountCents: number;
  currency: string;
  status: PaymentStatus;
  providerChargeId: string | null;
  refundedCents: number;
  failureReason: FailureReason | null;
  failureMessage: string | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface ChargeRequest {
  orderId: string;
  sagaId: string;
  customerId: string;
  amountCents: number;
  currency: string;
}

/** What the provider said about a charge (see the PaymentProvider port). */
export type ChargeOutcome = { ok: true; chargeId: string } | { ok: false; reason: FailureReason; message: string };

export type ChargeReply =
  | { type: 'PaymentCompleted'; paymentId: string; amountCents: number }
  | { type: 'PaymentFailed'; reason: FailureReason; message: string };

export type ChargeDecision = { kind: 'call-provider' } | { kind: 'reply'; reply: ChargeReply };

/** The reply a recorded payment stands for; FAILED has no final answer, so it is asked again. */
function recordedReply(payment: Payment): ChargeReply | undefined {
  switch (payment.status) {
    case 'CHARGED':
      return { type: 'PaymentCompleted', paymentId: payment.paymentId, amountCents: payment.amountCents };
    case 'DECLINED':
      return { type: 'PaymentFailed', reason: 'DECLINED', message: payment.failureMessage ?? 'declined' };
    case 'REFUNDED':
      // Compensated already (possibly before the charge even ran): it is never charged again.
      return {
        type: 'PaymentFailed',
        reason: payment.failureReason ?? 'DECLINED',
        message: `the payment of order ${payment.orderId} was already refunded; it is not charged again`,
      };
    case 'FAILED':
      return undefined;
  }
}

/**
 * Before calling the provider: a final outcome is replayed, never charged again. A FAILED charge
 * (timeout, provider down) has an unknown outcome, so asking again is right, and safe: the provider
 * call reuses the order's idempotency key, so it reports the first charge instead of making a second.
 */
export function decideCharge(existing: Payment | undefined): ChargeDecision {
  const reply = existing && recordedReply(existing);
  return reply ? { kind: 'reply', reply } : { kind: 'call-provider' };
}

export interface Recorded {
  payment: Payment;
  /** False when the record stays as it was (nothing to write). */
  changed: boolean;
}

function replyFor(outcome: ChargeOutcome, payment: Payment): ChargeReply {
  return outcome.ok
    ? { type: 'PaymentCompleted', paymentId: payment.paymentId, amountCents: payment.amountCents }
    : { type: 'PaymentFailed', reason: outcome.reason, message: outcome.message };
}

/**
 * Records the provider's answer, against the row as it is *now* (another delivery may have recorded
 * something while the provider was being called). A final outcome already recorded wins. A charge that
 * went through after the order was compensated is recorded as CHARGED and answered PaymentCompleted:
 * a late success the orchestrator turns into a refund (dropping it would keep the customer's money).
 */
export function applyChargeOutcome(
  existing: Payment | undefined,
  request: ChargeRequest,
  outcome: ChargeOutcome,
  ids: { paymentId: string },
  now: Date,
): Recorded & { reply: ChargeReply } {
  if (existing && (existing.status === 'CHARGED' || existing.status === 'DECLINED')) {
    return { payment: existing, changed: false, reply: recordedReply(existing)! };
  }
  if (existing?.status === 'REFUNDED' && !(outcome.ok && outcome.chargeId !== existing.providerChargeId)) {
    return { payment: existing, changed: false, reply: recordedReply(existing)! };
  }
  const status: PaymentStatus = outcome.ok ? 'CHARGED' : outcome.reason === 'DECLINED' ? 'DECLINED' : 'FAILED';
  const payment: Payment = {
    paymentId: existing?.paymentId ?? ids.paymentId,
    orderId: request.orderId,
    sagaId: request.sagaId,
    customerId: request.customerId,
    amountCents: request.amountCents,
    currency: request.currency,
    status,
    providerChargeId: outcome.ok ? outcome.chargeId : null,
    refundedCents: 0,
    failureReason: outcome.ok ? null : outcome.reason,
    failureMessage: outcome.ok ? null : outcome.message.slice(0, 500),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  return { payment, changed: true, reply: replyFor(outcome, payment) };
}
