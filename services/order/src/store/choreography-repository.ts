// SQL for a choreographed order's progress: its row (locked) with what it waits for, the outcome once it settles, and
// the overdue ones the reaper cancels.
import type { SqlExecutor } from '@saga/db';
import type { ChoreographyProgress } from '../domain/choreography-settlement';
import { announceOrderChange } from './order-changes';

export interface ChoreographedOrder {
  customerId: string;
  totalCents: number;
  /** When it was placed: the start of its saga (its duration, once settled). */
  createdAt: Date;
  progress: ChoreographyProgress;
}

/**
 * The choreographed order with its progress, locked for this transaction; undefined for an unknown or orchestrated order.
 * Two statements on purpose: the order row is locked first, then the progress is read by a statement that starts
 * after the lock was granted. A single join would see the progress as of before it waited for the lock (only the
 * locked row is re-read), and a PaymentFailed handled concurrently with its StockReleased would be forgotten.
 */
export async function lockChoreographedOrder(tx: SqlExecutor, orderId: string): Promise<ChoreographedOrder | undefined> {
  const { rows } = await tx.query<{ status: ChoreographyProgress['status']; customer_id: string; total_cents: number; created_at: Date }>(
    "SELECT status, customer_id, total_cents, created_at FROM orders WHERE order_id = $1 AND saga_mode = 'choreography' FOR UPDATE",
    [orderId],
  );
  const order = rows[0];
  if (!order) return undefined;
  const progress = await tx.query<{ payment_failure: string | null; stock_released: boolean }>(
    'SELECT payment_failure, stock_released FROM choreography_progress WHERE order_id = $1',
    [orderId],
  );
  const row = progress.rows[0];
  return {
    customerId: order.customer_id,
    totalCents: order.total_cents,
    createdAt: order.created_at,
    progress: { status: order.status, paymentFailure: row?.payment_failure ?? null, stockReleased: row?.stock_released ?? false },
  };
}

export async function saveChoreographyProgress(tx: SqlExecutor, orderId: string, progress: ChoreographyProgress, now: Date): Promise<void> {
  await tx.query(
    `INSERT INTO choreography_progress (order_id, payment_failure, stock_released, updated_at) VALUES ($1, $2, $3, $4)
     ON CONFLICT (order_id) DO UPDATE SET payment_failure = EXCLUDED.payment_failure, stock_released = EXCLUDED.stock_released, updated_at = EXCLUDED.updated_at`,
    [orderId, progress.paymentFailure, progress.stockReleased, now],
  );
}

/** The order's final status (the row is locked by lockChoreographedOrder). */
export async function recordChoreographyOutcome(tx: SqlExecutor, orderId: string, status: 'APPROVED' | 'CANCELLED', reason: string | null, now: Date): Promise<void> {
  await tx.query('UPDATE orders SET status = $2, failure_reason = $3, updated_at = $4 WHERE order_id = $1', [orderId, status, reason, now]);
  await announceOrderChange(tx, orderId);
}

/**
 * Choreographed orders still PENDING that were placed before `placedBefore`, oldest first, locked for this transaction.
 * SKIP LOCKED: a row another reaper (another instance) or an event handler holds is left to it, never waited for;
 * a handler that settles it meanwhile wins, and a row still pending is picked up by the next pass.
 */
export async function lockOverdueChoreographedOrders(tx: SqlExecutor, placedBefore: Date, limit: number): Promise<string[]> {
  const { rows } = await tx.query<{ order_id: string }>(
    `SELECT order_id FROM orders WHERE saga_mode = 'choreography' AND status = 'PENDING' AND created_at <= $1
      ORDER BY created_at LIMIT $2 FOR UPDATE SKIP LOCKED`,
    [placedBefore, limit],
  );
  return rows.map((row) => row.order_id);
}
