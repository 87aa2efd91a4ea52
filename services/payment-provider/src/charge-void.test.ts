// POST /v1/charges/void: a key that has not charged yet is voided for good; one that has answers with its charge.
import { charge, chargesOfOrder, useProviderDb, visa, voidKey } from './testing/provider-test-db';

describe('voiding a charge key', () => {
  const { build } = useProviderDb();
  const order = { ...visa, metadata: { order_id: 'o-1' } };

  it('voids an unused key, answers the same when voided again, and then refuses to charge with it', async () => {
    const app = build();
    const voided = { object: 'charge_void', idempotency_key: 'charge:o-1', voided: true, charge: null };
    const first = await voidKey(app, { idempotency_key: 'charge:o-1' });
    expect(first.status).toBe(200);
    expect(first.body).toEqual(voided);
    expect((await voidKey(app, { idempotency_key: 'charge:o-1' })).body).toEqual(voided);

    const late = await charge(app, 'charge:o-1', order);
    expect(late.status).toBe(409);
    expect(late.body.error).toEqual({ type: 'invalid_request_error', code: 'idempotency_key_voided', message: expect.any(String) });
    expect((await chargesOfOrder(app, 'o-1')).body.data).toEqual([]);
  });

  it('does not void a key that made a charge: it answers with the charge, to be refunded instead', async () => {
    const app = build();
    const { body: ch } = await charge(app, 'charge:o-1', order);
    const res = await voidKey(app, { idempotency_key: 'charge:o-1' });
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ object: 'charge_void', idempotency_key: 'charge:o-1', voided: false, charge: ch });
    expect((await charge(app, 'charge:o-1', order)).headers['idempotent-replayed']).toBe('true');
  });

  it('is race-free against a charge with the same key: either the charge or the void wins, never both', async () => {
    const app = build();
    const [charged, voided] = await Promise.all([charge(app, 'race', order), voidKey(app, { idempotency_key: 'race' })]);
    const charges = (await chargesOfOrder(app, 'o-1')).body.data;
    if (voided.body.voided) {
      expect(charged.status).toBe(409);
      expect(charges).toEqual([]);
    } else {
      expect(charged.status).toBe(201);
      expect(voided.body.charge.id).toBe(charged.body.id);
      expect(charges).toHaveLength(1);
    }
  });

  it.each([
    ['no key', {}],
    ['an empty key', { idempotency_key: '' }],
    ['a key over 255 characters', { idempotency_key: 'k'.repeat(256) }],
  ])('answers 400 parameter_invalid for %s', async (_what, body) => {
    const res = await voidKey(build(), body);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'idempotency_key' });
  });
});
