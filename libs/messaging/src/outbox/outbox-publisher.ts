// One relay pass over one lane (the commands, or the events): claim the oldest pending rows under the lane's lease,
// publish them with no transaction open, then mark what the broker confirmed and record (or park) what it refused.
import { AsyncResource } from 'node:async_hooks';
import type { MessageEnvelope } from '@saga/contracts';
import type { SqlClient, SqlExecutor } from '@saga/db';
import { sagaAttributes, startMessageSpan, type MessageSpan } from '@saga/tracing';
import { UnroutableMessageError, type CommandBus } from '../ports/command-bus.port';
import type { EventLog } from '../ports/event-log.port';

export type OutboxLane = 'command' | 'event';

export interface OutboxTransports {
  commandBus?: CommandBus;
  eventLog?: EventLog;
}

export interface PublishFailure {
  messageId: string;
  transport: string;
  destination: string;
  attempts: number;
  /** Moved aside for an operator: it no longer holds the lane back. */
  parked: boolean;
  error: string;
}

export interface LaneBatchResult {
  /** False when another relay holds the lane's lease: it is publishing, this pass did nothing. */
  owned: boolean;
  claimed: number;
  published: number;
  failures: PublishFailure[];
}

export interface LaneBatchOptions {
  /** Who holds the lease (one id per relay). */
  holder: string;
  batchSize: number;
  /** How long a lease lasts without renewal: another relay takes the lane over after that (its holder died). */
  leaseMs: number;
  /** Refusals of a row's own (unroutable, rejected by the broker) before it is parked. */
  maxAttempts: number;
  /** The service whose outbox this is, on its producer spans. */
  service?: string;
}

interface OutboxRow {
  id: string;
  message_id: string;
  transport: OutboxLane;
  destination: string;
  partition_key: string | null;
  reply_to: string | null;
  envelope: MessageEnvelope;
}

type Outcome = { row: OutboxRow; ok: true } | { row: OutboxRow; ok: false; error: unknown };

const MAX_ERROR_LENGTH = 2_000;

/**
 * A refusal that is about the message itself, not the broker being away: counts towards parking. A broker that is
 * down or slow never parks anything (its rows wait, in order, with the lane backing off).
 */
export function isMessageRefusal(error: unknown): boolean {
  if (error instanceof UnroutableMessageError) return true;
  const retriable = (error as { retriable?: unknown } | null)?.retriable;
  return retriable === false;
}

/**
 * What this relay knows of its own lease on a lane, by its own clock: until `heldUntilMs` the lease is certainly still
 * its own, so a pass need not write it again (a write, a commit and its fsync saved per pass).
 */
export interface LaneLease {
  heldUntilMs: number;
}

/**
 * 1. The lane's lease is taken (or renewed) and the oldest pending rows read in one statement, or the rows alone while
 *    the lease is known to be held: one relay per lane publishes at a time, so rows go out in order, and no
 *    transaction stays open while a broker answers.
 * 2. Commands are published pipelined (every publish issued in order on one confirm channel, the confirms awaited
 *    together); events in runs per topic, stopping at the first failure, because per-key order matters on Kafka.
 * 3. One statement marks what was confirmed; a pass with failures records each in the same transaction, and a row
 *    refused for its own sake `maxAttempts` times is parked. A crash between 2 and 3 publishes those rows again:
 *    at-least-once, as before.
 */
export async function publishLaneBatch(
  db: SqlClient,
  transports: OutboxTransports,
  lane: OutboxLane,
  options: LaneBatchOptions,
  lease: LaneLease = { heldUntilMs: 0 },
): Promise<LaneBatchResult> {
  const rows = await claimPending(db, lane, options, lease);
  if (!rows) return { owned: false, claimed: 0, published: 0, failures: [] };
  if (rows.length === 0) return { owned: true, claimed: 0, published: 0, failures: [] };

  // Broker calls run in the context captured here: an in-memory twin runs consumer handlers inside send/publish, and
  // on PGlite a handler that inherited a transaction's context would be refused a transaction of its own.
  const outside = new AsyncResource('saga.outbox.publish');
  const outcomes = await outside.runInAsyncScope(() => (lane === 'command' ? publishCommands(transports, rows, options.service) : publishEvents(transports, rows, options.service)));

  const confirmed = outcomes.filter((outcome) => outcome.ok).map((outcome) => outcome.row.id);
  const failures: PublishFailure[] = [];
  if (confirmed.length === outcomes.length) {
    await markPublished(db, confirmed);
  } else {
    await db.transaction(async (tx) => {
      if (confirmed.length > 0) await markPublished(tx, confirmed);
      for (const outcome of outcomes) if (!outcome.ok) failures.push(await recordFailure(tx, outcome.row, outcome.error, options.maxAttempts));
    });
  }
  return { owned: true, claimed: rows.length, published: confirmed.length, failures };
}

/** Gives the lane back at once (a stopping relay), so another instance need not wait for the lease to run out. */
export async function releaseLane(db: SqlClient, lane: OutboxLane, holder: string): Promise<void> {
  await db.query('DELETE FROM outbox_lanes WHERE lane = $1 AND holder = $2', [lane, holder]);
}

const PENDING_COLUMNS = 'id, message_id, transport, destination, partition_key, reply_to, envelope';

/**
 * The lane's oldest pending rows, or undefined when another relay holds its lease. While this relay's lease has at
 * least half its term left (by the clock read before it was last written, so never later than the server's), only
 * the rows are read; otherwise the lease is written in the same statement as the read. A lease is renewed by every
 * read that runs in its second half, so a relay that drains steadily never loses it, and one that died (or stopped
 * without giving it back) leaves the lane to another relay `leaseMs` after its last renewal.
 */
async function claimPending(db: SqlClient, lane: OutboxLane, options: LaneBatchOptions, lease: LaneLease): Promise<OutboxRow[] | undefined> {
  if (Date.now() < lease.heldUntilMs) {
    const { rows } = await db.query<OutboxRow>(
      `SELECT ${PENDING_COLUMNS} FROM outbox WHERE transport = $1 AND published_at IS NULL AND parked_at IS NULL ORDER BY id LIMIT $2`,
      [lane, options.batchSize],
    );
    return rows;
  }
  const askedAt = Date.now();
  // No lease row returned: another relay holds the lane. One row with a null id: the lease is ours, nothing pending.
  const { rows } = await db.query<Omit<OutboxRow, 'id'> & { id: string | null }>(
    `WITH lease AS (
       INSERT INTO outbox_lanes (lane, holder, lease_until) VALUES ($1, $2, now() + $3::double precision * interval '1 millisecond')
       ON CONFLICT (lane) DO UPDATE SET holder = EXCLUDED.holder, lease_until = EXCLUDED.lease_until
         WHERE outbox_lanes.holder = EXCLUDED.holder OR outbox_lanes.lease_until < now()
       RETURNING holder)
     SELECT pending.* FROM lease LEFT JOIN LATERAL (
       SELECT ${PENDING_COLUMNS} FROM outbox WHERE transport = $1 AND published_at IS NULL AND parked_at IS NULL ORDER BY id LIMIT $4
     ) pending ON true`,
    [lane, options.holder, options.leaseMs, options.batchSize],
  );
  if (rows.length === 0) {
    lease.heldUntilMs = 0;
    return undefined;
  }
  lease.heldUntilMs = askedAt + options.leaseMs / 2;
  return rows.filter((row): row is OutboxRow => row.id !== null);
}

function markPublished(db: SqlExecutor, ids: readonly string[]): Promise<unknown> {
  return db.query('UPDATE outbox SET published_at = now() WHERE id = ANY($1::bigint[])', [ids]);
}

/**
 * A producer span per row, continuing the trace of the request or message that wrote it (the envelope's traceparent);
 * the broker's headers carry this span's own traceparent, so the consumer's span is its child.
 */
function producerSpan(row: OutboxRow, system: 'commands' | 'events', service: string | undefined): MessageSpan {
  return startMessageSpan({
    kind: 'producer',
    name: `send ${row.envelope.type}`,
    ...(row.envelope.traceparent ? { parent: row.envelope.traceparent } : {}),
    attributes: {
      'messaging.operation.type': 'send',
      'messaging.destination.name': row.destination,
      'messaging.message.id': row.message_id,
      [sagaAttributes.orderId]: row.envelope.correlationId,
      [sagaAttributes.messageType]: row.envelope.type,
      'saga.outbox.lane': system === 'commands' ? 'command' : 'event',
      ...(service ? { [sagaAttributes.service]: service } : {}),
    },
  });
}

const traceparentOption = (span: MessageSpan) => (span.traceparent ? { traceparent: span.traceparent } : {});

async function publishCommands(transports: OutboxTransports, rows: readonly OutboxRow[], service: string | undefined): Promise<Outcome[]> {
  const { commandBus } = transports;
  if (!commandBus) return rows.map((row) => ({ row, ok: false, error: new Error('the outbox holds a command but the relay has no commandBus') }));
  const settled = await Promise.allSettled(
    rows.map(async (row) => {
      const span = producerSpan(row, 'commands', service);
      try {
        await commandBus.send(row.destination, row.envelope, { ...(row.reply_to === null ? {} : { replyTo: row.reply_to }), ...traceparentOption(span) });
        span.end();
      } catch (error) {
        span.end(error);
        throw error;
      }
    }),
  );
  return settled.map((result, index) => (result.status === 'fulfilled' ? { row: rows[index]!, ok: true } : { row: rows[index]!, ok: false, error: result.reason }));
}

async function publishEvents(transports: OutboxTransports, rows: readonly OutboxRow[], service: string | undefined): Promise<Outcome[]> {
  const { eventLog } = transports;
  if (!eventLog) return rows.slice(0, 1).map((row) => ({ row, ok: false, error: new Error('the outbox holds an event but the relay has no eventLog') }));
  const outcomes: Outcome[] = [];
  for (const run of consecutiveRuns(rows)) {
    const spans = run.map((row) => producerSpan(row, 'events', service));
    try {
      await eventLog.publish(run[0]!.destination, run.map((row, index) => ({ key: row.partition_key ?? '', envelope: row.envelope, ...traceparentOption(spans[index]!) })));
      for (const span of spans) span.end();
      outcomes.push(...run.map((row) => ({ row, ok: true as const })));
    } catch (error) {
      for (const span of spans) span.end(error);
      // The run's head carries the failure; the rest of the batch waits behind it (per-key order).
      outcomes.push({ row: run[0]!, ok: false, error });
      break;
    }
  }
  return outcomes;
}

/** Groups consecutive events for one topic into one Kafka send. */
function consecutiveRuns(rows: readonly OutboxRow[]): OutboxRow[][] {
  const runs: OutboxRow[][] = [];
  for (const row of rows) {
    const last = runs.at(-1);
    if (last && last[0]!.destination === row.destination) last.push(row);
    else runs.push([row]);
  }
  return runs;
}

async function recordFailure(tx: SqlExecutor, row: OutboxRow, error: unknown, maxAttempts: number): Promise<PublishFailure> {
  const text = (error instanceof Error ? `${error.name}: ${error.message}` : String(error)).slice(0, MAX_ERROR_LENGTH);
  // Only the message's own refusals count towards parking; a broker that is away is retried for as long as it takes.
  const counts = isMessageRefusal(error);
  const { rows } = await tx.query<{ attempts: number; parked: boolean }>(
    `UPDATE outbox SET attempts = attempts + 1, last_error = $2,
            refusals = refusals + CASE WHEN $3::boolean THEN 1 ELSE 0 END,
            parked_at = CASE WHEN $3::boolean AND refusals + 1 >= $4 THEN now() ELSE parked_at END
      WHERE id = $1 RETURNING attempts, parked_at IS NOT NULL AS parked`,
    [row.id, text, counts, maxAttempts],
  );
  return {
    messageId: row.message_id,
    transport: row.transport,
    destination: row.destination,
    attempts: rows[0]?.attempts ?? 0,
    parked: rows[0]?.parked ?? false,
    error: text,
  };
}
