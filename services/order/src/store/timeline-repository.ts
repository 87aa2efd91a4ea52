// SQL of the order timeline read model: append events (idempotently), read one order's, wipe for a rebuild.
import { randomUUID } from 'node:crypto';
import { consumerGroups } from '@saga/contracts';
import type { SqlExecutor } from '@saga/db';
import { announceOrderChange } from './order-changes';

export interface TimelineEntry {
  messageId: string;
  orderId: string;
  type: string;
  topic: string;
  partition: number;
  offset: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

interface TimelineRow {
  message_id: string;
  order_id: string;
  type: string;
  topic: string;
  kafka_partition: number;
  kafka_offset: string;
  occurred_at: Date;
  payload: Record<string, unknown>;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Appends an event of one of this database's orders; returns whether a row was added. A redelivered event is the same
 * row (its messageId): appending twice changes nothing. An event of an order this database does not hold is skipped,
 * without a write: a new timeline generation reads its topics from offset 0, and on a long-lived Kafka those hold every
 * earlier deployment's events (on a developer's machine, tens of thousands: the order service spent a minute of CPU
 * and a commit each on them after every start). No event of one of its own orders can come first: the order's row
 * commits with the OrderCreated that every later event follows from.
 */
export async function appendTimeline(tx: SqlExecutor, entry: TimelineEntry): Promise<boolean> {
  if (!uuidPattern.test(entry.orderId)) return false;
  const { rowCount } = await tx.query(
    `INSERT INTO order_timeline (message_id, order_id, type, topic, kafka_partition, kafka_offset, occurred_at, payload)
     SELECT $1::uuid, $2::text, $3::text, $4::text, $5::integer, $6::bigint, $7::timestamptz, $8::jsonb
      WHERE EXISTS (SELECT 1 FROM orders WHERE order_id = $9::uuid)
     ON CONFLICT (message_id) DO NOTHING`,
    [entry.messageId, entry.orderId, entry.type, entry.topic, entry.partition, entry.offset, new Date(entry.occurredAt), JSON.stringify(entry.payload), entry.orderId],
  );
  // A choreographed order's history is built from its timeline: each new event is a step to show.
  if (rowCount > 0) await announceOrderChange(tx, entry.orderId);
  return rowCount > 0;
}

export async function timelineOf(tx: SqlExecutor, orderId: string): Promise<TimelineEntry[]> {
  const { rows } = await tx.query<TimelineRow>(
    'SELECT * FROM order_timeline WHERE order_id = $1 ORDER BY occurred_at, topic, kafka_offset',
    [orderId],
  );
  return rows.map((row) => ({
    messageId: row.message_id,
    orderId: row.order_id,
    type: row.type,
    topic: row.topic,
    partition: row.kafka_partition,
    offset: String(row.kafka_offset),
    occurredAt: row.occurred_at.toISOString(),
    payload: row.payload,
  }));
}

export interface TimelineGeneration {
  generation: number;
  /** The Kafka consumer group that feeds this generation: unique, so it always starts from offset 0. */
  groupId: string;
}

export async function currentTimelineGeneration(tx: SqlExecutor): Promise<TimelineGeneration> {
  const { rows } = await tx.query<{ generation: number; group_id: string }>('SELECT generation, group_id FROM timeline_state WHERE id = 1');
  return { generation: rows[0]!.generation, groupId: rows[0]!.group_id };
}

/** Empties the read model and moves to the next generation, in one transaction: the new group rebuilds it from offset 0. */
export async function startTimelineRebuild(tx: SqlExecutor): Promise<TimelineGeneration> {
  await tx.query('DELETE FROM order_timeline');
  const { rows } = await tx.query<{ generation: number; group_id: string }>(
    `UPDATE timeline_state SET generation = generation + 1, group_id = $1 || (generation + 1) || '.' || $2 WHERE id = 1 RETURNING generation, group_id`,
    [`${consumerGroups.orderTimeline}.g`, randomUUID().replaceAll('-', '').slice(0, 12)],
  );
  return { generation: rows[0]!.generation, groupId: rows[0]!.group_id };
}

export async function timelineSize(tx: SqlExecutor): Promise<number> {
  const { rows } = await tx.query<{ count: string }>('SELECT count(*) AS count FROM order_timeline');
  return Number(rows[0]?.count ?? 0);
}
