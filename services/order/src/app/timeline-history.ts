// Reads a choreographed order's Kafka timeline as saga history, in the same {step, status, at} shape orchestration shows.
import type { SagaStep, StepStatus } from '../domain/order-saga.types';
import type { TimelineEntry } from '../store/timeline-repository';

export interface ChoreographyHistoryEntry {
  step: SagaStep | 'APPROVE_ORDER';
  status: StepStatus;
  at: string;
  detail?: string;
  /** The domain event the entry comes from. */
  event: string;
}

function stepOf(entry: TimelineEntry): Pick<ChoreographyHistoryEntry, 'step' | 'status' | 'detail'> | undefined {
  const payload = entry.payload;
  switch (entry.type) {
    case 'OrderCreated':
      return { step: 'CREATE_ORDER', status: 'SUCCEEDED' };
    case 'StockReserved':
      return { step: 'RESERVE_STOCK', status: 'SUCCEEDED' };
    case 'StockReservationFailed':
      return { step: 'RESERVE_STOCK', status: 'FAILED', detail: `${String(payload.reason)}: ${(payload.skus as string[] | undefined)?.join(', ') ?? ''}` };
    case 'PaymentCompleted':
      return { step: 'CHARGE_PAYMENT', status: 'SUCCEEDED', detail: String(payload.paymentId) };
    case 'PaymentFailed':
      return { step: 'CHARGE_PAYMENT', status: 'FAILED', detail: `${String(payload.reason)}: ${String(payload.message)}` };
    case 'PaymentRefunded':
      return { step: 'REFUND_PAYMENT', status: 'SUCCEEDED', detail: `${String(payload.amountCents)} cents` };
    case 'StockReleased':
      return { step: 'RELEASE_STOCK', status: 'SUCCEEDED' };
    case 'PaymentReconciled':
      // Payment's reconciliation note: what it found at the provider and did (as orchestration records it).
      return { step: 'RECONCILE_PAYMENT', status: payload.action === 'REFUNDED_CAPTURE' ? 'SUCCEEDED' : 'FAILED', detail: String(payload.detail) };
    case 'OrderApproved':
      return { step: 'APPROVE_ORDER', status: 'SUCCEEDED' };
    case 'OrderCancelled':
      return { step: 'CANCEL_ORDER', status: 'SUCCEEDED', detail: String(payload.reason) };
    case 'NotificationSent':
      return { step: payload.kind === 'ORDER_CONFIRMED' ? 'NOTIFY_CONFIRMED' : 'NOTIFY_CANCELLED', status: 'SUCCEEDED' };
    default:
      return undefined;
  }
}

/** Forward successes that, after a cancellation, are late (then compensated by their participant: released, refunded). */
const lateAfterCancellation = new Set(['StockReserved', 'PaymentCompleted']);

/**
 * In the timeline's order (occurredAt). A reservation or a charge that happened after the order was cancelled (by its
 * choreography deadline) reads LATE_REPLY, as orchestration records a success that came after its step gave up.
 */
export function timelineToHistory(timeline: readonly TimelineEntry[]): ChoreographyHistoryEntry[] {
  let cancelled = false;
  return timeline.flatMap((entry) => {
    const step = stepOf(entry);
    const late = cancelled && lateAfterCancellation.has(entry.type);
    if (entry.type === 'OrderCancelled') cancelled = true;
    return step ? [{ ...step, ...(late ? { status: 'LATE_REPLY' as const } : {}), at: entry.occurredAt, event: entry.type }] : [];
  });
}
