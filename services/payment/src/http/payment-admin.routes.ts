// Operator routes (role admin): run reconciliation now, and read the provider's own books for an order.
import type { RouteGuards } from '@saga/auth';
import { fromZodError, ServiceUnavailableError } from '@saga/platform';
import type { Express } from 'express';
import { z } from 'zod';
import type { PaymentProvider, ProviderCharge } from '../app/payment-provider.port';
import type { PaymentReconciler } from '../app/reconcile-payments.use-case';

const orderId = z.string().min(1).max(100);
export const reconcileBody = z.object({ orderId: orderId.optional() }).strict();
export const chargesQuery = z.object({ orderId });

/** POST /admin/reconcile: what one pass compared, repaired and could not compare (ReconciliationReport). */
export const reconciliationReportSchema = z.object({
  checked: z.number().int(),
  repairs: z.array(
    z.object({ orderId: z.string(), action: z.enum(['REFUNDED_CAPTURE', 'MISSING_CAPTURE']), chargeId: z.string().optional(), amountCents: z.number().int() }),
  ),
  errors: z.array(z.object({ orderId: z.string(), message: z.string() })),
});

/** GET /admin/provider/charges: the provider's charges for an order, in the platform's words (ledgerStatus). */
export const providerChargeListSchema = z.object({
  items: z.array(
    z.object({
      chargeId: z.string(),
      /** The order named in the charge's metadata; null when the charge names none. */
      orderId: z.string().nullable(),
      amountCents: z.number().int(),
      refundedCents: z.number().int(),
      status: z.enum(['CAPTURED', 'REFUNDED', 'PARTIALLY_REFUNDED', 'DECLINED']),
    }),
  ),
});

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
