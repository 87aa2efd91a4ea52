// SQL for notification records; every function takes a SqlExecutor, so it runs on the client or inside a transaction.
import type { SqlExecutor } from '@saga/db';
import type { Notification, NotificationKind, NotificationStatus } from '../domain/notification';

interface NotificationRow {
  notification_id: string;
  order_id: string;
  saga_id: string;
  customer_id: string;
  kind: NotificationKind;
  channel: string;
  subject: string;
  body: string;
  reason: string | null;
  status: NotificationStatus;
  attempts: number;
  last_error: string | null;
  created_at: Date;
  sent_at: Date | null;
}

const columns =
  'notification_id, order_id, saga_id, customer_id, kind, channel, subject, body, reason, status, attempts, last_error, created_at, sent_at';

const toNotification = (row: NotificationRow): Notification => ({
  notificationId: row.notification_id,
  orderId: row.order_id,
  sagaId: row.saga_id,
  customerId: row.customer_id,
  kind: row.kind,
  channel: row.channel,
  subject: row.subject,
  body: row.body,
  reason: row.reason,
  status: row.status,
  attempts: row.attempts,
  lastError: row.last_error,
  createdAt: row.created_at,
  sentAt: row.sent_at,
});

const values = (n: Notification) => [
  n.notificationId, n.orderId, n.sagaId, n.customerId, n.kind, n.channel, n.subject, n.body, n.reason, n.status, n.attempts, n.lastError, n.createdAt, n.sentAt,
];

/**
 * Returns the record for the draft's order and kind, locked until the transaction ends: the draft
 * itself when none existed, else the existing one (SENT, or FAILED from an earlier attempt). On
 * PostgreSQL a concurrent transaction claiming the same pair waits here until the first one ends.
 */
export async function claimNotification(tx: SqlExecutor, draft: Notification): Promise<Notification> {
  const inserted = await tx.query<NotificationRow>(
    `INSERT INTO notifications (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (order_id, kind) DO NOTHING RETURNING ${columns}`,
    values(draft),
  );
  if (inserted.rows[0]) return toNotification(inserted.rows[0]);
  const existing = await tx.query<NotificationRow>(`SELECT ${columns} FROM notifications WHERE order_id = $1 AND kind = $2 FOR UPDATE`, [
    draft.orderId,
    draft.kind,
  ]);
  if (!existing.rows[0]) throw new Error(`notification for ${draft.orderId}/${draft.kind} vanished between insert and select`);
  return toNotification(existing.rows[0]);
}

export async function markSent(tx: SqlExecutor, notificationId: string, channel: string, sentAt: Date): Promise<Notification> {
  const { rows } = await tx.query<NotificationRow>(
    `UPDATE notifications SET status = 'SENT', channel = $2, sent_at = $3, attempts = attempts + 1
     WHERE notification_id = $1 RETURNING ${columns}`,
    [notificationId, channel, sentAt],
  );
  if (!rows[0]) throw new Error(`notification ${notificationId} not found`);
  return toNotification(rows[0]);
}

/**
 * Records a failed delivery in its own transaction (the delivering one rolled back): creates the
 * record as FAILED or bumps its attempts. A record already SENT (by a concurrent delivery) is left alone.
 */
export async function recordFailure(db: SqlExecutor, draft: Notification, error: string): Promise<void> {
  const failed: Notification = { ...draft, status: 'FAILED', attempts: 1, lastError: error };
  await db.query(
    `INSERT INTO notifications (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (order_id, kind) DO UPDATE
       SET status = 'FAILED', attempts = notifications.attempts + 1, last_error = EXCLUDED.last_error
       WHERE notifications.status <> 'SENT'`,
    values(failed),
  );
}

/** Newest first; the id breaks ties so the order is stable. */
export async function findByOrder(db: SqlExecutor, orderId: string): Promise<Notification[]> {
  const { rows } = await db.query<NotificationRow>(
    `SELECT ${columns} FROM notifications WHERE order_id = $1 ORDER BY created_at DESC, notification_id DESC`,
    [orderId],
  );
  return rows.map(toNotification);
}
