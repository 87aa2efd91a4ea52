// An order's books: GET /v1/charges?order_id= lists every charge whose metadata.order_id is that order, newest first.
import request from 'supertest';
import { charge, chargesOfOrder, refund, useProviderDb, visa } from './testing/provider-test-db';

describe('charges by order', () => {
  const { build } = useProviderDb();
  const forOrder = (orderId: string) => ({ ...visa, metadata: { order_id: orderId } });

  it('lists every charge of the order, newest first, with what was refunded', async () => {
    const app = build();
    const declined = await charge(app, 'k1', { ...forOrder('o-1'), source: 'tok_chargeDeclined' });
    const paid = await charge(app, 'k2', forOrder('o-1'));
    await charge(app, 'k3', forOrder('o-2'));
    await charge(app, 'k4', visa);
    await refund(app, 'r1', { charge: paid.body.id, amount: 200 });

    const res = await chargesOfOrder(app, 'o-1');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      object: 'list',
      url: '/v1/charges',
      has_more: false,
      data: [
        expect.objectContaining({ id: paid.body.id, amount: 4200, amount_refunded: 200, refunded: false, status: 'succeeded', metadata: { order_id: 'o-1' } }),
        expect.objectContaining({ id: declined.body.error.charge, amount_refunded: 0, refunded: false, status: 'failed', metadata: { order_id: 'o-1' } }),
      ],
    });
  });

  it('lists nothing for an order it never charged', async () => {
    expect((await chargesOfOrder(build(), 'o-none')).body.data).toEqual([]);
  });

  it('combined with idempotency_key: the key’s charge if it belongs to the order', async () => {
    const app = build();
    const { body: ch } = await charge(app, 'charge:o-3', forOrder('o-3'));
    expect((await request(app).get('/v1/charges').query({ order_id: 'o-3', idempotency_key: 'charge:o-3' })).body.data).toEqual([expect.objectContaining({ id: ch.id })]);
    expect((await request(app).get('/v1/charges').query({ order_id: 'o-4', idempotency_key: 'charge:o-3' })).body.data).toEqual([]);
  });

  it.each([
    ['empty', ''],
    ['longer than 200 characters', 'x'.repeat(201)],
  ])('answers 400 parameter_invalid for an order_id that is %s', async (_what, orderId) => {
    const res = await chargesOfOrder(build(), orderId);
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ type: 'invalid_request_error', code: 'parameter_invalid', param: 'order_id' });
  });
});
