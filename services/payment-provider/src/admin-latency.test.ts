// /admin/latency: only when enabled; a latency set at run time delays charge and refund answers, after the work is done.
import request from 'supertest';
import { charge, refund, useProviderDb, visa } from './testing/provider-test-db';

describe('admin latency', () => {
  const { build } = useProviderDb();

  it('is not mounted unless enabled', async () => {
    const app = build();
    expect((await request(app).get('/admin/latency')).status).toBe(404);
    expect((await request(app).post('/admin/latency').send({ latencyMs: 10 })).status).toBe(404);
  });

  it('reads and sets the latency, starting from latencyMs', async () => {
    const app = build({ adminEnabled: true, latencyMs: 25 });
    expect((await request(app).get('/admin/latency')).body).toEqual({ latencyMs: 25 });
    const set = await request(app).post('/admin/latency').send({ latencyMs: 120_000 });
    expect(set.status).toBe(200);
    expect(set.body).toEqual({ latencyMs: 120_000 });
    expect((await request(app).get('/admin/latency')).body).toEqual({ latencyMs: 120_000 });
  });

  it.each([[-1], [120_001], [1.5], ['100']])('refuses latencyMs %p with 400', async (latencyMs) => {
    const app = build({ adminEnabled: true });
    const res = await request(app).post('/admin/latency').send({ latencyMs });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'parameter_invalid', param: 'latencyMs' });
    expect((await request(app).get('/admin/latency')).body).toEqual({ latencyMs: 0 });
  });

  it('delays charges and refunds once set, and stops when set back to 0', async () => {
    const app = build({ adminEnabled: true });
    await request(app).post('/admin/latency').send({ latencyMs: 300 });
    let started = Date.now();
    const pending = charge(app, 'slow', visa).then((res) => res);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Recorded before the wait: a client that times out leaves a real charge behind.
    expect((await request(app).get('/v1/charges').query({ idempotency_key: 'slow' })).body.data).toHaveLength(1);
    const slow = await pending;
    expect(slow.status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    started = Date.now();
    expect((await refund(app, 'r', { charge: slow.body.id })).status).toBe(201);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);

    await request(app).post('/admin/latency').send({ latencyMs: 0 });
    started = Date.now();
    expect((await charge(app, 'fast', visa)).status).toBe(201);
    expect(Date.now() - started).toBeLessThan(250);
  });
});
