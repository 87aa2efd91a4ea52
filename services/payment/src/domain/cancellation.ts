// What a cancelled order asks of payment in choreography, pure: refund what may have moved, refuse what comes later.
import type { Payment, PaymentChannel } from './payment';
import { applyRefund } from './refund';

/**
 * - `refund`: money may have moved: a charge recorded, one still claimed (CHARGING), or a TIMEOUT whose outcome is
 *   unknown. The refund use case refunds it, or voids the charge's key so a request still on the wire cannot land.
 * - `close`: nothing was ever claimed, but a charge may still be asked for: the order was cancelled by its deadline
 *   while a StockReserved was on its way. A tombstone makes that charge answer PaymentFailed without calling the
 *   provider. No provider call is needed for it either: a claim commits before the provider is called, under the same
 *   order lock, so no row means no charge was made or is in flight.
 * - `nothing`: a decline, a refusal or a refund is final (its charge can never run again); or inventory refused the
 *   order, so no StockReserved, hence no charge, can ever come (and an out-of-stock order keeps no payment row).
 */
export type CancellationDecision = 'refund' | 'close' | 'nothing';

export function decideOnCancellation(existing: Payment | undefined, chargeMayFollow: boolean): CancellationDecision {
  if (!existing) return chargeMayFollow ? 'close' : 'nothing';
  switch (existing.status) {
    case 'CHARGED':
    case 'CHARGING':
      return 'refund';
    case 'FAILED':
      return existing.failureReason === 'TIMEOUT' ? 'refund' : 'nothing';
    case 'DECLINED':
    case 'REFUNDED':
      return 'nothing';
  }
}

/** The tombstone of `close`: REFUNDED with nothing charged, as a refund that overtook its charge leaves it. */
export function closedPayment(request: { orderId: string; sagaId: string; channel: PaymentChannel }, ids: { paymentId: string }, now: Date): Payment {
  const recorded = applyRefund(undefined, request, { kind: 'nothing-charged' }, ids, now);
  if (recorded.kind !== 'record') throw new Error(`closing order ${request.orderId}: ${recorded.reason}`);
  return recorded.payment;
}
