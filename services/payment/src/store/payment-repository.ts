// SQL for the payments table; takes a SqlExecutor so the same code runs on the client or inside a transaction.
import { isRetryableTxError, type SqlClient, type SqlExecutor } from '@saga/db';
import { backoffDelay } from '@saga/resilience';
import type { FailureReason, Payment, PaymentChannel, PaymentStatus } from '../domain/payment';

interface PaymentRow {
  order_id: string;
  payment_id: string;
  saga_id: string;
  customer_id: string | null;
  amount_cents: number;
  currency: string;
  status: PaymentStatus;
  provider_charge_id: string | null;
  refunded_cents: number;
  failure_reason: FailureReason | null;
  failure_message: string | null;
  channel: PaymentChannel;
  created_at: Date;
  updated_at: Date;
  reconciled_at: Date | null;
}

const columns =
  'order_id, payment_id, saga_id, customer_id, amount_cents, currency, status, provider_charge_id, refunded_cents, failure_reason, failure_message, channel, created_at, updated_at, reconciled_at';

const toPayment = (row: PaymentRow): Payment => ({
  paymentId: row.payment_id,
  orderId: row.order_id,
  sagaId: row.saga_id,
  customerId: row.customer_id,
  amountCents: row.amount_cents,
  currency: row.currency,
  status: row.status,
  providerChargeId: row.provider_charge_id,
  refundedCents: row.refunded_cents,
  failureReason: row.failure_reason,
  failureMessage: row.failure_message,
  channel: row.channel,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
  reconciledAt: row.reconciled_at,
});

const values = (p: Payment) => [
  p.orderId, p.paymentId, p.sagaId, p.customerId, p.amountCents, p.currency, p.status,
  p.providerChargeId, p.refundedCents, p.failureReason, p.failureMessage, p.channel, p.createdAt, p.updatedAt, p.reconciledAt,
];

/** `lock`: FOR UPDATE, so a concurrent handler of the same order waits until this transaction ends. */
export async function findPayment(db: SqlExecutor, orderId: string, opts: { lock?: boolean } = {}): Promise<Payment | undefined> {
  const { rows } = await db.query<PaymentRow>(`SELECT ${columns} FROM payments WHERE order_id = $1${opts.lock ? ' FOR UPDATE' : ''}`, [orderId]);
  return rows[0] && toPayment(rows[0]);
}

/** Inserts a new payment or updates the existing one (whose row the caller has locked). */
export async function savePayment(tx: SqlExecutor, payment: Payment, isNew: boolean): Promise<void> {
  if (isNew) {
    // A concurrent insert for the same order fails on the primary key: the handler is retried and sees that row.
    await tx.query(`INSERT INTO payments (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`, values(payment));
    return;
  }
  await tx.query(
    `UPDATE payments SET payment_id = $2, saga_id = $3, customer_id = $4, amount_cents = $5, currency = $6, status = $7,
       provider_charge_id = $8, refunded_cents = $9, failure_reason = $10, failure_message = $11, channel = $12, created_at = $13,
       updated_at = $14, reconciled_at = $15
     WHERE order_id = $1`,
    values(payment),
  );
}

/** Payments reconciliation should look at: settled before `settledBefore` and changed since it last looked; oldest first. */
export async function paymentsDueForReconciliation(db: SqlExecutor, settledBefore: Date, limit: number): Promise<Payment[]> {
  const { rows } = await db.query<PaymentRow>(
    `SELECT ${columns} FROM payments
      WHERE status <> 'CHARGING' AND updated_at <= $1 AND (reconciled_at IS NULL OR reconciled_at < updated_at)
      ORDER BY updated_at LIMIT $2`,
    [settledBefore, limit],
  );
  return rows.map(toPayment);
}

/** Marks a payment as compared with the provider's books as of `at` (its record unchanged). */
export async function markReconciled(tx: SqlExecutor, orderId: string, at: Date): Promise<void> {
  await tx.query('UPDATE payments SET reconciled_at = $2 WHERE order_id = $1', [orderId, at]);
}

/**
 * Marks as compared with the provider's books, as of `at`, each payment still as it was read (the same updated_at):
 * one statement for all of a pass's payments whose books agreed. One changed since it was read is left due, for a
 * look at its new state. Answers how many were marked.
 */
export async function markReconciledIfUnchanged(db: SqlExecutor, seen: readonly Pick<Payment, 'orderId' | 'updatedAt'>[], at: Date): Promise<number> {
  if (seen.length === 0) return 0;
  // Compared at the millisecond: updated_at is written from a JavaScript Date, and read back into one.
  const { rowCount } = await db.query(
    `UPDATE payments SET reconciled_at = $3
       FROM unnest($1::text[], $2::timestamptz[]) AS seen(order_id, updated_at)
      WHERE payments.order_id = seen.order_id AND date_trunc('milliseconds', payments.updated_at) = seen.updated_at`,
    [seen.map((payment) => payment.orderId), seen.map((payment) => payment.updatedAt.toISOString()), at],
  );
  return rowCount;
}

const MAX_TX_ATTEMPTS = 5;

/**
 * One transaction holding the order's payment lock (a transaction-scoped advisory lock, so it also covers an order
 * with no row yet): every decision about one order's money is taken by one handler at a time. Retried on
 * serialization failures and deadlocks.
 */
export async function withOrderLock<T>(db: SqlClient, orderId: string, work: (tx: SqlExecutor) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt += 1) {
    try {
      return await db.transaction(async (tx) => {
        await tx.query("SELECT pg_advisory_xact_lock(hashtext('payment:' || $1))", [orderId]);
        return work(tx);
      });
    } catch (error) {
      if (!isRetryableTxError(error) || attempt >= MAX_TX_ATTEMPTS) throw error;
      await new Promise((resolve) => setTimeout(resolve, backoffDelay(attempt, { baseDelayMs: 10, maxDelayMs: 200, jitter: 'full' })));
    }
  }
}
