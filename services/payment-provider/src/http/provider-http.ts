// Request parsing and answering shared by the provider's routes: Stripe-style 400s naming the bad parameter.
import type { Request, Response } from 'express';
import type { z } from 'zod';
import { invalidRequest } from '../domain/provider-errors';
import type { ProviderResponse } from '../domain/provider-objects';

export function send(res: Response, response: ProviderResponse): void {
  res.status(response.status).json(response.body);
}

/** Parses with zod; on failure answers 400 invalid_request_error naming the parameter, and returns undefined. */
export function parseOr400<T>(schema: z.ZodType<T>, value: unknown, res: Response): T | undefined {
  const parsed = schema.safeParse(value ?? {});
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const param = issue?.path.map(String).join('.') || undefined;
  send(res, invalidRequest('parameter_invalid', `Invalid ${param ?? 'request'}: ${issue?.message ?? 'invalid'}`, param));
  return undefined;
}

export function idempotencyKeyOr400(req: Request, res: Response): string | undefined {
  const key = req.get('idempotency-key')?.trim();
  if (key && key.length <= 255) return key;
  send(res, invalidRequest('idempotency_key_required', 'An Idempotency-Key header (1-255 characters) is required on this endpoint.'));
  return undefined;
}
