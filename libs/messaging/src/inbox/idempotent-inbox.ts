// The idempotent inbox: a handler's effect, its dedup record and its outgoing messages commit in one transaction.
import type { MessageEnvelope } from '@saga/contracts';
import { isRetryableTxError, type SqlClient, type SqlExecutor } from '@saga/db';
import { backoffDelay } from '@saga/resilience';
import { messagingSignals } from '../messaging-signals';

// Serialization failures and deadlocks are transient: running the whole transaction again usually succeeds.
const MAX_TX_ATTEMPTS = 5;
const TX_RETRY_BACKOFF = { baseDelayMs: 10, maxDelayMs: 200, jitter: 'full' } as const;

/**
 * Records that `consumer` applied `messageId`; false when it already had (a duplicate: skip the
 * effect). Must run on the transaction that applies the effect. Two concurrent deliveries of one
 * message are safe: the second INSERT waits on the first one's uncommitted key, then finds the
 * row (duplicate) if the first committed, or inserts it if the first rolled back.
 */
export async function markProcessed(tx: SqlExecutor, consumer: string, messageId: string): Promise<boolean> {
  const result = await tx.query(
    'INSERT INTO processed_messages (consumer, message_id) VALUES ($1, $2) ON CONFLICT DO NOTHING',
    [consumer, messageId],
  );
  if (result.rowCount === 1) return true;
  messagingSignals.duplicateDropped({ consumer });
  return false;
}

/**
 * Whether `consumer` already applied `messageId` (committed). A read, no claim: for a handler that must decide
 * before any side effect outside the database (a card charge) that a redelivery has nothing left to do.
 */
export async function wasProcessed(db: SqlExecutor, consumer: string, messageId: string): Promise<boolean> {
  const result = await db.query('SELECT 1 FROM processed_messages WHERE consumer = $1 AND message_id = $2', [consumer, messageId]);
  // Callers drop a message already processed: that is a duplicate dropped (they stop here, so it is counted once).
  if (result.rowCount > 0) messagingSignals.duplicateDropped({ consumer });
  return result.rowCount > 0;
}

/**
 * Runs `effect` at most once per (consumer, envelope.messageId), atomically with the dedup record
 * and whatever the effect enqueues on `tx` (see enqueueOutbox). A throwing effect rolls everything
 * back, dedup record included, so the broker's redelivery runs it again; a duplicate returns
 * 'duplicate' and the caller simply acknowledges it.
 */
export async function handleOnce(
  db: SqlClient,
  consumer: string,
  envelope: MessageEnvelope,
  effect: (tx: SqlExecutor) => Promise<void>,
): Promise<'processed' | 'duplicate'> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction(async (tx) => {
        if (!(await markProcessed(tx, consumer, envelope.messageId))) return 'duplicate' as const;
        await effect(tx);
        return 'processed' as const;
      });
    } catch (error) {
      if (!isRetryableTxError(error) || attempt >= MAX_TX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, TX_RETRY_BACKOFF)));
    }
  }
}
