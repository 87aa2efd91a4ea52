// One relay pass: claim the oldest pending rows, publish in order, mark what the brokers confirmed (at-least-once: see below).
import { AsyncResource } from 'node:async_hooks';
import type { MessageEnvelope } from '@saga/contracts';
import type { SqlClient, SqlExecutor } from '@saga/db';
import type { CommandBus } from '../ports/command-bus.port';
import type { EventLog } from '../ports/event-log.port';

export interface OutboxTransports {
  commandBus?: CommandBus;
  eventLog?: EventLog;
}

export interface PublishFailure {
  messageId: string;
  transport: string;
  destination: string;
  attempts: number;
  error: string;
}

export interface BatchResult {
  /** False when another relay holds the outbox: it is publishing, this pass did nothing. */
  locked: boolean;
  claimed: number;
  published: number;
  failure?: PublishFailure;
}

interface OutboxRow {
  id: string;
  message_id: string;
  transport: 'command' | 'event';
  destination: string;
  partition_key: string | null;
  reply_to: string | null;
  envelope: MessageEnvelope;
}

// Namespaces the advisory lock (pg_advisory_*(int, int)); the second key is the outbox table's oid.
const LOCK_CLASS = 0x5a6b;
const MAX_ERROR_LENGTH = 2_000;

/**
 * Publishes up to `batchSize` pending rows in id order, awaiting each broker confirm, and stops
 * at the first failure so no later row overtakes it. Rows and marks share one transaction:
 * - FOR UPDATE SKIP LOCKED: a row is only ever being published by one relay.
 * - pg_try_advisory_xact_lock: only one relay per outbox table publishes at a time. Without it a
 *   second instance would skip the locked head of the queue and publish later rows first.
 * - The failure is recorded before COMMIT (a broker error is not a statement error, the
 *   transaction is still good), so the rows confirmed before it are marked in the same commit.
 * A crash after a confirm but before COMMIT publishes those rows again: at-least-once.
 * Ids are drawn at INSERT, so two transactions committing concurrently can become visible out of
 * id order; what is guaranteed is causal order (a message enqueued after another committed).
 */
export async function publishBatch(db: SqlClient, transports: OutboxTransports, batchSize: number): Promise<BatchResult> {
  // Broker calls run in the context captured here, outside the transaction: an in-memory twin runs
  // consumer handlers synchronously inside send/publish, and on PGlite a handler that inherited the
  // transaction's context would be refused a transaction of its own.
  const outside = new AsyncResource('saga.outbox.publish');
  return db.transaction(async (tx) => {
    const lock = await tx.query<{ locked: boolean }>(
      `SELECT pg_try_advisory_xact_lock(${LOCK_CLASS}, ('outbox'::regclass)::oid::int4) AS locked`,
    );
    if (!lock.rows[0]?.locked) return { locked: false, claimed: 0, published: 0 };
    const { rows } = await tx.query<OutboxRow>(
      `SELECT id, message_id, transport, destination, partition_key, reply_to, envelope
         FROM outbox WHERE published_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`,
      [batchSize],
    );
    const published: string[] = [];
    let failure: PublishFailure | undefined;
    for (const run of consecutiveRuns(rows)) {
      try {
        await outside.runInAsyncScope(() => publishRun(transports, run));
        published.push(...run.map((row) => row.id));
      } catch (error) {
        failure = await recordFailure(tx, run[0]!, error);
        break;
      }
    }
    if (published.length > 0) {
      await tx.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [published]);
    }
    return { locked: true, claimed: rows.length, published: published.length, ...(failure ? { failure } : {}) };
  });
}

/** Groups consecutive events for one topic into one Kafka send (one partition keeps their order); commands go one by one. */
function consecutiveRuns(rows: readonly OutboxRow[]): OutboxRow[][] {
  const runs: OutboxRow[][] = [];
  for (const row of rows) {
    const last = runs.at(-1);
    const head = last?.[0];
    if (last && head && row.transport === 'event' && head.transport === 'event' && head.destination === row.destination) last.push(row);
    else runs.push([row]);
  }
  return runs;
}

async function publishRun(transports: OutboxTransports, run: readonly OutboxRow[]): Promise<void> {
  const head = run[0]!;
  if (head.transport === 'command') {
    if (!transports.commandBus) throw new Error('the outbox holds a command but the relay has no commandBus');
    await transports.commandBus.send(head.destination, head.envelope, head.reply_to === null ? {} : { replyTo: head.reply_to });
    return;
  }
  if (!transports.eventLog) throw new Error('the outbox holds an event but the relay has no eventLog');
  await transports.eventLog.publish(head.destination, run.map((row) => ({ key: row.partition_key ?? '', envelope: row.envelope })));
}

async function recordFailure(tx: SqlExecutor, row: OutboxRow, error: unknown): Promise<PublishFailure> {
  const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_LENGTH);
  const { rows } = await tx.query<{ attempts: number }>(
    'UPDATE outbox SET attempts = attempts + 1, last_error = $2 WHERE id = $1 RETURNING attempts',
    [row.id, text],
  );
  return { messageId: row.message_id, transport: row.transport, destination: row.destination, attempts: rows[0]?.attempts ?? 0, error: text };
}
