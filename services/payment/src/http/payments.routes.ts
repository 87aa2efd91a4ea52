// GET /payments?orderId=: an order's payment, for operators and the gateway's order view.
import type { SqlExecutor } from '@saga/db';
import { ValidationError } from '@saga/platform';
import type { Express } from 'express';
import { z } from 'zod';
import { findPaymentsOfOrder } from '../app/find-payments.query';
import type { Payment } from '../domain/payment';

const query = z.object({ orderId: z.string().trim().min(1).max(100) });

export function toPaymentView(p: Payment) {
  return {
    paymentId: p.paymentId,
    orderId: p.orderId,
    sagaId: p.sagaId,
    customerId: p.customerId,
    amountCents: p.amountCents,
    refundedCents: p.refundedCents,
    currency: p.currency,
    status: p.status,
    ...(p.failureReason ? { failureReason: p.failureReason, failureMessage: p.failureMessage } : {}),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function paymentRoutes(db: SqlExecutor) {
  return (app: Express) => {
    app.get('/payments', async (req, res) => {
      const parsed = query.safeParse(req.query);
      if (!parsed.success) throw new ValidationError('orderId is required', { details: [{ field: 'orderId', message: 'required' }] });
      const items = await findPaymentsOfOrder(db, parsed.data.orderId);
      res.json({ items: items.map(toPaymentView) });
    });
  };
}
