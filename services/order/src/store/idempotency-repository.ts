// Stored answers to POST /orders per (customer, Idempotency-Key): a retried request gets the first answer back.
import type { SqlExecutor } from '@saga/db';

export interface StoredAnswer {
  requestHash: string;
  response: unknown;
}

export async function findAnswer(tx: SqlExecutor, customerId: string, key: string): Promise<StoredAnswer | undefined> {
  const { rows } = await tx.query<{ request_hash: string; response: unknown }>(
    'SELECT request_hash, response FROM idempotency_keys WHERE customer_id = $1 AND idempotency_key = $2',
    [customerId, key],
  );
  return rows[0] && { requestHash: rows[0].request_hash, response: rows[0].response };
}

/** Throws a unique violation when another request with the same key committed first: the caller re-reads its answer. */
export async function saveAnswer(tx: SqlExecutor, customerId: string, key: string, answer: StoredAnswer, now: Date): Promise<void> {
  await tx.query(
    'INSERT INTO idempotency_keys (customer_id, idempotency_key, request_hash, response, created_at) VALUES ($1, $2, $3, $4::jsonb, $5)',
    [customerId, key, answer.requestHash, JSON.stringify(answer.response), now],
  );
}
