// The provider's money rules, pure: which charges succeed (token, amount limit) and what may be refunded (never more than charged).
import { invalidRequest, resourceMissing } from './provider-errors';
import { unixSeconds, type Charge, type ChargeParams, type NewRecord, type ProviderResponse, type Refund, type RefundParams } from './provider-objects';
import { declineMessages, testTokens, type DeclineCode } from './test-tokens';

export interface ChargeLimits {
  /** Amounts (in cents) above this are declined with card_velocity_exceeded. */
  declineAboveCents: number;
}

/** `recorded`: the charge exists from now on (succeeded or failed, as Stripe keeps declines); `rejected`: nothing to record. */
export type ChargeDecision = { kind: 'recorded'; charge: Charge; response: ProviderResponse } | { kind: 'rejected'; response: ProviderResponse };

export function decideCharge(params: ChargeParams, limits: ChargeLimits, record: NewRecord): ChargeDecision {
  const token = testTokens[params.source];
  if (!token) return { kind: 'rejected', response: invalidRequest('resource_missing', `No such token: '${params.source}'`, 'source') };
  const declineCode: DeclineCode | undefined =
    token.outcome === 'decline' ? token.declineCode ?? 'generic_decline'
      : params.amount > limits.declineAboveCents ? 'card_velocity_exceeded'
        : undefined;
  const charge: Charge = {
    id: record.id,
    object: 'charge',
    amount: params.amount,
    amount_refunded: 0,
    currency: params.currency.toLowerCase(),
    status: declineCode ? 'failed' : 'succeeded',
    paid: declineCode === undefined,
    refunded: false,
    source: params.source,
    description: params.description ?? null,
    metadata: params.metadata ?? {},
    failure_code: declineCode ?? null,
    failure_message: declineCode ? declineMessages[declineCode] : null,
    created: unixSeconds(record.now),
  };
  return { kind: 'recorded', charge, response: chargeAnswer(charge) };
}

/** A succeeded charge is 201 with the charge; a declined one is Stripe's 402 card_error naming the charge. */
export function chargeAnswer(charge: Charge): ProviderResponse {
  if (charge.status === 'succeeded') return { status: 201, body: charge };
  const code = charge.failure_code ?? 'generic_decline';
  return {
    status: 402,
    body: { error: { type: 'card_error', code: 'card_declined', decline_code: code, message: declineMessages[code], charge: charge.id } },
  };
}

/** The order a charge belongs to, from its metadata: what GET /v1/charges?order_id= finds it by. */
export const orderIdOf = (charge: Charge): string | null => charge.metadata.order_id ?? null;

export type RefundDecision = { kind: 'refunded'; refund: Refund; charge: Charge; response: ProviderResponse } | { kind: 'rejected'; response: ProviderResponse };

/** Refunds `amount` (default: what is left) of a succeeded charge; never more than was charged. */
export function decideRefund(charge: Charge | undefined, params: RefundParams, record: NewRecord): RefundDecision {
  const reject = (response: ProviderResponse): RefundDecision => ({ kind: 'rejected', response });
  if (!charge) return reject(resourceMissing(`No such charge: '${params.charge}'`, 'charge'));
  if (charge.status !== 'succeeded') return reject(invalidRequest('charge_not_refundable', `Charge ${charge.id} did not succeed; there is nothing to refund.`, 'charge'));
  const left = charge.amount - charge.amount_refunded;
  if (left === 0) return reject(invalidRequest('charge_already_refunded', `Charge ${charge.id} has already been refunded.`, 'charge'));
  const amount = params.amount ?? left;
  if (amount > left) return reject(invalidRequest('amount_too_large', `Refund amount (${amount}) is greater than unrefunded amount on charge (${left}).`, 'amount'));
  const amountRefunded = charge.amount_refunded + amount;
  const refund: Refund = { id: record.id, object: 'refund', amount, charge: charge.id, currency: charge.currency, status: 'succeeded', created: unixSeconds(record.now) };
  return {
    kind: 'refunded',
    refund,
    charge: { ...charge, amount_refunded: amountRefunded, refunded: amountRefunded === charge.amount },
    response: { status: 201, body: refund },
  };
}
