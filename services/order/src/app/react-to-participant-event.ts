// Choreography, the order's part: turn a participant's event into a fact, let the pure settling rules decide, record
// the progress and, when the order ends, announce OrderApproved / OrderCancelled (through the caller's outbox).
import { randomUUID } from 'node:crypto';
import {
  OrderApproved,
  OrderCancelled,
  PaymentCompleted,
  PaymentFailed,
  StockReleased,
  StockReservationFailed,
  topics,
  type MessageContract,
  type MessageEnvelope,
} from '@saga/contracts';
import type { SqlExecutor } from '@saga/db';
import { PoisonMessageError, type OutboxMessage } from '@saga/messaging';
import { settleChoreography, type ChoreographyFact } from '../domain/choreography-settlement';
import type { FailureReason } from '../domain/order-saga.types';
import { lockChoreographedOrder, recordChoreographyOutcome, saveChoreographyProgress } from '../store/choreography-repository';

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
 * Applies one participant event inside the inbox transaction and returns the events it causes (for the outbox).
 * Events the order does not react to, and events about orders that are not choreographed, cause nothing.
 */
export async function reactToParticipantEvent(tx: SqlExecutor, envelope: MessageEnvelope, now: Date): Promise<OutboxMessage[]> {
  const incoming = factOf(envelope);
  if (!incoming) return [];
  const order = await lockChoreographedOrder(tx, incoming.orderId);
  if (!order) return [];
  const settled = settleChoreography(order.progress, incoming.fact);
  await saveChoreographyProgress(tx, incoming.orderId, settled.progress, now);
  if (!settled.outcome) return [];

  const meta = { correlationId: envelope.correlationId, causationId: envelope.messageId, ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}) };
  const deps = { now: () => now, newId: randomUUID };
  const { orderId, sagaId } = incoming;
  const announced =
    settled.outcome.status === 'APPROVED'
      ? OrderApproved.create({ orderId, sagaId, customerId: order.customerId, totalCents: order.totalCents }, meta, deps)
      : OrderCancelled.create({ orderId, sagaId, customerId: order.customerId, reason: settled.outcome.reason }, meta, deps);
  await recordChoreographyOutcome(tx, orderId, settled.outcome.status, settled.outcome.status === 'CANCELLED' ? settled.outcome.reason : null, now);
  return [{ transport: 'event', topic: topics.orderEvents, key: envelope.correlationId, envelope: announced }];
}
