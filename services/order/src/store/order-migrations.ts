// The order database: orders, one saga row per order, idempotency keys and the last known price list.
import { migrate, type Migration, type SqlClient } from '@saga/db';
import { migrateMessaging } from '@saga/messaging';

export const orderMigrations: readonly Migration[] = [
  {
    id: 'order-001-orders-and-sagas',
    sql: `
      CREATE TABLE orders (
        order_id uuid PRIMARY KEY,
        customer_id text NOT NULL,
        status text NOT NULL CHECK (status IN ('PENDING', 'APPROVED', 'CANCELLED')),
        saga_mode text NOT NULL,
        items jsonb NOT NULL,
        total_cents integer NOT NULL CHECK (total_cents > 0),
        failure_reason text NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL
      );
      -- "My orders, newest first", paginated by (created_at, order_id).
      CREATE INDEX orders_by_customer ON orders (customer_id, created_at DESC, order_id DESC);

      CREATE TABLE sagas (
        saga_id uuid PRIMARY KEY,
        order_id uuid NOT NULL UNIQUE REFERENCES orders (order_id),
        status text NOT NULL,
        -- When the awaited step times out; null once the saga has ended or parked.
        deadline timestamptz NULL,
        state jsonb NOT NULL,
        updated_at timestamptz NOT NULL
      );
      CREATE INDEX sagas_due ON sagas (deadline) WHERE deadline IS NOT NULL;

      CREATE TABLE idempotency_keys (
        customer_id text NOT NULL,
        idempotency_key text NOT NULL,
        request_hash text NOT NULL,
        response jsonb NOT NULL,
        created_at timestamptz NOT NULL,
        PRIMARY KEY (customer_id, idempotency_key)
      );

      -- One row: the last price list inventory gave us, the fallback when it is down.
      CREATE TABLE price_list_cache (
        id integer PRIMARY KEY CHECK (id = 1),
        prices jsonb NOT NULL,
        fetched_at timestamptz NOT NULL
      );
    `,
  },
  {
    id: 'order-002-choreography-and-timeline',
    sql: `
      -- Choreography keeps no saga row: a payment failure waits here until the stock is back (C2 before C1).
      CREATE TABLE choreography_failures (
        order_id uuid PRIMARY KEY REFERENCES orders (order_id),
        reason text NOT NULL,
        recorded_at timestamptz NOT NULL
      );

      -- The order timeline: every event about an order from every service, a read model rebuilt from Kafka.
      CREATE TABLE order_timeline (
        message_id uuid PRIMARY KEY,
        order_id text NOT NULL,
        type text NOT NULL,
        topic text NOT NULL,
        kafka_partition integer NOT NULL,
        kafka_offset bigint NOT NULL,
        occurred_at timestamptz NOT NULL,
        payload jsonb NOT NULL
      );
      CREATE INDEX order_timeline_by_order ON order_timeline (order_id, occurred_at, topic, kafka_offset);

      -- Which consumer group feeds the timeline: a rebuild starts a new generation, read from offset 0.
      CREATE TABLE timeline_state (
        id integer PRIMARY KEY CHECK (id = 1),
        generation integer NOT NULL
      );
      INSERT INTO timeline_state (id, generation) VALUES (1, 1);
    `,
  },
  {
    id: 'order-003-timeline-group-per-rebuild',
    sql: `
      -- A consumer group name per rebuild, unique across databases: a fresh database (or a rebuild) must never
      -- resume another incarnation's committed offsets on a long-lived Kafka; it has to read from offset 0.
      ALTER TABLE timeline_state ADD COLUMN group_id text;
      UPDATE timeline_state SET group_id = 'order-timeline.g' || generation || '.' || substr(md5(random()::text), 1, 12);
      ALTER TABLE timeline_state ALTER COLUMN group_id SET NOT NULL;
    `,
  },
  {
    id: 'order-004-parked-sagas',
    sql: `
      -- The operators' list of parked sagas (GET /admin/orders?sagaStatus=COMPENSATION_FAILED), newest first. Partial:
      -- parked sagas are few, and an index over every status would be rewritten on each step of every saga.
      CREATE INDEX sagas_parked ON sagas (updated_at DESC, saga_id DESC) WHERE status = 'COMPENSATION_FAILED';
    `,
  },
  {
    id: 'order-005-choreography-progress',
    sql: `
      -- What a choreographed order waits for: the payment's failure and inventory's StockReleased, in either order.
      CREATE TABLE choreography_progress (
        order_id uuid PRIMARY KEY REFERENCES orders (order_id),
        payment_failure text NULL,
        stock_released boolean NOT NULL DEFAULT false,
        updated_at timestamptz NOT NULL
      );
      INSERT INTO choreography_progress (order_id, payment_failure, stock_released, updated_at)
        SELECT order_id, reason, false, recorded_at FROM choreography_failures;
      DROP TABLE choreography_failures;
    `,
  },
  {
    id: 'order-006-choreography-deadline-index',
    sql: `
      -- The choreography reaper's scan (PENDING choreographed orders past their deadline, oldest first). Partial: pending
      -- orders are few, and settled ones leave the index as they settle.
      CREATE INDEX orders_choreography_pending ON orders (created_at) WHERE status = 'PENDING' AND saga_mode = 'choreography';
    `,
  },
];

/** The outbox/inbox tables (their own history table), then the order service's own. */
export async function migrateOrderDb(db: SqlClient): Promise<string[]> {
  return [...(await migrateMessaging(db)), ...(await migrate(db, orderMigrations))];
}
