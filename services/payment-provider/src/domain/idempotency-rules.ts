// Idempotency keys, pure: Stripe's replay-or-409 rule, and the void after which a key never makes a charge.
import { idempotencyKeyInUse, idempotencyKeyVoided } from './provider-errors';
import type { Charge, ChargeVoid, ProviderResponse } from './provider-objects';

export const endpoints = { charge: 'POST /v1/charges', refund: 'POST /v1/refunds' } as const;
export type Endpoint = (typeof endpoints)[keyof typeof endpoints];

/** A key as stored: unused (all null), answered once (endpoint, fingerprint, response), and/or voided. */
export interface KeyState {
  endpoint: string | null;
  fingerprint: string | null;
  response: ProviderResponse | null;
  voided: boolean;
}

/** Stable JSON: object keys sorted at every level, so `{a,b}` and `{b,a}` are the same request. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

export type KeyDecision = { kind: 'fresh' } | { kind: 'replayed'; response: ProviderResponse } | { kind: 'refused'; response: ProviderResponse };

/**
 * What a request with this key may do. Keys are global (as at Stripe): reusing one on another endpoint, or with other
 * parameters, is a conflict. Only requests that passed validation get here, so only they are remembered.
 */
export function decideKeyUse(key: string, state: KeyState, endpoint: Endpoint, fingerprint: string): KeyDecision {
  if (state.voided) return { kind: 'refused', response: idempotencyKeyVoided(key) };
  if (state.response === null) return { kind: 'fresh' };
  if (state.endpoint === endpoint && state.fingerprint === fingerprint) return { kind: 'replayed', response: state.response };
  return { kind: 'refused', response: idempotencyKeyInUse(key) };
}

export type VoidDecision = { kind: 'charged'; charge: Charge } | { kind: 'void' } | { kind: 'refused'; response: ProviderResponse };

/**
 * Voiding a charge key (like cancelling a PaymentIntent): too late once it made a charge (the caller refunds that
 * instead); otherwise the key is voided for good. A key already used on another endpoint is not a charge key.
 */
export function decideVoid(key: string, state: KeyState, charge: Charge | undefined): VoidDecision {
  if (charge) return { kind: 'charged', charge };
  if (state.voided) return { kind: 'void' };
  if (state.endpoint !== null && state.endpoint !== endpoints.charge) return { kind: 'refused', response: idempotencyKeyInUse(key) };
  return { kind: 'void' };
}

export function voidAnswer(key: string, charge: Charge | null): { status: 200; body: ChargeVoid } {
  return { status: 200, body: { object: 'charge_void', idempotency_key: key, voided: charge === null, charge } };
}
