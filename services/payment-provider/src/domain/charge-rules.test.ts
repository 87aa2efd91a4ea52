// The money rules without a database: token outcomes, the amount limit, and refunds that never exceed the charge.
import { chargeAnswer, decideCharge, decideRefund, orderIdOf } from './charge-rules';
import type { Charge } from './provider-objects';

const at = { id: 'ch_1', now: new Date('2030-01-02T03:04:05.900Z') };
const limits = { declineAboveCents: 5_000 };
const visa = { amount: 4_200, currency: 'EUR', source: 'tok_visa', metadata: { order_id: 'o-1' } };

const recorded = (decision: ReturnType<typeof decideCharge>): Charge => {
  if (decision.kind !== 'recorded') throw new Error(`expected a recorded charge, got ${JSON.stringify(decision.response)}`);
  return decision.charge;
};

describe('decideCharge', () => {
  it('records a succeeded charge on a good card, 201, created in unix seconds, currency lower-cased', () => {
    const decision = decideCharge(visa, limits, at);
    expect(decision.response.status).toBe(201);
    expect(recorded(decision)).toMatchObject({ id: 'ch_1', status: 'succeeded', paid: true, refunded: false, amount_refunded: 0, currency: 'eur', created: Date.parse('2030-01-02T03:04:05Z') / 1000 });
    expect(orderIdOf(recorded(decision))).toBe('o-1');
  });

  it('records a declined charge as failed and answers 402 card_error naming it', () => {
    const decision = decideCharge({ ...visa, source: 'tok_insufficientFunds' }, limits, at);
    expect(recorded(decision)).toMatchObject({ status: 'failed', paid: false, failure_code: 'insufficient_funds' });
    expect(decision.response).toEqual({
      status: 402,
      body: { error: { type: 'card_error', code: 'card_declined', decline_code: 'insufficient_funds', message: expect.any(String), charge: 'ch_1' } },
    });
  });

  it('declines above the limit whatever the token, and accepts the limit itself', () => {
    expect(recorded(decideCharge({ ...visa, amount: 5_000 }, limits, at)).status).toBe('succeeded');
    expect(recorded(decideCharge({ ...visa, amount: 5_001 }, limits, at)).failure_code).toBe('card_velocity_exceeded');
  });

  it('rejects an unknown token without recording anything', () => {
    const decision = decideCharge({ ...visa, source: 'tok_nope' }, limits, at);
    expect(decision).toEqual({ kind: 'rejected', response: expect.objectContaining({ status: 400 }) });
    expect(decision.response.body).toMatchObject({ error: { code: 'resource_missing', param: 'source' } });
  });

  it('has no order without metadata.order_id', () => {
    expect(orderIdOf(recorded(decideCharge({ ...visa, metadata: undefined }, limits, at)))).toBeNull();
  });
});

describe('decideRefund', () => {
  const charge = recorded(decideCharge(visa, limits, at));
  const refundAt = { id: 're_1', now: at.now };

  it('refunds what is left by default and marks the charge refunded', () => {
    const decision = decideRefund({ ...charge, amount_refunded: 1_000 }, { charge: 'ch_1' }, refundAt);
    expect(decision).toMatchObject({ kind: 'refunded', refund: { id: 're_1', amount: 3_200, charge: 'ch_1', currency: 'eur' }, charge: { amount_refunded: 4_200, refunded: true } });
    expect(decision.response.status).toBe(201);
  });

  it('refunds part of a charge, leaving it not refunded', () => {
    expect(decideRefund(charge, { charge: 'ch_1', amount: 1_000 }, refundAt)).toMatchObject({ charge: { amount_refunded: 1_000, refunded: false } });
  });

  it.each([
    ['an unknown charge', undefined, {}, 404, 'resource_missing'],
    ['more than is left', { ...charge, amount_refunded: 1_000 }, { amount: 3_201 }, 400, 'amount_too_large'],
    ['a fully refunded charge', { ...charge, amount_refunded: 4_200, refunded: true }, {}, 400, 'charge_already_refunded'],
    ['a declined charge', { ...charge, status: 'failed' as const, paid: false }, {}, 400, 'charge_not_refundable'],
  ])('refuses %s', (_what, target, extra, status, code) => {
    const decision = decideRefund(target, { charge: 'ch_1', ...extra }, refundAt);
    expect(decision.kind).toBe('rejected');
    expect(decision.response).toMatchObject({ status, body: { error: { code } } });
  });

  it('answers a charge as it stands: 402 for a failed one', () => {
    expect(chargeAnswer({ ...charge, status: 'failed', failure_code: 'expired_card' }).status).toBe(402);
  });
});
