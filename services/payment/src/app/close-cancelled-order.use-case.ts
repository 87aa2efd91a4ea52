// Use case (choreography): an OrderCancelled reached payment. Decides under the order's lock whether money may have
// moved (the caller refunds it), and closes an order no charge was claimed for, so a charge asked after it takes nothing.
import { cancellationReasons } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { closedPayment, decideOnCancellation, type CancellationDecision } from '../domain/cancellation';
import { findPayment, savePayment, withOrderLock } from '../store/payment-repository';
import type { Clock } from './clock';

export interface CancelledOrder {
  orderId: string;
  sagaId: string;
  /** OrderCancelled's reason: a stock refusal means no charge can ever be asked for this order. */
  reason: string;
}

export interface CloseCancelledOrderDeps {
  db: SqlClient;
  clock: Clock;
  newId: () => string;
}

/** Idempotent: once closed (or refunded, or declined) the order's row says so, and a repeat decides `nothing`. */
export async function closeCancelledOrder(deps: CloseCancelledOrderDeps, order: CancelledOrder): Promise<CancellationDecision> {
  const stockRefused: readonly string[] = cancellationReasons.stockRefused;
  const chargeMayFollow = !stockRefused.includes(order.reason);
  // The same lock the charge takes to claim: a StockReserved handled concurrently either claimed first (refund) or
  // finds the tombstone (refused).
  return withOrderLock(deps.db, order.orderId, async (tx) => {
    const decision = decideOnCancellation(await findPayment(tx, order.orderId), chargeMayFollow);
    if (decision === 'close') {
      await savePayment(tx, closedPayment({ orderId: order.orderId, sagaId: order.sagaId, channel: 'event' }, { paymentId: deps.newId() }, deps.clock.now()), true);
    }
    return decision;
  });
}
