// SQL for charge_requests: what OrderCreated said about an order's payment, kept until StockReserved says to charge.
import type { SqlExecutor } from '@saga/db';

/** The payment part of an OrderCreated event (event-carried state): everything a charge needs but the go-ahead. */
export interface ChargeRequest {
  orderId: string;
  sagaId: string;
  customerId: string;
  amountCents: number;
  currency: string;
  paymentToken: string;
  createdAt: Date;
}

interface ChargeRequestRow {
  order_id: string;
  saga_id: string;
  customer_id: string;
  amount_cents: number;
  currency: string;
  payment_token: string;
  created_at: Date;
}

/** The first request for an order wins: a republished OrderCreated (new messageId) must not change what gets charged. */
export async function recordChargeRequest(tx: SqlExecutor, request: ChargeRequest): Promise<void> {
  await tx.query(
    `INSERT INTO charge_requests (order_id, saga_id, customer_id, amount_cents, currency, payment_token, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (order_id) DO NOTHING`,
    [request.orderId, request.sagaId, request.customerId, request.amountCents, request.currency, request.paymentToken, request.createdAt],
  );
}

export async function findChargeRequest(db: SqlExecutor, orderId: string): Promise<ChargeRequest | undefined> {
  const { rows } = await db.query<ChargeRequestRow>(
    'SELECT order_id, saga_id, customer_id, amount_cents, currency, payment_token, created_at FROM charge_requests WHERE order_id = $1',
    [orderId],
  );
  const row = rows[0];
  return (
    row && {
      orderId: row.order_id,
      sagaId: row.saga_id,
      customerId: row.customer_id,
      amountCents: row.amount_cents,
      currency: row.currency,
      paymentToken: row.payment_token,
      createdAt: row.created_at,
    }
  );
}
