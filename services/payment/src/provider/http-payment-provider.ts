// PaymentProvider over HTTP (the provider's Stripe-like API): fetch with a per-call AbortSignal, through one breaker.
import { BreakerOpenError, createBreaker, TimeoutError, type BreakerOptions, type BreakerState, type BreakerStats } from '@saga/resilience';
import { z } from 'zod';
import type {
  ChargeCardInput,
  ChargeCardResult,
  ListChargesResult,
  PaymentProvider,
  ProviderCharge,
  RefundCardInput,
  RefundCardResult,
  VoidChargeResult,
} from '../app/payment-provider.port';

export interface HttpPaymentProviderOptions {
  /** e.g. http://127.0.0.1:4010; a function is asked per call (a discovery-backed address), undefined meaning none is available. */
  baseUrl: string | (() => string | undefined);
  /** Per call; a slower answer is a TIMEOUT and counts against the breaker. */
  timeoutMs: number;
  /** Tuning of the breaker (thresholds, reset time); name and timeout are fixed here. */
  breaker?: Omit<BreakerOptions<ProviderRequest, ProviderResponse>, 'name' | 'timeoutMs' | 'fallback' | 'isBusinessFailure'>;
  fetch?: typeof fetch;
}

export interface HttpPaymentProvider extends PaymentProvider {
  breakerState(): BreakerState;
  breakerStats(): BreakerStats;
  /** Stops the breaker's timers; later calls answer PROVIDER_UNAVAILABLE. */
  shutdown(): void;
}

interface ProviderRequest {
  method: 'GET' | 'POST';
  path: string;
  body?: Record<string, unknown>;
  idempotencyKey?: string;
}

interface ProviderResponse {
  status: number;
  body: unknown;
}

/** The provider itself is failing (5xx, rate limited): counts towards opening the breaker. */
class ProviderHttpError extends Error {
  override readonly name = 'ProviderHttpError';
  constructor(readonly status: number, detail: string) {
    super(`payment provider answered ${status}: ${detail}`);
  }
}

const chargeSchema = z.object({
  id: z.string().min(1),
  amount: z.number().int(),
  amount_refunded: z.number().int().min(0).default(0),
  status: z.enum(['succeeded', 'failed']),
  metadata: z.record(z.string(), z.string()).nullish(),
});
const refundSchema = z.object({ id: z.string().min(1) });
const chargeListSchema = z.object({ data: z.array(chargeSchema) });
const voidSchema = z.object({ voided: z.boolean(), charge: chargeSchema.nullable() });

const toProviderCharge = (charge: z.infer<typeof chargeSchema>): ProviderCharge => ({
  chargeId: charge.id,
  orderId: charge.metadata?.order_id ?? null,
  amountCents: charge.amount,
  refundedCents: charge.amount_refunded,
  status: charge.status,
});
const errorSchema = z.object({ error: z.object({ type: z.string(), code: z.string().optional(), decline_code: z.string().optional(), message: z.string().optional() }) });

const errorCode = (body: unknown): string | undefined => {
  const parsed = errorSchema.safeParse(body);
  return parsed.success ? parsed.data.error.code : undefined;
};

const errorText = (body: unknown): string => {
  const parsed = errorSchema.safeParse(body);
  if (!parsed.success) return 'unexpected answer';
  const { code, decline_code, message } = parsed.data.error;
  return [message, decline_code ?? code].filter(Boolean).join(' ') || parsed.data.error.type;
};

/**
 * Failure of the call itself as a value, split by what the saga needs to know: did money possibly move?
 * - PROVIDER_UNAVAILABLE: the provider certainly did not take the request (circuit open, connection refused,
 *   503/429, which are refusals before processing): nothing to refund.
 * - TIMEOUT: the outcome is unknown (no answer in time, connection lost mid-request, another 5xx): the
 *   orchestrator refunds first, and the refund asks the provider by idempotency key.
 */
function unavailable(error: unknown): { ok: false; reason: 'PROVIDER_UNAVAILABLE' | 'TIMEOUT'; message: string } {
  if (error instanceof BreakerOpenError) return { ok: false, reason: 'PROVIDER_UNAVAILABLE', message: 'payment provider circuit is open; not called' };
  if (error instanceof TimeoutError) return { ok: false, reason: 'TIMEOUT', message: error.message };
  // Duck-typed: fetch's network errors are made by undici, possibly in another realm (under jest), where instanceof fails.
  const cause = (error as { cause?: { message?: unknown; code?: unknown } } | null)?.cause;
  const message = `${error instanceof Error ? error.message : String(error)}${typeof cause?.message === 'string' ? ` (${cause.message})` : ''}`;
  if (error instanceof ProviderHttpError) {
    const refused = error.status === 503 || error.status === 429;
    return { ok: false, reason: refused ? 'PROVIDER_UNAVAILABLE' : 'TIMEOUT', message: refused ? message : `${message}; outcome unknown` };
  }
  if (cause?.code === 'ECONNREFUSED') return { ok: false, reason: 'PROVIDER_UNAVAILABLE', message };
  return { ok: false, reason: 'TIMEOUT', message: `${message}; outcome unknown` };
}

export function createHttpPaymentProvider(options: HttpPaymentProviderOptions): HttpPaymentProvider {
  const doFetch = options.fetch ?? fetch;
  const configured = options.baseUrl;
  const baseUrl = (): string => {
    const url = typeof configured === 'string' ? configured : configured();
    // A refusal before anything was sent: PROVIDER_UNAVAILABLE, like a refused connection.
    if (url === undefined) throw new ProviderHttpError(503, 'no healthy payment-provider instance is known');
    return url.replace(/\/+$/, '');
  };

  // Answers the provider gives on purpose (201, 402 decline, 4xx) are returned as values: they never open the breaker.
  const breaker = createBreaker<ProviderRequest, ProviderResponse>(
    async (request, signal) => {
      const response = await doFetch(`${baseUrl()}${request.path}`, {
        method: request.method,
        headers: {
          accept: 'application/json',
          ...(request.body ? { 'content-type': 'application/json' } : {}),
          ...(request.idempotencyKey ? { 'idempotency-key': request.idempotencyKey } : {}),
        },
        ...(request.body ? { body: JSON.stringify(request.body) } : {}),
        signal,
      });
      const text = await response.text();
      let body: unknown;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        body = undefined;
      }
      if (response.status >= 500 || response.status === 429) throw new ProviderHttpError(response.status, errorText(body));
      return { status: response.status, body };
    },
    { ...options.breaker, name: 'payment-provider', timeoutMs: options.timeoutMs },
  );

  const call = async (request: ProviderRequest): Promise<{ ok: true; response: ProviderResponse } | ReturnType<typeof unavailable>> => {
    try {
      return { ok: true, response: await breaker.fire(request) };
    } catch (error) {
      return unavailable(error);
    }
  };

  return {
    async charge(input: ChargeCardInput): Promise<ChargeCardResult> {
      const answer = await call({
        method: 'POST',
        path: '/v1/charges',
        idempotencyKey: input.idempotencyKey,
        body: { amount: input.amountCents, currency: input.currency.toLowerCase(), source: input.token, metadata: { order_id: input.orderId } },
      });
      if (!answer.ok) return answer;
      const { status, body } = answer.response;
      if (status >= 200 && status < 300) {
        const charge = chargeSchema.safeParse(body);
        if (charge.success && charge.data.status === 'succeeded') return { ok: true, chargeId: charge.data.id };
        // A success we cannot read may well have taken the money: unknown, like a timeout (never "not charged").
        return { ok: false, reason: 'TIMEOUT', message: `payment provider answered ${status} with a charge it could not describe; outcome unknown` };
      }
      if (status === 409 && errorCode(body) === 'idempotency_key_voided') {
        // The order's refund voided this charge's key before the request landed: certainly nothing was taken.
        return { ok: false, reason: 'PROVIDER_UNAVAILABLE', message: `the provider refused the charge: its key was voided (the order was cancelled): ${errorText(body)}` };
      }
      // 402 is a card decline; any other 4xx (unknown token, key reused with another amount) refuses this charge for good.
      return { ok: false, reason: 'DECLINED', message: `${status === 402 ? 'card declined' : `charge refused (${status})`}: ${errorText(body)}` };
    },

    async refund(input: RefundCardInput): Promise<RefundCardResult> {
      const answer = await call({
        method: 'POST',
        path: '/v1/refunds',
        idempotencyKey: input.idempotencyKey,
        body: { charge: input.chargeId, amount: input.amountCents },
      });
      if (!answer.ok) return answer;
      const { status, body } = answer.response;
      const refund = refundSchema.safeParse(body);
      if ((status === 200 || status === 201) && refund.success) return { ok: true, refundId: refund.data.id };
      return { ok: false, reason: 'REJECTED', message: `refund refused (${status}): ${errorText(body)}` };
    },

    async voidCharge(idempotencyKey: string): Promise<VoidChargeResult> {
      const answer = await call({ method: 'POST', path: '/v1/charges/void', body: { idempotency_key: idempotencyKey } });
      if (!answer.ok) return answer;
      const parsed = voidSchema.safeParse(answer.response.body);
      if (answer.response.status !== 200 || !parsed.success) {
        return { ok: false, reason: 'PROVIDER_UNAVAILABLE', message: `charge void failed (${answer.response.status}): ${errorText(answer.response.body)}` };
      }
      if (parsed.data.charge) return { ok: true, voided: false, charge: toProviderCharge(parsed.data.charge) };
      if (!parsed.data.voided) return { ok: false, reason: 'PROVIDER_UNAVAILABLE', message: 'charge void answered neither a charge nor a void' };
      return { ok: true, voided: true };
    },

    async listCharges(orderId: string): Promise<ListChargesResult> {
      const answer = await call({ method: 'GET', path: `/v1/charges?order_id=${encodeURIComponent(orderId)}&limit=100` });
      if (!answer.ok) return answer;
      const list = chargeListSchema.safeParse(answer.response.body);
      if (answer.response.status !== 200 || !list.success) {
        return { ok: false, reason: 'PROVIDER_UNAVAILABLE', message: `charge listing failed (${answer.response.status}): ${errorText(answer.response.body)}` };
      }
      return { ok: true, charges: list.data.data.map(toProviderCharge) };
    },

    breakerState: () => breaker.state(),
    breakerStats: () => breaker.stats(),
    shutdown: () => breaker.shutdown(),
  };
}
