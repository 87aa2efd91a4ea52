// The provider's books, in memory: charges and refunds, decided by the card token and the amount limit.
import { randomBytes } from 'node:crypto';
import { declineMessages, testTokens, type DeclineCode } from './test-tokens';

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
  body: Charge | Refund | ErrorBody;
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

export interface LedgerOptions {
  clock: Clock;
  /** Amounts (in cents) above this are declined with card_velocity_exceeded. */
  declineAboveCents: number;
  newId?: (prefix: 'ch' | 're') => string;
}

const randomId = (prefix: string) => `${prefix}_${randomBytes(12).toString('hex')}`;

export const invalidRequest = (code: string, message: string, param?: string): ProviderResponse => ({
  status: 400,
  body: { error: { type: 'invalid_request_error', code, message, ...(param ? { param } : {}) } },
});

export class Ledger {
  private readonly charges = new Map<string, Charge>();
  /** Which idempotency key created which charge, so a client can find out whether a timed-out charge happened. */
  private readonly chargeByKey = new Map<string, string>();
  private readonly refunds: Refund[] = [];
  private readonly newId: (prefix: 'ch' | 're') => string;

  constructor(private readonly options: LedgerOptions) {
    this.newId = options.newId ?? randomId;
  }

  /** Decides and records a charge at once: a charge exists from this moment, whether or not the caller hears back. */
  charge(params: ChargeParams, idempotencyKey: string): ProviderResponse {
    const token = testTokens[params.source];
    if (!token) return invalidRequest('resource_missing', `No such token: '${params.source}'`, 'source');
    const declineCode: DeclineCode | undefined =
      token.outcome === 'decline' ? token.declineCode ?? 'generic_decline'
        : params.amount > this.options.declineAboveCents ? 'card_velocity_exceeded'
          : undefined;
    const charge: Charge = {
      id: this.newId('ch'),
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
      created: this.unixNow(),
    };
    this.charges.set(charge.id, charge);
    this.chargeByKey.set(idempotencyKey, charge.id);
    if (!declineCode) return { status: 201, body: { ...charge } };
    return {
      status: 402,
      body: {
        error: { type: 'card_error', code: 'card_declined', decline_code: declineCode, message: declineMessages[declineCode], charge: charge.id },
      },
    };
  }

  /** Refunds `amount` (default: what is left) of a succeeded charge; never more than was charged. */
  refund(params: RefundParams): ProviderResponse {
    const charge = this.charges.get(params.charge);
    if (!charge) return { status: 404, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: `No such charge: '${params.charge}'`, param: 'charge' } } };
    if (charge.status !== 'succeeded') return invalidRequest('charge_not_refundable', `Charge ${charge.id} did not succeed; there is nothing to refund.`, 'charge');
    const left = charge.amount - charge.amount_refunded;
    if (left === 0) return invalidRequest('charge_already_refunded', `Charge ${charge.id} has already been refunded.`, 'charge');
    const amount = params.amount ?? left;
    if (amount > left) {
      return invalidRequest('amount_too_large', `Refund amount (${amount}) is greater than unrefunded amount on charge (${left}).`, 'amount');
    }
    charge.amount_refunded += amount;
    charge.refunded = charge.amount_refunded === charge.amount;
    const refund: Refund = { id: this.newId('re'), object: 'refund', amount, charge: charge.id, currency: charge.currency, status: 'succeeded', created: this.unixNow() };
    this.refunds.push(refund);
    return { status: 201, body: refund };
  }

  getCharge(id: string): Charge | undefined {
    const charge = this.charges.get(id);
    return charge && { ...charge };
  }

  chargeForIdempotencyKey(key: string): Charge | undefined {
    const id = this.chargeByKey.get(key);
    return id === undefined ? undefined : this.getCharge(id);
  }

  /** Newest first, as Stripe lists. */
  listCharges(limit: number): Charge[] {
    return [...this.charges.values()].reverse().slice(0, limit).map((charge) => ({ ...charge }));
  }

  private unixNow(): number {
    return Math.floor(this.options.clock.now().getTime() / 1000);
  }
}
