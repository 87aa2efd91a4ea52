// SQL for the payments table; takes a SqlExecutor so the same code runs on the client or inside a transaction.
import type { SqlExecutor } from '@saga/db';
import type { FailureReason, Payment, PaymentStatus } from '../domain/payment';

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
  created_at: Date;
  updated_at: Date;
}

const columns =
  'order_id, payment_id, saga_id, customer_id, amount_cents, currency, status, provider_charge_id, refunded_cents, failure_reason, failure_message, created_at, updated_at';

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
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const values = (p: Payment) => [
  p.orderId, p.paymentId, p.sagaId, p.customerId, p.amountCents, p.currency, p.status,
  p.providerChargeId, p.refundedCents, p.failureReason, p.failureMessage, p.createdAt, p.updatedAt,
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
    await tx.query(`INSERT INTO payments (${columns}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`, values(payment));
    return;
  }
  await tx.query(
    `UPDATE payments SET payment_id = $2, saga_id = $3, customer_id = $4, amount_cents = $5, currency = $6, status = $7,
       provider_charge_id = $8, refunded_cents = $9, failure_reason = $10, failure_message = $11, created_at = $12, updated_at = $13
     WHERE order_id = $1`,
    values(payment),
  );
}
