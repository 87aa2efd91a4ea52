// Schema of the transactional outbox and the idempotent inbox, migrated under its own history table in each service's database.
import { migrate, type Migration, type SqlClient } from '@saga/db';

/**
 * `outbox`: messages committed with the state change that caused them, published by the relay in
 * `id` order. `processed_messages`: one row per (consumer, messageId) a handler has applied.
 * SQL that PostgreSQL 15 (the server) and PGlite (18) both accept.
 */
export const messagingMigrations: readonly Migration[] = [
  {
    id: 'messaging-001-outbox',
    sql: `
      CREATE TABLE outbox (
        id bigserial PRIMARY KEY,
        message_id uuid NOT NULL UNIQUE,
        transport text NOT NULL CHECK (transport IN ('command', 'event')),
        destination text NOT NULL,
        partition_key text NULL,
        reply_to text NULL,
        envelope jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz NULL,
        attempts integer NOT NULL DEFAULT 0,
        last_error text NULL,
        -- An event without a key would lose its per-order ordering on Kafka.
        CHECK (transport <> 'event' OR partition_key IS NOT NULL)
      );
      -- The relay only ever scans the pending rows, in id order: keep that scan small however big the table is.
      CREATE INDEX outbox_pending_idx ON outbox (id) WHERE published_at IS NULL;
    `,
  },
  {
    id: 'messaging-002-processed-messages',
    sql: `
      CREATE TABLE processed_messages (
        consumer text NOT NULL,
        message_id text NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, message_id)
      );
      -- Housekeeping deletes by age; without it that delete would scan days of dedup records.
      CREATE INDEX processed_messages_processed_at_idx ON processed_messages (processed_at);
    `,
  },
  {
    // Lanes (one per transport, each with its own lease) and parking: a stalled broker delays only its own lane, and a
    // row that cannot be published (an unroutable reply) is parked after a few attempts instead of blocking the rest.
    id: 'messaging-003-outbox-lanes-and-parking',
    sql: `
      ALTER TABLE outbox ADD COLUMN parked_at timestamptz NULL;
      -- Refusals of the message itself (unroutable…), apart from attempts: a broker outage must not count towards parking.
      ALTER TABLE outbox ADD COLUMN refusals integer NOT NULL DEFAULT 0;
      CREATE INDEX outbox_lane_pending_idx ON outbox (transport, id) WHERE published_at IS NULL AND parked_at IS NULL;
      CREATE INDEX outbox_parked_idx ON outbox (id) WHERE parked_at IS NOT NULL AND published_at IS NULL;
      CREATE TABLE outbox_lanes (
        lane text PRIMARY KEY,
        holder text NOT NULL,
        lease_until timestamptz NOT NULL
      );
    `,
  },
];

/**
 * Applies the messaging tables with their own history table: this list and a service's own migrations grow
 * independently, and one shared history would break migrate()'s "applied ids are a prefix of the list" rule.
 */
export function migrateMessaging(db: SqlClient): Promise<string[]> {
  return migrate(db, messagingMigrations, { table: 'messaging_schema_migrations' });
}
