// The payment rules, pure: what a ChargePayment or RefundPayment does given what is already recorded for the order.

/**
 * CHARGING is the claim written before the provider is called: from then on the order's charge is "in flight" and
 * every later decision knows it. The other statuses are outcomes; the first one recorded is final.
 */
export const paymentStatuses = ['CHARGING', 'CHARGED', 'DECLINED', 'FAILED', 'REFUNDED'] as const;
export type PaymentStatus = (typeof paymentStatuses)[number];

/** Why a charge did not go through; the saga compensates on any of them. */
export type FailureReason = 'DECLINED' | 'PROVIDER_UNAVAILABLE' | 'TIMEOUT';

/** Which transport the order's saga talks to payment on: where a later message about the order (reconciliation) goes. */
export type PaymentChannel = 'command' | 'event';

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
  channel: PaymentChannel;
  createdAt: Date;
  updatedAt: Date;
  /** When reconciliation last compared this payment with the provider's books; due again once updatedAt passes it. */
  reconciledAt: Date | null;
}

export interface ChargeRequest {
  orderId: string;
  sagaId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  channel: PaymentChannel;
}

/** What the provider said about a charge (see the PaymentProvider port). */
export type ChargeOutcome = { ok: true; chargeId: string } | { ok: false; reason: FailureReason; message: string };

export type ChargeReply =
  | { type: 'PaymentCompleted'; paymentId: string; amountCents: number }
  | { type: 'PaymentFailed'; reason: FailureReason; message: string };

/**
 * - `claim`: nothing recorded: write the CHARGING claim, then call the provider.
 * - `call-provider`: a claim exists but no outcome (a delivery died mid-call): ask again with the same idempotency
 *   key, which reports the first charge instead of making a second.
 * - `reply`: an outcome is recorded: it is final and is answered again, the provider is not called.
 */
export type ChargeDecision = { kind: 'claim'; payment: Payment } | { kind: 'call-provider' } | { kind: 'reply'; reply: ChargeReply };

/** The reply a recorded outcome stands for; undefined while the charge is only claimed. */
function recordedReply(payment: Payment): ChargeReply | undefined {
  switch (payment.status) {
    case 'CHARGED':
      return { type: 'PaymentCompleted', paymentId: payment.paymentId, amountCents: payment.amountCents };
    case 'DECLINED':
      return { type: 'PaymentFailed', reason: 'DECLINED', message: payment.failureMessage ?? 'declined' };
    case 'FAILED':
      // Final too: the saga has already compensated on this answer (without a refund when the provider was
      // unavailable), so charging now would take money that nothing gives back.
      return { type: 'PaymentFailed', reason: payment.failureReason ?? 'PROVIDER_UNAVAILABLE', message: payment.failureMessage ?? 'failed' };
    case 'REFUNDED':
      // Compensated already (possibly before the charge even ran): it is never charged again.
      return {
        type: 'PaymentFailed',
        reason: payment.failureReason ?? 'DECLINED',
        message: `the payment of order ${payment.orderId} was already refunded; it is not charged again`,
      };
    case 'CHARGING':
      return undefined;
  }
}

/** Before calling the provider, under the order's lock: claim, resume an unfinished claim, or answer what is recorded. */
export function decideCharge(existing: Payment | undefined, request: ChargeRequest, ids: { paymentId: string }, now: Date): ChargeDecision {
  if (!existing) {
    const claim: Payment = {
      paymentId: ids.paymentId,
      ...request,
      status: 'CHARGING',
      providerChargeId: null,
      refundedCents: 0,
      failureReason: null,
      failureMessage: null,
      createdAt: now,
      updatedAt: now,
      reconciledAt: null,
    };
    return { kind: 'claim', payment: claim };
  }
  const reply = recordedReply(existing);
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
 * Records the provider's answer against the row as it is *now*. Only a claim (CHARGING) takes an outcome: whatever
 * was recorded first is final and answered again. A refund that ran while the charge was in flight (REFUNDED) stays:
 * it voided the charge at the provider or refunded it. Should the provider report a capture all the same, the row is
 * handed to reconciliation (reconciledAt cleared), which reads the provider's books and refunds whatever it finds.
 */
export function applyChargeOutcome(
  existing: Payment | undefined,
  request: ChargeRequest,
  outcome: ChargeOutcome,
  ids: { paymentId: string },
  now: Date,
): Recorded & { reply: ChargeReply } {
  if (existing && existing.status !== 'CHARGING') {
    const reply = recordedReply(existing)!;
    const captureAfterRefund = existing.status === 'REFUNDED' && outcome.ok && outcome.chargeId !== existing.providerChargeId;
    if (captureAfterRefund) return { payment: { ...existing, updatedAt: now, reconciledAt: null }, changed: true, reply };
    return { payment: existing, changed: false, reply };
  }
  const status: PaymentStatus = outcome.ok ? 'CHARGED' : outcome.reason === 'DECLINED' ? 'DECLINED' : 'FAILED';
  const payment: Payment = {
    paymentId: existing?.paymentId ?? ids.paymentId,
    ...request,
    channel: existing?.channel ?? request.channel,
    status,
    providerChargeId: outcome.ok ? outcome.chargeId : null,
    refundedCents: 0,
    failureReason: outcome.ok ? null : outcome.reason,
    failureMessage: outcome.ok ? null : outcome.message.slice(0, 500),
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    reconciledAt: null,
  };
  return { payment, changed: true, reply: replyFor(outcome, payment) };
}
