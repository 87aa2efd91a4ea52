// The choreographed saga's settling rules, as one pure function: which participant events end an order, and how.
//
//   StockReservationFailed ─────────────────────────────► CANCELLED (reason: OUT_OF_STOCK / UNKNOWN_SKU)
//   PaymentCompleted ───────────────────────────────────► APPROVED
//   PaymentFailed ─┐  (both, in either order: events on two topics are not ordered with each other)
//   StockReleased ─┴────────────────────────────────────► CANCELLED (reason: the payment's), C2 before C1
import type { FailureReason } from './order-saga.types';

/** What a participant said about an order, in the order service's words. */
export type ChoreographyFact =
  | { type: 'STOCK_RESERVATION_FAILED'; reason: 'OUT_OF_STOCK' | 'UNKNOWN_SKU' }
  | { type: 'PAYMENT_COMPLETED' }
  | { type: 'PAYMENT_FAILED'; reason: Extract<FailureReason, 'PAYMENT_DECLINED' | 'PAYMENT_PROVIDER_UNAVAILABLE' | 'PAYMENT_TIMEOUT'> }
  | { type: 'STOCK_RELEASED' };

/** What the order service remembers of a choreographed order while it waits for the events that settle it. */
export interface ChoreographyProgress {
  status: 'PENDING' | 'APPROVED' | 'CANCELLED';
  /** The payment's failure, once its PaymentFailed arrived. */
  paymentFailure: string | null;
  /** Whether inventory's StockReleased arrived (it may come before the PaymentFailed that caused it). */
  stockReleased: boolean;
}

export type ChoreographyOutcome = { status: 'APPROVED' } | { status: 'CANCELLED'; reason: string };

export interface Settlement {
  progress: ChoreographyProgress;
  /** Set when this fact ends the order: the order row changes and OrderApproved / OrderCancelled is announced. */
  outcome?: ChoreographyOutcome;
}

/**
 * Applies one fact. Every fact is remembered, whatever the order's status; only a PENDING order can be settled, so a
 * duplicate or a late event settles nothing twice. Never throws: any legal ordering of the participants' events ends
 * in the same outcome, and waiting for the other half of a pair is a state, not an error to retry.
 */
export function settleChoreography(progress: ChoreographyProgress, fact: ChoreographyFact): Settlement {
  const remembered: ChoreographyProgress = {
    ...progress,
    ...(fact.type === 'PAYMENT_FAILED' && progress.paymentFailure === null ? { paymentFailure: fact.reason } : {}),
    ...(fact.type === 'STOCK_RELEASED' ? { stockReleased: true } : {}),
  };
  if (progress.status !== 'PENDING') return { progress: remembered };
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
  }
}
