// Choreography, the order's part: approve on PaymentCompleted, cancel after the stock is back or was never taken.
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
import type { FailureReason } from '../domain/order-saga.types';

const paymentFailureReasons: Record<'DECLINED' | 'PROVIDER_UNAVAILABLE' | 'TIMEOUT', FailureReason> = {
  DECLINED: 'PAYMENT_DECLINED',
  PROVIDER_UNAVAILABLE: 'PAYMENT_PROVIDER_UNAVAILABLE',
  TIMEOUT: 'PAYMENT_TIMEOUT',
};

function read<P>(contract: MessageContract<string, P>, envelope: MessageEnvelope): P {
  const parsed = contract.parse(envelope);
  if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
  return parsed.message.payload;
}

/** Moves a PENDING choreography order to its final status; undefined if it is not one (already final, or orchestrated). */
async function settle(tx: SqlExecutor, orderId: string, status: 'APPROVED' | 'CANCELLED', reason: string | null, now: Date) {
  const { rows } = await tx.query<{ customer_id: string; total_cents: number }>(
    `UPDATE orders SET status = $2, failure_reason = $3, updated_at = $4
      WHERE order_id = $1 AND status = 'PENDING' AND saga_mode = 'choreography' RETURNING customer_id, total_cents`,
    [orderId, status, reason, now],
  );
  return rows[0];
}

/**
 * Applies one participant event inside the inbox transaction and returns the events it causes (for the outbox).
 * Events the order does not react to, and events about orders that are not (or no longer) waiting, cause nothing.
 */
export async function reactToParticipantEvent(tx: SqlExecutor, envelope: MessageEnvelope, now: Date): Promise<OutboxMessage[]> {
  const announce = (envelopeOut: MessageEnvelope): OutboxMessage[] => [{ transport: 'event', topic: topics.orderEvents, key: envelope.correlationId, envelope: envelopeOut }];
  const meta = { correlationId: envelope.correlationId, causationId: envelope.messageId, ...(envelope.traceparent ? { traceparent: envelope.traceparent } : {}) };
  const deps = { now: () => now, newId: randomUUID };

  if (PaymentCompleted.is(envelope)) {
    const { orderId, sagaId } = read(PaymentCompleted, envelope);
    const order = await settle(tx, orderId, 'APPROVED', null, now);
    return order ? announce(OrderApproved.create({ orderId, sagaId, customerId: order.customer_id, totalCents: order.total_cents }, meta, deps)) : [];
  }
  if (StockReservationFailed.is(envelope)) {
    // Nothing was reserved, nothing charged: C1 at once.
    const { orderId, sagaId, reason } = read(StockReservationFailed, envelope);
    const order = await settle(tx, orderId, 'CANCELLED', reason, now);
    return order ? announce(OrderCancelled.create({ orderId, sagaId, customerId: order.customer_id, reason }, meta, deps)) : [];
  }
  if (PaymentFailed.is(envelope)) {
    // Not C1 yet: inventory releases the stock first (it reacts to the same event); the reason waits for StockReleased.
    const { orderId, reason } = read(PaymentFailed, envelope);
    await tx.query(
      `INSERT INTO choreography_failures (order_id, reason, recorded_at)
       SELECT order_id, $2, $3 FROM orders WHERE order_id = $1 AND saga_mode = 'choreography' ON CONFLICT (order_id) DO NOTHING`,
      [orderId, paymentFailureReasons[reason], now],
    );
    return [];
  }
  if (StockReleased.is(envelope)) {
    const { orderId, sagaId } = read(StockReleased, envelope);
    const { rows } = await tx.query<{ saga_mode: string; reason: string | null }>(
      'SELECT o.saga_mode, f.reason FROM orders o LEFT JOIN choreography_failures f USING (order_id) WHERE o.order_id = $1',
      [orderId],
    );
    if (!rows[0] || rows[0].saga_mode !== 'choreography') return [];
    // PaymentFailed and StockReleased come on two topics, so in no guaranteed order: retry until the reason is here.
    if (!rows[0].reason) throw new Error(`StockReleased for ${orderId} before its PaymentFailed was recorded; retrying`);
    const reason = rows[0].reason;
    const order = await settle(tx, orderId, 'CANCELLED', reason, now);
    return order ? announce(OrderCancelled.create({ orderId, sagaId, customerId: order.customer_id, reason }, meta, deps)) : [];
  }
  return [];
}
