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

/** Creates the draft's record (PENDING), or returns the one that exists for its order and kind. No lock is taken. */
export async function findOrCreate(tx: SqlExecutor, draft: Notification): Promise<Notification> {
  const inserted = await tx.query<NotificationRow>(
    `INSERT INTO notifications (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
     ON CONFLICT (order_id, kind) DO NOTHING RETURNING ${columns}`,
    values(draft),
  );
  if (inserted.rows[0]) return toNotification(inserted.rows[0]);
  const existing = await tx.query<NotificationRow>(`SELECT ${columns} FROM notifications WHERE order_id = $1 AND kind = $2`, [draft.orderId, draft.kind]);
  if (!existing.rows[0]) throw new Error(`notification for ${draft.orderId}/${draft.kind} vanished between insert and select`);
  return toNotification(existing.rows[0]);
}

export type Claim =
  /** This delivery may send: the record is SENDING, held by `claimedBy` until the lease runs out. */
  | { kind: 'claimed'; notification: Notification }
  /** Sent and recorded already (by this message or another): announce it, send nothing. */
  | { kind: 'sent'; notification: Notification }
  /** Another delivery holds a running lease: it is sending right now. */
  | { kind: 'busy'; claimedUntil: Date };

/**
 * One conditional UPDATE, so two deliveries cannot both win: the record is free (never claimed, released after a
 * failure, or its holder's lease ran out, e.g. it crashed) or already held by the same message (its own redelivery
 * after a crash between send and record: it sends again at once). Lease times are the server's, so clocks cannot skew them.
 */
export async function claimForSending(tx: SqlExecutor, record: Notification, claimedBy: string, leaseMs: number): Promise<Claim> {
  if (record.status === 'SENT') return { kind: 'sent', notification: record };
  const claimed = await tx.query<NotificationRow>(
    `UPDATE notifications SET status = 'SENDING', claimed_by = $2, claimed_until = now() + $3::double precision * interval '1 millisecond'
     WHERE notification_id = $1 AND status <> 'SENT' AND (claimed_until IS NULL OR claimed_until < now() OR claimed_by = $2)
     RETURNING ${columns}`,
    [record.notificationId, claimedBy, leaseMs],
  );
  if (claimed.rows[0]) return { kind: 'claimed', notification: toNotification(claimed.rows[0]) };
  const { rows } = await tx.query<NotificationRow & { claimed_until: Date | null }>(
    `SELECT ${columns}, claimed_until FROM notifications WHERE notification_id = $1`,
    [record.notificationId],
  );
  const current = rows[0];
  if (!current) throw new Error(`notification ${record.notificationId} not found`);
  if (current.status === 'SENT') return { kind: 'sent', notification: toNotification(current) };
  return { kind: 'busy', claimedUntil: current.claimed_until ?? new Date(0) };
}

/** SENT, once: undefined when the record was SENT already (another delivery recorded it first). Releases the claim. */
export async function markSent(tx: SqlExecutor, notificationId: string, channel: string, sentAt: Date): Promise<Notification | undefined> {
  const { rows } = await tx.query<NotificationRow>(
    `UPDATE notifications SET status = 'SENT', channel = $2, sent_at = $3, attempts = attempts + 1, claimed_by = NULL, claimed_until = NULL
     WHERE notification_id = $1 AND status <> 'SENT' RETURNING ${columns}`,
    [notificationId, channel, sentAt],
  );
  return rows[0] ? toNotification(rows[0]) : undefined;
}

export async function findById(db: SqlExecutor, notificationId: string): Promise<Notification> {
  const { rows } = await db.query<NotificationRow>(`SELECT ${columns} FROM notifications WHERE notification_id = $1`, [notificationId]);
  if (!rows[0]) throw new Error(`notification ${notificationId} not found`);
  return toNotification(rows[0]);
}

/**
 * A failed send: FAILED with the error and one more attempt, and the claim given back so the retry (or another
 * delivery) can claim it at once. Only by the claim's holder, and never over SENT.
 */
export async function recordFailure(db: SqlExecutor, notificationId: string, claimedBy: string, error: string): Promise<void> {
  await db.query(
    `UPDATE notifications SET status = 'FAILED', attempts = attempts + 1, last_error = $3, claimed_by = NULL, claimed_until = NULL
     WHERE notification_id = $1 AND claimed_by = $2 AND status <> 'SENT'`,
    [notificationId, claimedBy, error],
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
