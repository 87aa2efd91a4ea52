// Choreography, the order's part: turn a participant's event into a fact and settle the order with it (the pure rules
// decide; OrderApproved / OrderCancelled go through the caller's outbox).
import {
  PaymentCompleted,
  PaymentFailed,
  StockReleased,
  StockReservationFailed,
  type MessageContract,
  type MessageEnvelope,
} from '@saga/contracts';
import type { SqlExecutor } from '@saga/db';
import { PoisonMessageError } from '@saga/messaging';
import type { ChoreographyFact } from '../domain/choreography-settlement';
import type { FailureReason } from '../domain/order-saga.types';
import { nothingSettled, settleChoreographedOrder, type Settled } from './settle-choreographed-order';

const paymentFailureReasons: Record<'DECLINED' | 'PROVIDER_UNAVAILABLE' | 'TIMEOUT', Extract<FailureReason, `PAYMENT_${string}`>> = {
  DECLINED: 'PAYMENT_DECLINED',
  PROVIDER_UNAVAILABLE: 'PAYMENT_PROVIDER_UNAVAILABLE',
  TIMEOUT: 'PAYMENT_TIMEOUT',
};

function read<P>(contract: MessageContract<string, P>, envelope: MessageEnvelope): P {
  const parsed = contract.parse(envelope);
  if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
  return parsed.message.payload;
}

/** The participant event as a settling fact, with its order; undefined for events the order does not settle on. */
function factOf(envelope: MessageEnvelope): { orderId: string; sagaId: string; fact: ChoreographyFact } | undefined {
  if (PaymentCompleted.is(envelope)) {
    const { orderId, sagaId } = read(PaymentCompleted, envelope);
    return { orderId, sagaId, fact: { type: 'PAYMENT_COMPLETED' } };
  }
  if (StockReservationFailed.is(envelope)) {
    const { orderId, sagaId, reason } = read(StockReservationFailed, envelope);
    return { orderId, sagaId, fact: { type: 'STOCK_RESERVATION_FAILED', reason } };
  }
  if (PaymentFailed.is(envelope)) {
    const { orderId, sagaId, reason } = read(PaymentFailed, envelope);
    return { orderId, sagaId, fact: { type: 'PAYMENT_FAILED', reason: paymentFailureReasons[reason] } };
  }
  if (StockReleased.is(envelope)) {
    const { orderId, sagaId } = read(StockReleased, envelope);
    return { orderId, sagaId, fact: { type: 'STOCK_RELEASED' } };
  }
  return undefined;
}

/**
 * Applies one participant event inside the inbox transaction: what it settles, and the events that causes (for the
 * outbox). Events the order does not react to, and events about orders that are not choreographed, cause nothing.
 */
export async function reactToParticipantEvent(tx: SqlExecutor, envelope: MessageEnvelope, now: Date): Promise<Settled> {
  const incoming = factOf(envelope);
  if (!incoming) return nothingSettled();
  const meta = { correlationId: envelope.correlationId, causationId: envelope.messageId, ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}) };
  return settleChoreographedOrder(tx, { orderId: incoming.orderId, sagaId: incoming.sagaId }, incoming.fact, meta, now);
}
