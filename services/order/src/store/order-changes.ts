// The order-changes channel (LISTEN/NOTIFY): every write to an order, its saga or its timeline names the order.
import type { SqlExecutor } from '@saga/db';

/** Lower-case letters and underscores, as the SqlClient port requires of a channel. */
export const ORDER_CHANGES_CHANNEL = 'order_changes';

/**
 * Announces that `orderId` changed. On a transaction it is delivered when (and only if) it commits, so a listener
 * reads the committed row; PostgreSQL folds identical notifications of one transaction into one.
 */
export async function announceOrderChange(tx: SqlExecutor, orderId: string): Promise<void> {
  await tx.notify(ORDER_CHANGES_CHANNEL, orderId);
}
