// The port to the card provider, owned by the use cases: answers are values; only bugs are thrown.

export interface ChargeCardInput {
  /** Same key, same charge: a retried call reports the first charge instead of making a second (`charge:<orderId>`). */
  idempotencyKey: string;
  amountCents: number;
  currency: string;
  /** The card token from the order (see the provider's documented test tokens). */
  token: string;
}

export type ChargeCardResult =
  | { ok: true; chargeId: string }
  | { ok: false; reason: 'DECLINED' | 'PROVIDER_UNAVAILABLE' | 'TIMEOUT'; message: string };

export interface RefundCardInput {
  /** `refund:<orderId>`: one refund per order, so a retry replays it. */
  idempotencyKey: string;
  chargeId: string;
  amountCents: number;
}

/** REJECTED: the provider refused the request itself (a bug or a conflict); retrying it will not help. */
export type RefundFailureReason = 'PROVIDER_UNAVAILABLE' | 'TIMEOUT' | 'REJECTED';

export type RefundCardResult = { ok: true; refundId: string } | { ok: false; reason: RefundFailureReason; message: string };

export interface ProviderCharge {
  chargeId: string;
  amountCents: number;
  status: 'succeeded' | 'failed';
}

export type FindChargeResult =
  | { ok: true; charge: ProviderCharge | null }
  | { ok: false; reason: 'PROVIDER_UNAVAILABLE' | 'TIMEOUT'; message: string };

export interface PaymentProvider {
  charge(input: ChargeCardInput): Promise<ChargeCardResult>;
  refund(input: RefundCardInput): Promise<RefundCardResult>;
  /** The charge an idempotency key created, if any: tells whether a charge that timed out actually happened. */
  findCharge(idempotencyKey: string): Promise<FindChargeResult>;
}

export const chargeKey = (orderId: string) => `charge:${orderId}`;
export const refundKey = (orderId: string) => `refund:${orderId}`;
