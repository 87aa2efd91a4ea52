// The simulated provider as its clients see it, over HTTP on its (PGlite) books: charges, declines, idempotency, refunds, look-ups.
import request from 'supertest';
import { charge, refund, useProviderDb, visa } from './testing/provider-test-db';

describe('payment provider', () => {
  const { build } = useProviderDb();

  it('charges a good card: 201 with a ch_ id', async () => {
    const res = await charge(build(), 'k1', visa);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({ object: 'charge', amount: 4200, currency: 'eur', status: 'succeeded', paid: true, amount_refunded: 0 });
    expect(res.body.id).toMatch(/^ch_/);
    expect(res.body.created).toBe(Date.parse('2030-01-02T03:04:05Z') / 1000);
  });

  it.each([
    ['tok_chargeDeclined', 'generic_decline'],
    ['tok_insufficientFunds', 'insufficient_funds'],
    ['tok_expiredCard', 'expired_card'],
  ])('declines %s with 402 card_error %s', async (source, declineCode) => {
    const res = await charge(build(), 'k1', { ...visa, source });
    expect(res.status).toBe(402);
    expect(res.body.error).toMatchObject({ type: 'card_error', code: 'card_declined', decline_code: declineCode });
    expect(res.body.error.message).toEqual(expect.any(String));
  });

  it('declines amounts above the configured limit, even on a good card', async () => {
    const app = build({ declineAboveCents: 5000 });
    expect((await charge(app, 'small', { ...visa, amount: 5000 })).status).toBe(201);
    const res = await charge(app, 'big', { ...visa, amount: 5001 });
    expect(res.status).toBe(402);
    expect(res.body.error.decline_code).toBe('card_velocity_exceeded');
  });

  it('replays the first answer for the same key and body, without charging twice', async () => {
    const app = build();
    const first = await charge(app, 'charge:o-1', visa);
    const second = await charge(app, 'charge:o-1', { description: 'order o-1', source: 'tok_visa', currency: 'eur', amount: 4200 });
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(second.headers['idempotent-replayed']).toBe('true');
    const list = await request(app).get('/v1/charges');
    expect(list.body.data).toHaveLength(1);
  });

  it('replays a decline too', async () => {
    const app = build();
    const first = await charge(app, 'k', { ...visa, source: 'tok_chargeDeclined' });
    const second = await charge(app, 'k', { ...visa, source: 'tok_chargeDeclined' });
    expect(second.status).toBe(402);
    expect(second.body).toEqual(first.body);
  });

  it('answers 409 idempotency_error when a key is reused with another body', async () => {
    const app = build();
    await charge(app, 'k', visa);
    const res = await charge(app, 'k', { ...visa, amount: 1 });
    expect(res.status).toBe(409);
    expect(res.body.error.type).toBe('idempotency_error');
  });

  it('requires an Idempotency-Key and validates the body', async () => {
    const app = build();
    const noKey = await request(app).post('/v1/charges').send(visa);
    expect(noKey.status).toBe(400);
    expect(noKey.body.error).toMatchObject({ type: 'invalid_request_error', code: 'idempotency_key_required' });
    const bad = await charge(app, 'k', { ...visa, amount: 12.5 });
    expect(bad.status).toBe(400);
    expect(bad.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'amount' });
    const unknown = await charge(app, 'k2', { ...visa, source: 'tok_nope' });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error).toMatchObject({ code: 'resource_missing', param: 'source' });
  });

  it('refunds a charge, at most what was charged, idempotently', async () => {
    const app = build();
    const { body: ch } = await charge(app, 'c', visa);
    const partial = await refund(app, 'r1', { charge: ch.id, amount: 1000 });
    expect(partial.status).toBe(201);
    expect(partial.body).toMatchObject({ object: 'refund', charge: ch.id, amount: 1000, status: 'succeeded' });
    expect(partial.body.id).toMatch(/^re_/);
    expect((await refund(app, 'r1', { charge: ch.id, amount: 1000 })).body).toEqual(partial.body);

    const tooMuch = await refund(app, 'r2', { charge: ch.id, amount: 3201 });
    expect(tooMuch.status).toBe(400);
    expect(tooMuch.body.error.code).toBe('amount_too_large');

    const rest = await refund(app, 'r3', { charge: ch.id });
    expect(rest.body.amount).toBe(3200);
    const after = await request(app).get(`/v1/charges/${ch.id}`);
    expect(after.body).toMatchObject({ amount_refunded: 4200, refunded: true });
    expect((await refund(app, 'r4', { charge: ch.id })).body.error.code).toBe('charge_already_refunded');
  });

  it('refuses to refund a declined or unknown charge', async () => {
    const app = build();
    const declined = await charge(app, 'c', { ...visa, source: 'tok_chargeDeclined' });
    expect((await refund(app, 'r', { charge: declined.body.error.charge })).body.error.code).toBe('charge_not_refundable');
    expect((await refund(app, 'r2', { charge: 'ch_missing' })).status).toBe(404);
  });

  it('finds the charge an idempotency key created, and 404s unknown ids', async () => {
    const app = build();
    const { body: ch } = await charge(app, 'charge:o-9', visa);
    const found = await request(app).get('/v1/charges').query({ idempotency_key: 'charge:o-9' });
    expect(found.body).toMatchObject({ object: 'list', data: [{ id: ch.id, status: 'succeeded' }] });
    const none = await request(app).get('/v1/charges').query({ idempotency_key: 'charge:o-0' });
    expect(none.body.data).toEqual([]);
    expect((await request(app).get(`/v1/charges/${ch.id}`)).body.id).toBe(ch.id);
    expect((await request(app).get('/v1/charges/ch_nope')).status).toBe(404);
  });

  it('with latency, makes the charge first and answers late', async () => {
    const app = build({ latencyMs: 300 });
    const pending = charge(app, 'slow', visa).then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 100));
    const seen = await request(app).get('/v1/charges').query({ idempotency_key: 'slow' });
    expect(seen.body.data).toHaveLength(1);
    expect((await pending).status).toBe(201);
  });

  it('keeps its books in the database: a new app on the same database replays the key and refunds the charge', async () => {
    const first = await charge(build(), 'charge:o-7', visa);
    const restarted = build();
    const again = await charge(restarted, 'charge:o-7', visa);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    expect((await refund(restarted, 'refund:o-7', { charge: first.body.id })).body).toMatchObject({ amount: 4200 });
  });

  it('makes one charge for concurrent requests with one key, and replays it to the others', async () => {
    const app = build();
    const answers = await Promise.all([1, 2, 3].map(() => charge(app, 'race', visa)));
    expect(new Set(answers.map((res) => res.body.id)).size).toBe(1);
    expect(answers.filter((res) => res.headers['idempotent-replayed'] === 'true')).toHaveLength(2);
    expect((await request(app).get('/v1/charges')).body.data).toHaveLength(1);
  });

  it('is ready when its database answers', async () => {
    expect((await request(build()).get('/health/ready')).body).toMatchObject({ status: 'ready', checks: { database: { status: 'up' } } });
  });

  it('simulates an outage with 503 on every /v1 endpoint, health stays up', async () => {
    const app = build({ unavailable: true });
    expect((await charge(app, 'k', visa)).status).toBe(503);
    expect((await request(app).get('/health/live')).status).toBe(200);
  });
});
