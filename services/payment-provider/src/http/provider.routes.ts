// The provider's Stripe-like /v1 API: charges, refunds, look-ups, and the simulator's key void.
import type { Express, Response } from 'express';
import { z } from 'zod';
import { createCharge } from '../app/create-charge.use-case';
import { createRefund } from '../app/create-refund.use-case';
import { findCharges, getCharge } from '../app/find-charges.query';
import type { IdempotentOutcome } from '../app/idempotent-request';
import type { LatencySetting } from '../app/latency-setting';
import type { ProviderBooks } from '../app/provider-books';
import { voidChargeKey } from '../app/void-charge-key.use-case';
import { resourceMissing, serviceUnavailable } from '../domain/provider-errors';
import { idempotencyKeyOr400, parseOr400, send } from './provider-http';

const chargeBody = z.object({
  amount: z.number().int().positive().max(99_999_999),
  currency: z.string().regex(/^[A-Za-z]{3}$/, 'expected a three-letter ISO currency code'),
  source: z.string().min(1).max(200),
  description: z.string().max(1000).optional(),
  metadata: z.record(z.string(), z.string().max(500)).optional(),
});

const refundBody = z.object({
  charge: z.string().min(1).max(200),
  amount: z.number().int().positive().optional(),
});

const voidBody = z.object({ idempotency_key: z.string().min(1).max(255) });

const listQuery = z.object({
  idempotency_key: z.string().min(1).max(255).optional(),
  order_id: z.string().min(1).max(200).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

export interface ProviderRouteOptions {
  books: ProviderBooks;
  latency: LatencySetting;
  /** Simulated outage: every /v1 endpoint answers 503. */
  unavailable: boolean;
}

export function providerRoutes(app: Express, { books, latency, unavailable }: ProviderRouteOptions): void {
  /** The latency comes after the work committed: a client that times out leaves a real charge (or refund) behind. */
  const answerLate = async (res: Response, outcome: IdempotentOutcome) => {
    await latency.wait();
    if (outcome.kind === 'replayed') res.setHeader('Idempotent-Replayed', 'true');
    send(res, outcome.response);
  };

  app.use('/v1', (_req, res, next) => {
    if (!unavailable) return next();
    send(res, serviceUnavailable());
  });

  app.post('/v1/charges', async (req, res) => {
    const key = idempotencyKeyOr400(req, res);
    const params = key && parseOr400(chargeBody, req.body, res);
    if (!key || !params) return;
    await answerLate(res, await createCharge(books, key, params));
  });

  app.post('/v1/refunds', async (req, res) => {
    const key = idempotencyKeyOr400(req, res);
    const params = key && parseOr400(refundBody, req.body, res);
    if (!key || !params) return;
    await answerLate(res, await createRefund(books, key, params));
  });

  // Simulator extension, modelled on cancelling a PaymentIntent: see README "Voiding a charge key".
  app.post('/v1/charges/void', async (req, res) => {
    const body = parseOr400(voidBody, req.body, res);
    if (body) send(res, await voidChargeKey(books, body.idempotency_key));
  });

  app.get('/v1/charges/:id', async (req, res) => {
    const charge = await getCharge(books, req.params.id);
    if (charge) res.json(charge);
    else send(res, resourceMissing(`No such charge: '${req.params.id}'`, 'id'));
  });

  // Stripe-like list; `idempotency_key` finds the charge a key made (e.g. after the client timed out), `order_id` an order's books.
  app.get('/v1/charges', async (req, res) => {
    const query = parseOr400(listQuery, req.query, res);
    if (!query) return;
    const data = await findCharges(books, { idempotencyKey: query.idempotency_key, orderId: query.order_id, limit: query.limit });
    res.json({ object: 'list', url: '/v1/charges', has_more: false, data });
  });
}
