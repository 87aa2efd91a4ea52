// The provider's API objects, shaped like Stripe's: charges, refunds, key voids, error bodies and what an endpoint answers.
import type { DeclineCode } from './test-tokens';

export interface Clock {
  now(): Date;
}

export interface Charge {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  currency: string;
  status: 'succeeded' | 'failed';
  paid: boolean;
  refunded: boolean;
  source: string;
  description: string | null;
  metadata: Record<string, string>;
  failure_code: DeclineCode | null;
  failure_message: string | null;
  /** Unix seconds, as Stripe does. */
  created: number;
}

export interface Refund {
  id: string;
  object: 'refund';
  amount: number;
  charge: string;
  currency: string;
  status: 'succeeded';
  created: number;
}

/** The answer to POST /v1/charges/void: either the key is voided, or the charge it already made. */
export interface ChargeVoid {
  object: 'charge_void';
  idempotency_key: string;
  voided: boolean;
  charge: Charge | null;
}

export interface ErrorBody {
  error: {
    type: 'card_error' | 'invalid_request_error' | 'idempotency_error' | 'api_error';
    code: string;
    message: string;
    decline_code?: DeclineCode;
    param?: string;
    charge?: string;
  };
}

/** What an endpoint answers: a status and a JSON body. */
export interface ProviderResponse {
  status: number;
  body: Charge | Refund | ChargeVoid | ErrorBody;
}

export interface ChargeParams {
  amount: number;
  currency: string;
  source: string;
  description?: string | undefined;
  metadata?: Record<string, string> | undefined;
}

export interface RefundParams {
  charge: string;
  amount?: number | undefined;
}

/** What makes a new charge or refund unique: its id and the moment it is recorded (both chosen outside the rules). */
export interface NewRecord {
  id: string;
  now: Date;
}

export const unixSeconds = (at: Date): number => Math.floor(at.getTime() / 1000);
