// GET /payments?orderId=: an order's payment, for its customer (or an admin); anyone else's is not there for them.
import { callerOf, canSee, type RouteGuards } from '@saga/auth';
import type { SqlExecutor } from '@saga/db';
import { ValidationError } from '@saga/platform';
import type { Express } from 'express';
import { z } from 'zod';
import { findPaymentsOfOrder } from '../app/find-payments.query';
import { paymentStatuses, type FailureReason, type Payment } from '../domain/payment';

export const paymentsQuery = z.object({ orderId: z.string().min(1).max(100) });

const failureReasons = ['DECLINED', 'PROVIDER_UNAVAILABLE', 'TIMEOUT'] as const satisfies readonly FailureReason[];

/** One payment as GET /payments shows it (toPaymentView); the OpenAPI document's source, checked in the component tests. */
export const paymentViewSchema = z.object({
  paymentId: z.string(),
  orderId: z.string(),
  sagaId: z.string(),
  /** Null for a refund recorded before any charge (the charge was compensated before it ran). */
  customerId: z.string().nullable(),
  amountCents: z.number().int(),
  refundedCents: z.number().int(),
  currency: z.string(),
  status: z.enum(paymentStatuses),
  failureReason: z.enum(failureReasons).optional(),
  failureMessage: z.string().nullable().optional().describe('Only for an admin, and only with a failureReason'),
  createdAt: z.iso.datetime({ offset: true }),
  updatedAt: z.iso.datetime({ offset: true }),
});

/** GET /payments?orderId=. */
export const paymentListSchema = z.object({ items: z.array(paymentViewSchema) });

/** failureMessage is the provider's or the platform's own error text: shown to operators (admin), not to customers. */
export function toPaymentView(p: Payment, options: { internals?: boolean } = { internals: true }) {
  return {
    paymentId: p.paymentId,
    orderId: p.orderId,
    sagaId: p.sagaId,
    customerId: p.customerId,
    amountCents: p.amountCents,
    refundedCents: p.refundedCents,
    currency: p.currency,
    status: p.status,
    ...(p.failureReason ? { failureReason: p.failureReason, ...(options.internals ? { failureMessage: p.failureMessage } : {}) } : {}),
    createdAt: p.createdAt.toISOString(),
    updatedAt: p.updatedAt.toISOString(),
  };
}

export function paymentRoutes(db: SqlExecutor, guards: RouteGuards) {
  return (app: Express) => {
    app.get('/payments', guards.signedIn, async (req, res) => {
      const parsed = paymentsQuery.safeParse(req.query);
      if (!parsed.success) throw new ValidationError('orderId is required', { details: [{ field: 'orderId', message: 'required' }] });
      const caller = callerOf(res);
      // Another customer's payment is filtered out, so an empty list says nothing about whether that order exists.
      const items = (await findPaymentsOfOrder(db, parsed.data.orderId)).filter((p) => canSee(caller, p.customerId));
      const internals = caller.roles.includes('admin');
      res.json({ items: items.map((p) => toPaymentView(p, { internals })) });
    });
  };
}
