// The payment database: its own tables, plus the outbox and inbox from @saga/messaging under their own history table.
import { migrate, type Migration, type SqlClient } from '@saga/db';
import { migrateMessaging } from '@saga/messaging';

export const paymentMigrations: readonly Migration[] = [
  {
    id: 'payment-001-payments',
    sql: `
      CREATE TABLE payments (
        order_id text PRIMARY KEY,
        payment_id uuid NOT NULL UNIQUE,
        saga_id text NOT NULL,
        customer_id text NULL,
        amount_cents integer NOT NULL CHECK (amount_cents >= 0),
        currency text NOT NULL,
        status text NOT NULL CHECK (status IN ('CHARGED', 'DECLINED', 'FAILED', 'REFUNDED')),
        provider_charge_id text NULL,
        refunded_cents integer NOT NULL DEFAULT 0 CHECK (refunded_cents >= 0 AND refunded_cents <= amount_cents),
        failure_reason text NULL CHECK (failure_reason IN ('DECLINED', 'PROVIDER_UNAVAILABLE', 'TIMEOUT')),
        failure_message text NULL,
        created_at timestamptz NOT NULL,
        updated_at timestamptz NOT NULL,
        CHECK (status <> 'CHARGED' OR provider_charge_id IS NOT NULL)
      );
    `,
  },
  {
    // Choreography: OrderCreated carries what a charge needs, StockReserved (another topic) says when to charge.
    id: 'payment-002-charge-requests',
    sql: `
      CREATE TABLE charge_requests (
        order_id text PRIMARY KEY,
        saga_id text NOT NULL,
        customer_id text NOT NULL,
        amount_cents integer NOT NULL CHECK (amount_cents > 0),
        currency text NOT NULL,
        payment_token text NOT NULL,
        created_at timestamptz NOT NULL
      );
    `,
  },
  {
    // Money safety: the CHARGING claim before any provider call, the transport an order's saga uses (where a
    // reconciliation note goes) and when reconciliation last compared the row with the provider's books.
    id: 'payment-003-claims-and-reconciliation',
    sql: `
      ALTER TABLE payments DROP CONSTRAINT payments_status_check;
      ALTER TABLE payments ADD CONSTRAINT payments_status_check CHECK (status IN ('CHARGING', 'CHARGED', 'DECLINED', 'FAILED', 'REFUNDED'));
      ALTER TABLE payments ADD COLUMN channel text NOT NULL DEFAULT 'command' CHECK (channel IN ('command', 'event'));
      ALTER TABLE payments ADD COLUMN reconciled_at timestamptz NULL;
      CREATE INDEX payments_reconciliation_due ON payments (updated_at) WHERE reconciled_at IS NULL OR reconciled_at < updated_at;
    `,
  },
];

/** The outbox/inbox tables (their own history table), then payment's own. */
export async function migratePaymentDb(db: SqlClient): Promise<void> {
  await migrateMessaging(db);
  await migrate(db, paymentMigrations);
}
