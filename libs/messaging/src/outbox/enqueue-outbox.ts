// Writes outgoing messages into the outbox inside the caller's transaction, so they exist only if its state change commits.
import { formatIssues, messageEnvelopeSchema, type MessageEnvelope } from '@saga/contracts';
import type { SqlExecutor, SqlValue } from '@saga/db';
import { activeTraceparent } from '@saga/tracing';

/** A message to publish once the transaction commits: a command (RabbitMQ) or an event (Kafka). */
export type OutboxMessage =
  | { transport: 'command'; routingKey: string; envelope: MessageEnvelope; replyTo?: string }
  | { transport: 'event'; topic: string; key: string; envelope: MessageEnvelope };

/** The channel the relay LISTENs on (lower-case: PostgreSQL folds unquoted channel names). */
export const OUTBOX_CHANNEL = 'outbox';

const COLUMNS_PER_ROW = 6;
// PostgreSQL allows 65535 parameters per statement; chunks keep huge lists under it.
const ROWS_PER_STATEMENT = 1_000;

/**
 * Inserts `messages` in order (their ids, hence their publish order, follow the array) and
 * notifies the relay in the same statement; the notification, like the rows, is delivered only if `tx` commits.
 * Envelopes are validated here: a malformed row would stop the relay at its position forever
 * (it publishes in order), so it must fail the caller's transaction instead.
 */
export async function enqueueOutbox(tx: SqlExecutor, messages: readonly OutboxMessage[]): Promise<void> {
  if (messages.length === 0) return;
  for (const message of messages) assertValidEnvelope(message.envelope);
  // The trace context travels with the row: the relay publishes it later, from no request at all, and the hop
  // continues the trace of the request or message that wrote it (the span active now), else the envelope's own.
  const traceparent = activeTraceparent();
  const rows = traceparent ? messages.map((message) => ({ ...message, envelope: { ...message.envelope, traceparent } })) : messages;
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const last = start + ROWS_PER_STATEMENT >= rows.length;
    await insertRows(tx, rows.slice(start, start + ROWS_PER_STATEMENT), last);
  }
}

/** With `notify`, the relay's NOTIFY rides on the INSERT: one round trip fewer for every transaction that enqueues. */
async function insertRows(tx: SqlExecutor, messages: readonly OutboxMessage[], notify: boolean): Promise<void> {
  const params: SqlValue[] = [];
  const tuples: string[] = [];
  messages.forEach((message, index) => {
    const base = index * COLUMNS_PER_ROW;
    tuples.push(`($${base + 1}::uuid, $${base + 2}, $${base + 3}, $${base + 4}, $${base + 5}, $${base + 6}::jsonb)`);
    if (message.transport === 'command') {
      params.push(message.envelope.messageId, 'command', message.routingKey, null, message.replyTo ?? null, message.envelope);
    } else {
      params.push(message.envelope.messageId, 'event', message.topic, message.key, null, message.envelope);
    }
  });
  // One multi-row VALUES: rows are inserted, and their bigserial ids drawn, in list order.
  const insert = `INSERT INTO outbox (message_id, transport, destination, partition_key, reply_to, envelope) VALUES ${tuples.join(', ')}`;
  if (!notify) {
    await tx.query(insert, params);
    return;
  }
  // A data-modifying WITH runs to completion whatever the outer SELECT reads.
  await tx.query(`WITH inserted AS (${insert}) SELECT pg_notify($${params.length + 1}, '')`, [...params, OUTBOX_CHANNEL]);
}

function assertValidEnvelope(envelope: MessageEnvelope): void {
  const parsed = messageEnvelopeSchema.safeParse(envelope);
  if (!parsed.success) {
    throw new Error(`Invalid envelope for the outbox (${String(envelope?.type)}): ${formatIssues(parsed.error)}`);
  }
}
