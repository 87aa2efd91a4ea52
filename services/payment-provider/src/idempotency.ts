// Idempotency-Key handling, Stripe's rule: same key and same parameters replay the first answer; other parameters are a 409.
import type { ProviderResponse } from './ledger';

interface Remembered {
  fingerprint: string;
  response: ProviderResponse;
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

export type IdempotentOutcome = { kind: 'fresh' | 'replayed'; response: ProviderResponse } | { kind: 'conflict'; response: ProviderResponse };

export class IdempotencyStore {
  private readonly remembered = new Map<string, Remembered>();

  /**
   * Runs `execute` once per key. Keys are global (as at Stripe): reusing one on another endpoint, or with
   * other parameters, is a conflict. Only requests that passed validation reach here, so only they are remembered.
   */
  run(key: string, endpoint: string, params: unknown, execute: () => ProviderResponse): IdempotentOutcome {
    const fingerprint = `${endpoint} ${canonicalJson(params)}`;
    const previous = this.remembered.get(key);
    if (previous) {
      if (previous.fingerprint === fingerprint) return { kind: 'replayed', response: previous.response };
      return {
        kind: 'conflict',
        response: {
          status: 409,
          body: {
            error: {
              type: 'idempotency_error',
              code: 'idempotency_key_in_use',
              message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Key '${key}' was used with other parameters.`,
            },
          },
        },
      };
    }
    const response = execute();
    this.remembered.set(key, { fingerprint, response });
    return { kind: 'fresh', response };
  }
}
