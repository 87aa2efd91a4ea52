// Shared by the participant events and the reaper: lock a choreographed order, apply one fact through the pure settling
// rules, record the progress and, when the order ends, the OrderApproved / OrderCancelled that announces it.
import { randomUUID } from 'node:crypto';
import { OrderApproved, OrderCancelled, topics, type EnvelopeMeta } from '@saga/contracts';
import type { SqlExecutor } from '@saga/db';
import type { OutboxMessage } from '@saga/messaging';
import { settleChoreography, type ChoreographyFact, type Settlement } from '../domain/choreography-settlement';
import { lockChoreographedOrder, recordChoreographyOutcome, saveChoreographyProgress } from '../store/choreography-repository';

export interface Settled {
  /** The announcement when the fact ended the order, for the caller's outbox (same transaction); empty otherwise. */
  messages: OutboxMessage[];
  outcome?: Settlement['outcome'];
  /** With an outcome: when the order was placed, for the caller's saga metrics (recorded after the commit). */
  placedAt?: Date;
  /** A success after the order was cancelled: its participant compensates it, the caller only says so. */
  late?: Settlement['late'];
}

export const nothingSettled = (): Settled => ({ messages: [] });

/** Must run in the caller's transaction; an unknown or orchestrated order settles nothing. */
export async function settleChoreographedOrder(
  tx: SqlExecutor,
  ref: { orderId: string; sagaId: string },
  fact: ChoreographyFact,
  meta: EnvelopeMeta,
  now: Date,
): Promise<Settled> {
  const { orderId, sagaId } = ref;
  const order = await lockChoreographedOrder(tx, orderId);
  if (!order) return nothingSettled();
  const settled = settleChoreography(order.progress, fact);
  await saveChoreographyProgress(tx, orderId, settled.progress, now);
  const late = settled.late ? { late: settled.late } : {};
  if (!settled.outcome) return { messages: [], ...late };

  const deps = { now: () => now, newId: randomUUID };
  const announced =
    settled.outcome.status === 'APPROVED'
      ? OrderApproved.create({ orderId, sagaId, customerId: order.customerId, totalCents: order.totalCents }, meta, deps)
      : OrderCancelled.create({ orderId, sagaId, customerId: order.customerId, reason: settled.outcome.reason }, meta, deps);
  await recordChoreographyOutcome(tx, orderId, settled.outcome.status, settled.outcome.status === 'CANCELLED' ? settled.outcome.reason : null, now);
  return { messages: [{ transport: 'event', topic: topics.orderEvents, key: orderId, envelope: announced }], outcome: settled.outcome, placedAt: order.createdAt };
}
