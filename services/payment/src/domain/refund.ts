// The refund rules, pure: refund exactly what was charged, once; "nothing was charged" is a successful refund of 0.
import type { Payment } from './payment';

export interface RefundRequest {
  orderId: string;
  sagaId: string;
}

/**
 * - `done`: already settled, answer the recorded amount.
 * - `refund`: the local record names the charge.
 * - `find-charge`: no charge on record, but one may exist at the provider (the charge timed out, or the
 *   refund overtook it): ask the provider by the charge's idempotency key before concluding "nothing".
 */
export type RefundDecision =
  | { kind: 'done'; amountCents: number }
  | { kind: 'refund'; chargeId: string; amountCents: number }
  | { kind: 'find-charge' };

export function decideRefund(existing: Payment | undefined): RefundDecision {
  if (!existing || existing.status === 'FAILED') return { kind: 'find-charge' };
  if (existing.status === 'DECLINED') return { kind: 'done', amountCents: 0 };
  if (existing.status === 'REFUNDED') return { kind: 'done', amountCents: existing.refundedCents };
  if (!existing.providerChargeId) throw new Error(`payment of order ${existing.orderId} is CHARGED without a provider charge id`);
  // Always the full charge, so a retried refund sends the same request and the provider replays it.
  return { kind: 'refund', chargeId: existing.providerChargeId, amountCents: existing.amountCents };
}

/** What the provider did: refunded a charge, or there was no successful charge to refund. */
export type RefundResult = { kind: 'refunded'; chargeId: string; amountCents: number } | { kind: 'nothing-charged' };

export type RefundRecord =
  | { kind: 'record'; payment: Payment; changed: boolean; refundedCents: number }
  /** The row changed under us in a way that makes our conclusion stale (a charge was recorded meanwhile): decide again. */
  | { kind: 'stale'; reason: string };

/**
 * Records a refund against the row as it is now. Marking an uncharged order REFUNDED (a tombstone)
 * is deliberate: a ChargePayment that arrives after its compensation will not charge.
 */
export function applyRefund(
  existing: Payment | undefined,
  request: RefundRequest,
  result: RefundResult,
  ids: { paymentId: string },
  now: Date,
): RefundRecord {
  if (result.kind === 'nothing-charged') {
    if (existing?.status === 'CHARGED') return { kind: 'stale', reason: 'a charge was recorded while the refund looked for one' };
    if (existing && existing.status !== 'FAILED') return { kind: 'record', payment: existing, changed: false, refundedCents: existing.refundedCents };
  } else if (existing?.status === 'REFUNDED' && existing.refundedCents > 0) {
    return { kind: 'record', payment: existing, changed: false, refundedCents: existing.refundedCents };
  }
  const refundedCents = result.kind === 'refunded' ? result.amountCents : 0;
  const payment: Payment = {
    paymentId: existing?.paymentId ?? ids.paymentId,
    orderId: request.orderId,
    sagaId: existing?.sagaId ?? request.sagaId,
    customerId: existing?.customerId ?? null,
    amountCents: existing?.amountCents ?? refundedCents,
    currency: existing?.currency ?? 'EUR',
    status: 'REFUNDED',
    providerChargeId: result.kind === 'refunded' ? result.chargeId : existing?.providerChargeId ?? null,
    refundedCents,
    failureReason: existing?.failureReason ?? null,
    failureMessage: existing?.failureMessage ?? null,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
  };
  return { kind: 'record', payment, changed: true, refundedCents };
}
