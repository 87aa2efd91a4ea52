// Read side for GET /payments: an order has at most one payment.
import type { SqlExecutor } from '@saga/db';
import type { Payment } from '../domain/payment';
import { findPayment } from '../store/payment-repository';

export async function findPaymentsOfOrder(db: SqlExecutor, orderId: string): Promise<Payment[]> {
  const payment = await findPayment(db, orderId);
  return payment ? [payment] : [];
}
