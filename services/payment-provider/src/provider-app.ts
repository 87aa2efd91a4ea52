// The simulated card provider's HTTP API, shaped like Stripe's: charges, refunds, idempotency keys, card errors.
import { createHttpApp, createLogger, type Logger } from '@saga/platform';
import type { Express, Request, Response } from 'express';
import { z } from 'zod';
import { IdempotencyStore } from './idempotency';
import { invalidRequest, Ledger, type Clock, type ProviderResponse } from './ledger';

export type { Clock } from './ledger';

export interface ProviderAppOptions {
  clock: Clock;
  /** Amounts above this many cents are declined (card_velocity_exceeded). Default 100000. */
  declineAboveCents?: number;
  /** Simulated card-network latency added to every POST /v1/charges answer (the charge is made before the wait). Default 0. */
  latencyMs?: number;
  /** Simulated outage: every /v1 endpoint answers 503. Default false. */
  unavailable?: boolean;
  logger?: Logger;
  newId?: (prefix: 'ch' | 're') => string;
}

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

const listQuery = z.object({
  idempotency_key: z.string().min(1).max(255).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(10),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function send(res: Response, response: ProviderResponse): void {
  res.status(response.status).json(response.body);
}

/** Parses with zod; on failure answers 400 invalid_request_error naming the parameter, and returns undefined. */
function parseOr400<T>(schema: z.ZodType<T>, value: unknown, res: Response): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.map(String).join('.') || undefined;
  send(res, invalidRequest('parameter_invalid', `Invalid ${param ?? 'request'}: ${issue?.message ?? 'invalid'}`, param));
  return undefined;
}

function idempotencyKeyOr400(req: Request, res: Response): string | undefined {
  const key = req.get('idempotency-key')?.trim();
  if (key && key.length <= 255) return key;
  send(res, invalidRequest('idempotency_key_required', 'An Idempotency-Key header (1-255 characters) is required on this endpoint.'));
  return undefined;
}

export function createProviderApp(options: ProviderAppOptions): Express {
  const { latencyMs = 0, unavailable = false } = options;
  const logger = options.logger ?? createLogger({ service: 'payment-provider', level: 'silent' });
  const ledger = new Ledger({ clock: options.clock, declineAboveCents: options.declineAboveCents ?? 100_000, ...(options.newId ? { newId: options.newId } : {}) });
  const idempotency = new IdempotencyStore();

  const routes = (app: Express) => {
    app.use('/v1', (_req, res, next) => {
      if (!unavailable) return next();
      send(res, { status: 503, body: { error: { type: 'api_error', code: 'service_unavailable', message: 'The provider is temporarily unavailable.' } } });
    });

    app.post('/v1/charges', async (req, res) => {
      const key = idempotencyKeyOr400(req, res);
      const params = key && parseOr400(chargeBody, req.body, res);
      if (!key || !params) return;
      const outcome = idempotency.run(key, 'POST /v1/charges', params, () => ledger.charge(params, key));
      if (latencyMs > 0) await sleep(latencyMs);
      if (outcome.kind === 'replayed') res.setHeader('Idempotent-Replayed', 'true');
      send(res, outcome.response);
    });

    app.post('/v1/refunds', (req, res) => {
      const key = idempotencyKeyOr400(req, res);
      const params = key && parseOr400(refundBody, req.body, res);
      if (!key || !params) return;
      const outcome = idempotency.run(key, 'POST /v1/refunds', params, () => ledger.refund(params));
      if (outcome.kind === 'replayed') res.setHeader('Idempotent-Replayed', 'true');
      send(res, outcome.response);
    });

    app.get('/v1/charges/:id', (req, res) => {
      const charge = ledger.getCharge(req.params.id);
      if (charge) res.json(charge);
      else send(res, { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such charge: '${req.params.id}'`, param: 'id' } } });
    });

    // Stripe-like list; `idempotency_key` finds the charge a key created, e.g. after the client timed out.
    app.get('/v1/charges', (req, res) => {
      const query = parseOr400(listQuery, req.query, res);
      if (!query) return;
      const charge = query.idempotency_key === undefined ? undefined : ledger.chargeForIdempotencyKey(query.idempotency_key);
      const data = query.idempotency_key === undefined ? ledger.listCharges(query.limit) : charge ? [charge] : [];
      res.json({ object: 'list', url: '/v1/charges', has_more: false, data });
    });
  };

  return createHttpApp({
    service: 'payment-provider',
    logger,
    readiness: async () => ({ status: 'ready', checks: {} }),
    routes,
  });
}
