// SQL for provider_refunds: a refund is written once, in the transaction that raised its charge's amount_refunded.
import type { SqlExecutor } from '@saga/db';
import type { Refund } from '../domain/provider-objects';

export async function insertRefund(tx: SqlExecutor, refund: Refund, idempotencyKey: string, createdAt: Date): Promise<void> {
  await tx.query(
    `INSERT INTO provider_refunds (id, charge_id, amount, currency, status, idempotency_key, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
    [refund.id, refund.charge, refund.amount, refund.currency, refund.status, idempotencyKey, createdAt],
  );
}
