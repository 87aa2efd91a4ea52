// The refund rules, pure: refund exactly what was charged, once; "nothing was charged (and never will be)" is a refund of 0.
import type { Payment, PaymentChannel } from './payment';

export interface RefundRequest {
  orderId: string;
  sagaId: string;
  channel: PaymentChannel;
}

/**
 * - `done`: already settled, answer the recorded amount.
 * - `refund`: the local record names the charge.
 * - `void-charge`: no charge on record, but one may exist at the provider or still be on its way there (the charge
 *   timed out, is in flight, or the refund overtook it). Looking is not enough: a charge request still on the wire
 *   could land after the look. So the charge's idempotency key is voided at the provider, atomically with the look:
 *   either the provider names the charge the key made (refund it), or no charge can ever be made with it.
 */
export type RefundDecision =
  | { kind: 'done'; amountCents: number }
  | { kind: 'refund'; chargeId: string; amountCents: number }
  | { kind: 'void-charge' };

export function decideRefund(existing: Payment | undefined): RefundDecision {
  if (!existing || existing.status === 'FAILED' || existing.status === 'CHARGING') return { kind: 'void-charge' };
  if (existing.status === 'DECLINED') return { kind: 'done', amountCents: 0 };
  if (existing.status === 'REFUNDED') return { kind: 'done', amountCents: existing.refundedCents };
  if (!existing.providerChargeId) throw new Error(`payment of order ${existing.orderId} is CHARGED without a provider charge id`);
  // Always the full charge, so a retried refund sends the same request and the provider replays it.
  return { kind: 'refund', chargeId: existing.providerChargeId, amountCents: existing.amountCents };
}

/** What the provider did: refunded a charge (amountCents: refunded in all), or no charge took money (nor ever will). */
export type RefundResult = { kind: 'refunded'; chargeId: string; amountCents: number } | { kind: 'nothing-charged' };

export type RefundRecord =
  | { kind: 'record'; payment: Payment; changed: boolean; refundedCents: number }
  /** The row changed under us in a way that makes our conclusion stale (a charge was recorded meanwhile): decide again. */
  | { kind: 'stale'; reason: string };

/**
 * Records a refund against the row as it is now. Marking an uncharged order REFUNDED (a tombstone)
 * is deliberate: a ChargePayment that arrives after its compensation will not charge. A claim still in
 * flight (CHARGING) is overwritten too: its key is voided, so its answer can only be a refusal.
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
    if (existing && existing.status !== 'FAILED' && existing.status !== 'CHARGING') return { kind: 'record', payment: existing, changed: false, refundedCents: existing.refundedCents };
  } else if (existing?.status === 'REFUNDED' && existing.refundedCents > 0) {
    return { kind: 'record', payment: existing, changed: false, refundedCents: existing.refundedCents };
  }
  const refundedCents = result.kind === 'refunded' ? result.amountCents : 0;
  const payment: Payment = {
    paymentId: existing?.paymentId ?? ids.paymentId,
    orderId: request.orderId,
    sagaId: existing?.sagaId ?? request.sagaId,
    customerId: existing?.customerId ?? null,
    amountCents: Math.max(existing?.amountCents ?? 0, refundedCents),
    currency: existing?.currency ?? 'EUR',
    status: 'REFUNDED',
    providerChargeId: result.kind === 'refunded' ? result.chargeId : existing?.providerChargeId ?? null,
    refundedCents,
    failureReason: existing?.failureReason ?? null,
    failureMessage: existing?.failureMessage ?? null,
    channel: existing?.channel ?? request.channel,
    createdAt: existing?.createdAt ?? now,
    updatedAt: now,
    reconciledAt: null,
  };
  return { kind: 'record', payment, changed: true, refundedCents };
}
