// The choreographed saga's settling rules, as one pure function: which facts end an order, and how.
//
//   StockReservationFailed ─────────────────────────────► CANCELLED (reason: OUT_OF_STOCK / UNKNOWN_SKU)
//   PaymentCompleted ───────────────────────────────────► APPROVED
//   PaymentFailed ─┐  (both, in either order: events on two topics are not ordered with each other)
//   StockReleased ─┴────────────────────────────────────► CANCELLED (reason: the payment's), C2 before C1
//   deadline passed while PENDING ──────────────────────► CANCELLED (DEADLINE_EXCEEDED; the payment's reason if its
//                                                          failure came already: the deadline only ended the wait for C2)
//   PaymentCompleted after a cancellation ──────────────► stays CANCELLED; payment refunds it on the OrderCancelled
//
// After a cancellation every participant compensates by itself, on the OrderCancelled it receives: inventory gives
// back a reservation, payment refunds (or voids) a charge and refuses one asked for later. The order never re-opens.
import { cancellationReasons } from '@saga/contracts';
import type { FailureReason } from './order-saga.types';

/** What a participant said about an order, or that its deadline passed, in the order service's words. */
export type ChoreographyFact =
  | { type: 'STOCK_RESERVATION_FAILED'; reason: 'OUT_OF_STOCK' | 'UNKNOWN_SKU' }
  | { type: 'PAYMENT_COMPLETED' }
  | { type: 'PAYMENT_FAILED'; reason: Extract<FailureReason, 'PAYMENT_DECLINED' | 'PAYMENT_PROVIDER_UNAVAILABLE' | 'PAYMENT_TIMEOUT'> }
  | { type: 'STOCK_RELEASED' }
  /** The order service's reaper: the order is older than the choreography deadline. */
  | { type: 'DEADLINE_PASSED' };

/** What the order service remembers of a choreographed order while it waits for the events that settle it. */
export interface ChoreographyProgress {
  status: 'PENDING' | 'APPROVED' | 'CANCELLED';
  /** The payment's failure, once its PaymentFailed arrived. */
  paymentFailure: string | null;
  /** Whether inventory's StockReleased arrived (it may come before the PaymentFailed that caused it). */
  stockReleased: boolean;
}

export type ChoreographyOutcome = { status: 'APPROVED' } | { status: 'CANCELLED'; reason: string };

/** A success that came after the order was cancelled, and the compensation its participant runs (not the order). */
export interface LateFact {
  fact: 'PAYMENT_COMPLETED';
  compensation: 'REFUND_PAYMENT';
}

export interface Settlement {
  progress: ChoreographyProgress;
  /** Set when this fact ends the order: the order row changes and OrderApproved / OrderCancelled is announced. */
  outcome?: ChoreographyOutcome;
  /** Set when this fact contradicts the order's final status: said in the log, compensated by the participant. */
  late?: LateFact;
}

/**
 * Applies one fact. Every fact is remembered, whatever the order's status; only a PENDING order can be settled, so a
 * duplicate, a late event or a deadline that passed after the order settled settles nothing twice. Never throws: any
 * legal ordering of the participants' events and the deadline ends in one outcome, and waiting for the other half of
 * a pair is a state, not an error to retry.
 */
export function settleChoreography(progress: ChoreographyProgress, fact: ChoreographyFact): Settlement {
  const remembered: ChoreographyProgress = {
    ...progress,
    ...(fact.type === 'PAYMENT_FAILED' && progress.paymentFailure === null ? { paymentFailure: fact.reason } : {}),
    ...(fact.type === 'STOCK_RELEASED' ? { stockReleased: true } : {}),
  };
  if (progress.status !== 'PENDING') {
    const late = lateFact(progress.status, fact);
    return late ? { progress: remembered, late } : { progress: remembered };
  }
  const outcome = outcomeOf(remembered, fact);
  return outcome ? { progress: { ...remembered, status: outcome.status }, outcome } : { progress: remembered };
}

function outcomeOf(progress: ChoreographyProgress, fact: ChoreographyFact): ChoreographyOutcome | undefined {
  switch (fact.type) {
    case 'STOCK_RESERVATION_FAILED':
      // Nothing was reserved, nothing charged: C1 at once.
      return { status: 'CANCELLED', reason: fact.reason };
    case 'PAYMENT_COMPLETED':
      return { status: 'APPROVED' };
    case 'PAYMENT_FAILED':
    case 'STOCK_RELEASED':
      // C1 only once the stock is back (C2 before C1), and with the payment's reason.
      return progress.paymentFailure !== null && progress.stockReleased ? { status: 'CANCELLED', reason: progress.paymentFailure } : undefined;
    case 'DEADLINE_PASSED':
      // Someone is silent: cancel now, exactly like a participant failure. Inventory releases on the OrderCancelled
      // (C2 after C1 here, the price of not waiting), payment refunds whatever may have been charged.
      return { status: 'CANCELLED', reason: progress.paymentFailure ?? cancellationReasons.deadlineExceeded };
  }
}

/** Only a charge that went through after a cancellation moves money the customer must get back. */
function lateFact(status: ChoreographyProgress['status'], fact: ChoreographyFact): LateFact | undefined {
  return status === 'CANCELLED' && fact.type === 'PAYMENT_COMPLETED' ? { fact: 'PAYMENT_COMPLETED', compensation: 'REFUND_PAYMENT' } : undefined;
}
