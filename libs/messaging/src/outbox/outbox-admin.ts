// What operators see of an outbox: rows still pending or parked, with why; and re-driving a parked row.
import type { SqlExecutor } from '@saga/db';
import { OUTBOX_CHANNEL } from './enqueue-outbox';

export type OutboxRowState = 'pending' | 'parked';

export interface OutboxRowView {
  id: string;
  messageId: string;
  type: string;
  orderId: string;
  transport: 'command' | 'event';
  destination: string;
  replyTo?: string;
  attempts: number;
  lastError?: string;
  createdAt: string;
  parkedAt?: string;
}

interface Row {
  id: string;
  message_id: string;
  type: string;
  correlation_id: string;
  transport: 'command' | 'event';
  destination: string;
  reply_to: string | null;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  parked_at: Date | null;
}

/** Unpublished rows in one state, oldest first, with the counts of both states. */
export async function listOutbox(db: SqlExecutor, state: OutboxRowState, limit: number): Promise<{ counts: Record<OutboxRowState, number>; items: OutboxRowView[] }> {
  const { rows } = await db.query<Row>(
    `SELECT id, message_id, envelope->>'type' AS type, envelope->>'correlationId' AS correlation_id, transport, destination, reply_to,
            attempts, last_error, created_at, parked_at
       FROM outbox WHERE published_at IS NULL AND (parked_at IS NOT NULL) = $1 ORDER BY id LIMIT $2`,
    [state === 'parked', limit],
  );
  const counts = await db.query<{ pending: number; parked: number }>(
    `SELECT count(*) FILTER (WHERE parked_at IS NULL)::int AS pending, count(*) FILTER (WHERE parked_at IS NOT NULL)::int AS parked
       FROM outbox WHERE published_at IS NULL`,
  );
  return {
    counts: { pending: counts.rows[0]?.pending ?? 0, parked: counts.rows[0]?.parked ?? 0 },
    items: rows.map((row) => ({
      id: String(row.id),
      messageId: row.message_id,
      type: row.type,
      orderId: row.correlation_id,
      transport: row.transport,
      destination: row.destination,
      ...(row.reply_to ? { replyTo: row.reply_to } : {}),
      attempts: row.attempts,
      ...(row.last_error ? { lastError: row.last_error } : {}),
      createdAt: row.created_at.toISOString(),
      ...(row.parked_at ? { parkedAt: row.parked_at.toISOString() } : {}),
    })),
  };
}

/**
 * Puts a parked row back in its lane (its refusals forgotten) and wakes the relay; false when no parked row has that id.
 * Consumers deduplicate by messageId, so re-driving a row that did arrive after all changes nothing.
 */
export async function redriveOutboxRow(db: SqlExecutor, id: string): Promise<boolean> {
  const { rowCount } = await db.query(
    'UPDATE outbox SET parked_at = NULL, refusals = 0 WHERE id = $1::bigint AND parked_at IS NOT NULL AND published_at IS NULL',
    [id],
  );
  if (rowCount === 1) await db.notify(OUTBOX_CHANNEL, '');
  return rowCount === 1;
}
