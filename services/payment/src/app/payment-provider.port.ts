// The port to the card provider, owned by the use cases: answers are values; only bugs are thrown.

export interface ChargeCardInput {
  /** Same key, same charge: a retried call reports the first charge instead of making a second (`charge:<orderId>`). */
  idempotencyKey: string;
  /** Recorded with the charge (metadata order_id), so the provider's books can be read per order. */
  orderId: string;
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

/** A charge as the provider's books hold it: the source of truth for money. */
export interface ProviderCharge {
  chargeId: string;
  /** The order named in the charge's metadata, if any. */
  orderId: string | null;
  amountCents: number;
  refundedCents: number;
  status: 'succeeded' | 'failed';
}

export type ProviderLookupFailure = { ok: false; reason: 'PROVIDER_UNAVAILABLE' | 'TIMEOUT'; message: string };

/** voided: no charge exists for the key and none can ever be made with it; otherwise the charge the key made. */
export type VoidChargeResult = { ok: true; voided: true } | { ok: true; voided: false; charge: ProviderCharge } | ProviderLookupFailure;

export type ListChargesResult = { ok: true; charges: ProviderCharge[] } | ProviderLookupFailure;

export interface PaymentProvider {
  charge(input: ChargeCardInput): Promise<ChargeCardResult>;
  refund(input: RefundCardInput): Promise<RefundCardResult>;
  /**
   * Settles an uncertain charge for good: returns the charge the key made, or voids the key so that a charge request
   * still on its way to the provider is refused when it lands. Safe to repeat.
   */
  voidCharge(idempotencyKey: string): Promise<VoidChargeResult>;
  /** Every charge the provider holds for an order (by its metadata), refunds included: the order's money as the provider sees it. */
  listCharges(orderId: string): Promise<ListChargesResult>;
}

export const chargeKey = (orderId: string) => `charge:${orderId}`;
export const refundKey = (orderId: string) => `refund:${orderId}`;
/** Reconciliation's refund of one stray capture: one key per charge, so a retried repair replays instead of refunding twice. */
export const reconcileRefundKey = (chargeId: string) => `reconcile:${chargeId}`;
