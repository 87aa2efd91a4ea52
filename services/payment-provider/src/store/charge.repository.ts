// SQL for provider_charges; takes a SqlExecutor so the same code runs on the client or inside a transaction.
import type { SqlExecutor } from '@saga/db';
import { orderIdOf } from '../domain/charge-rules';
import { unixSeconds, type Charge } from '../domain/provider-objects';
import type { DeclineCode } from '../domain/test-tokens';

interface ChargeRow {
  id: string;
  amount: number;
  amount_refunded: number;
  currency: string;
  status: Charge['status'];
  source: string;
  description: string | null;
  metadata: Record<string, string>;
  failure_code: DeclineCode | null;
  failure_message: string | null;
  created_at: Date;
}

const columns = 'id, amount, amount_refunded, currency, status, source, description, metadata, failure_code, failure_message, created_at';

// paid and refunded are not stored: they follow from status and the amounts.
const toCharge = (row: ChargeRow): Charge => ({
  id: row.id,
  object: 'charge',
  amount: row.amount,
  amount_refunded: row.amount_refunded,
  currency: row.currency,
  status: row.status,
  paid: row.status === 'succeeded',
  refunded: row.amount_refunded === row.amount,
  source: row.source,
  description: row.description,
  metadata: row.metadata,
  failure_code: row.failure_code,
  failure_message: row.failure_message,
  created: unixSeconds(row.created_at),
});

export async function insertCharge(tx: SqlExecutor, charge: Charge, idempotencyKey: string, createdAt: Date): Promise<void> {
  await tx.query(
    `INSERT INTO provider_charges (id, amount, amount_refunded, currency, status, source, description, metadata, order_id, idempotency_key, failure_code, failure_message, created_at)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)`,
    [
      charge.id, charge.amount, charge.amount_refunded, charge.currency, charge.status, charge.source, charge.description,
      charge.metadata, orderIdOf(charge), idempotencyKey, charge.failure_code, charge.failure_message, createdAt,
    ],
  );
}

/** `lock`: FOR UPDATE, so a concurrent refund of the same charge waits until this transaction ends. */
export async function findCharge(db: SqlExecutor, id: string, opts: { lock?: boolean } = {}): Promise<Charge | undefined> {
  const { rows } = await db.query<ChargeRow>(`SELECT ${columns} FROM provider_charges WHERE id = $1${opts.lock ? ' FOR UPDATE' : ''}`, [id]);
  return rows[0] && toCharge(rows[0]);
}

export async function findChargeByKey(db: SqlExecutor, idempotencyKey: string): Promise<Charge | undefined> {
  const { rows } = await db.query<ChargeRow>(`SELECT ${columns} FROM provider_charges WHERE idempotency_key = $1`, [idempotencyKey]);
  return rows[0] && toCharge(rows[0]);
}

/** Every charge made for an order (metadata.order_id), newest first. */
export async function listChargesByOrder(db: SqlExecutor, orderId: string): Promise<Charge[]> {
  const { rows } = await db.query<ChargeRow>(`SELECT ${columns} FROM provider_charges WHERE order_id = $1 ORDER BY seq DESC`, [orderId]);
  return rows.map(toCharge);
}

/** The latest charges, newest first, as Stripe lists. */
export async function listRecentCharges(db: SqlExecutor, limit: number): Promise<Charge[]> {
  const { rows } = await db.query<ChargeRow>(`SELECT ${columns} FROM provider_charges ORDER BY seq DESC LIMIT $1`, [limit]);
  return rows.map(toCharge);
}

/** Records what has been refunded of a charge whose row the caller has locked. */
export async function saveAmountRefunded(tx: SqlExecutor, charge: Charge): Promise<void> {
  await tx.query('UPDATE provider_charges SET amount_refunded = $2 WHERE id = $1', [charge.id, charge.amount_refunded]);
}
