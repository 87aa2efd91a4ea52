// Schema of the notification database, applied in order by @saga/db's migrate (never edit an applied one: add one).
import type { Migration } from '@saga/db';

export const notificationMigrations: readonly Migration[] = [
  {
    id: '001-notifications',
    sql: `
      CREATE TABLE notifications (
        notification_id uuid PRIMARY KEY,
        order_id text NOT NULL,
        saga_id text NOT NULL,
        customer_id text NOT NULL,
        kind text NOT NULL CHECK (kind IN ('ORDER_CONFIRMED', 'ORDER_CANCELLED')),
        channel text NOT NULL,
        subject text NOT NULL,
        body text NOT NULL,
        reason text,
        status text NOT NULL CHECK (status IN ('PENDING', 'SENT', 'FAILED')),
        attempts integer NOT NULL DEFAULT 0,
        last_error text,
        created_at timestamptz NOT NULL,
        sent_at timestamptz,
        -- One final notification per order and kind: a second command for the same pair gets the first one back.
        CONSTRAINT notifications_order_kind_key UNIQUE (order_id, kind)
      );
      -- GET /notifications?orderId= lists newest first; the unique index already leads with order_id.
    `,
  },
  {
    // Sending happens outside any transaction now: a record is claimed (SENDING, with a lease) before the channel is
    // called, so a concurrent delivery for the same order and kind waits for the lease instead of a row lock.
    id: '002-notification-claims',
    sql: `
      ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
      ALTER TABLE notifications ADD CONSTRAINT notifications_status_check CHECK (status IN ('PENDING', 'SENDING', 'SENT', 'FAILED'));
      -- The message whose delivery holds the claim, and until when (server time): a crashed holder's claim runs out.
      ALTER TABLE notifications ADD COLUMN claimed_by text, ADD COLUMN claimed_until timestamptz;
    `,
  },
];
