// The provider's own database: its books (charges, refunds) and the idempotency keys with the answers they remember.
import { migrate, type Migration, type SqlClient } from '@saga/db';

export const providerMigrations: readonly Migration[] = [
  {
    id: 'provider-001-books',
    sql: `
      CREATE TABLE provider_charges (
        id text PRIMARY KEY,
        -- Insertion order: "newest first" even when two charges share a second.
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        amount integer NOT NULL CHECK (amount > 0),
        amount_refunded integer NOT NULL DEFAULT 0,
        currency text NOT NULL,
        status text NOT NULL CHECK (status IN ('succeeded', 'failed')),
        source text NOT NULL,
        description text NULL,
        metadata jsonb NOT NULL DEFAULT '{}',
        order_id text NULL,
        idempotency_key text NOT NULL UNIQUE,
        failure_code text NULL,
        failure_message text NULL,
        created_at timestamptz NOT NULL,
        -- The refund rules live in the domain; these are the backstop should a bug ever slip past them.
        CHECK (amount_refunded >= 0 AND amount_refunded <= amount),
        CHECK (status = 'succeeded' OR amount_refunded = 0)
      );
      CREATE INDEX provider_charges_order_id ON provider_charges (order_id, seq DESC) WHERE order_id IS NOT NULL;

      CREATE TABLE provider_refunds (
        id text PRIMARY KEY,
        seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
        charge_id text NOT NULL REFERENCES provider_charges (id),
        amount integer NOT NULL CHECK (amount > 0),
        currency text NOT NULL,
        status text NOT NULL CHECK (status = 'succeeded'),
        idempotency_key text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL
      );
      CREATE INDEX provider_refunds_charge_id ON provider_refunds (charge_id);

      -- One row per key ever used or voided; locked FOR UPDATE by every request that uses it.
      CREATE TABLE provider_idempotency_keys (
        key text PRIMARY KEY,
        endpoint text NULL,
        fingerprint text NULL,
        response_status integer NULL,
        response_body jsonb NULL,
        voided boolean NOT NULL DEFAULT false,
        voided_at timestamptz NULL,
        created_at timestamptz NOT NULL,
        CHECK ((response_status IS NULL) = (response_body IS NULL)),
        CHECK (voided = (voided_at IS NOT NULL))
      );
    `,
  },
];

/** Brings the provider's database up to date; safe when several instances start at once (see @saga/db migrate). */
export async function migrateProviderDb(db: SqlClient): Promise<void> {
  await migrate(db, providerMigrations);
}
