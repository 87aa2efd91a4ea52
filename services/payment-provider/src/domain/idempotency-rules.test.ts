// Stripe's idempotency rule and the key void, as pure decisions over a key's stored state.
import { canonicalJson, decideKeyUse, decideVoid, endpoints, voidAnswer, type KeyState } from './idempotency-rules';
import type { Charge } from './provider-objects';

const unused: KeyState = { endpoint: null, fingerprint: null, response: null, voided: false };
const answered: KeyState = { endpoint: endpoints.charge, fingerprint: '{"amount":1}', response: { status: 201, body: { id: 'ch_1' } as Charge }, voided: false };
const charge = { id: 'ch_1', object: 'charge' } as Charge;

describe('canonicalJson', () => {
  it('sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { f: 1, e: 0 }], c: undefined } })).toBe('{"a":{"d":[2,{"e":0,"f":1}]},"b":1}');
  });
});

describe('decideKeyUse', () => {
  it('runs a request on an unused key', () => {
    expect(decideKeyUse('k', unused, endpoints.charge, '{}')).toEqual({ kind: 'fresh' });
  });

  it('replays the remembered answer for the same endpoint and parameters', () => {
    expect(decideKeyUse('k', answered, endpoints.charge, '{"amount":1}')).toEqual({ kind: 'replayed', response: answered.response });
  });

  it.each([
    ['other parameters', endpoints.charge, '{"amount":2}'],
    ['another endpoint', endpoints.refund, '{"amount":1}'],
  ])('refuses %s with 409 idempotency_key_in_use', (_what, endpoint, fingerprint) => {
    const decision = decideKeyUse('k', answered, endpoint, fingerprint);
    expect(decision).toMatchObject({ kind: 'refused', response: { status: 409, body: { error: { type: 'idempotency_error', code: 'idempotency_key_in_use' } } } });
  });

  it('refuses a voided key with 409 idempotency_key_voided, even for the parameters it first had', () => {
    expect(decideKeyUse('k', { ...answered, voided: true }, endpoints.charge, '{"amount":1}')).toMatchObject({
      kind: 'refused',
      response: { status: 409, body: { error: { type: 'invalid_request_error', code: 'idempotency_key_voided' } } },
    });
  });
});

describe('decideVoid', () => {
  it('is too late once the key made a charge', () => {
    expect(decideVoid('k', answered, charge)).toEqual({ kind: 'charged', charge });
  });

  it('voids an unused key, a voided one again, and a charge key whose request was rejected', () => {
    expect(decideVoid('k', unused, undefined)).toEqual({ kind: 'void' });
    expect(decideVoid('k', { ...unused, voided: true }, undefined)).toEqual({ kind: 'void' });
    expect(decideVoid('k', { ...answered, response: { status: 400, body: { error: { type: 'invalid_request_error', code: 'resource_missing', message: '' } } } }, undefined)).toEqual({ kind: 'void' });
  });

  it('refuses a key already used for a refund', () => {
    expect(decideVoid('k', { ...answered, endpoint: endpoints.refund }, undefined)).toMatchObject({ kind: 'refused', response: { status: 409 } });
  });

  it('answers Stripe-style: voided with no charge, or not voided with the charge', () => {
    expect(voidAnswer('k', null)).toEqual({ status: 200, body: { object: 'charge_void', idempotency_key: 'k', voided: true, charge: null } });
    expect(voidAnswer('k', charge).body).toEqual({ object: 'charge_void', idempotency_key: 'k', voided: false, charge });
  });
});
