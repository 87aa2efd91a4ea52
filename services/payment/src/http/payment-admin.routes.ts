// Operator routes (role admin): run reconciliation now, and read the provider's own books for an order.
import type { RouteGuards } from '@saga/auth';
import { fromZodError, ServiceUnavailableError } from '@saga/platform';
import type { Express } from 'express';
import { z } from 'zod';
import type { PaymentProvider, ProviderCharge } from '../app/payment-provider.port';
import type { PaymentReconciler } from '../app/reconcile-payments.use-case';

const orderId = z.string().trim().min(1).max(100);
export const reconcileBody = z.object({ orderId: orderId.optional() }).strict();
export const chargesQuery = z.object({ orderId });

/** The provider's state of a charge in the platform's words: what money it holds. */
export function ledgerStatus(charge: ProviderCharge): 'CAPTURED' | 'REFUNDED' | 'PARTIALLY_REFUNDED' | 'DECLINED' {
  if (charge.status !== 'succeeded') return 'DECLINED';
  if (charge.refundedCents === 0) return 'CAPTURED';
  return charge.refundedCents >= charge.amountCents ? 'REFUNDED' : 'PARTIALLY_REFUNDED';
}

export function paymentAdminRoutes(deps: { provider: PaymentProvider; reconciler: PaymentReconciler; guards: RouteGuards }) {
  return (app: Express) => {
    // Without a body: one pass over every settled payment not compared since it last changed (no grace period
    // beyond the scheduler's); with {orderId}: that order, now.
    app.post('/admin/reconcile', ...deps.guards.admin, async (req, res) => {
      const body = reconcileBody.safeParse(req.body ?? {});
      if (!body.success) throw fromZodError(body.error);
      const report = body.data.orderId ? await deps.reconciler.reconcileOrder(body.data.orderId) : await deps.reconciler.reconcileDue();
      res.json(report);
    });

    app.get('/admin/provider/charges', ...deps.guards.admin, async (req, res) => {
      const query = chargesQuery.safeParse(req.query);
      if (!query.success) throw fromZodError(query.error);
      const books = await deps.provider.listCharges(query.data.orderId);
      if (!books.ok) throw new ServiceUnavailableError(`The payment provider cannot be read right now: ${books.message}`, { code: 'PROVIDER_UNAVAILABLE' });
      res.json({
        items: books.charges.map((charge) => ({
          chargeId: charge.chargeId,
          orderId: charge.orderId,
          amountCents: charge.amountCents,
          refundedCents: charge.refundedCents,
          status: ledgerStatus(charge),
        })),
      });
    });
  };
}
