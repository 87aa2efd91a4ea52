// The provider's error answers, Stripe-shaped, in one place so every endpoint words them the same way.
import type { ProviderResponse } from './provider-objects';

export const invalidRequest = (code: string, message: string, param?: string): ProviderResponse => ({
  status: 400,
  body: { error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } },
});

export const resourceMissing = (message: string, param: string): ProviderResponse => ({
  status: 404,
  body: { error: { type: 'invalid_request_error', code: 'resource_missing', message, param } },
});

export const idempotencyKeyInUse = (key: string): ProviderResponse => ({
  status: 409,
  body: {
    error: {
      type: 'idempotency_error',
      code: 'idempotency_key_in_use',
      message: `Keys for idempotent requests can only be used with the same parameters they were first used with. Key '${key}' was used with other parameters.`,
    },
  },
});

/** A voided key never makes a charge: the client gave up on it (POST /v1/charges/void). */
export const idempotencyKeyVoided = (key: string): ProviderResponse => ({
  status: 409,
  body: {
    error: {
      type: 'invalid_request_error',
      code: 'idempotency_key_voided',
      message: `Key '${key}' was voided: no charge can be made with it. Use a new key for a new attempt.`,
    },
  },
});

export const serviceUnavailable = (): ProviderResponse => ({
  status: 503,
  body: { error: { type: 'api_error', code: 'service_unavailable', message: 'The provider is temporarily unavailable.' } },
});
