// The whole orchestrated flow in one process: the order service and the three participants on PGlite and the in-memory bus
// (the embedded platform), each service reached at its own URL.
import { adminBearer, bearerFor } from '@saga/auth/testing';
import { createMetrics } from '@saga/metrics';
import { metricValue } from '@saga/metrics/testing';
import { notificationListSchema } from '@saga/notification-service';
import { orderPageSchema, orderViewSchema, placedOrderSchema } from '@saga/order-service';
import { paymentListSchema } from '@saga/payment-service';
import { eventually } from '@saga/resilience';
import request from 'supertest';
import type { EmbeddedPlatform } from './embedded-platform';
import { startTestPlatform } from './testing/test-platform';

jest.setTimeout(60_000);

describe('orchestrated order flow (in-process, in-memory bus, PGlite)', () => {
  let platform: EmbeddedPlatform;
  let orderUrl = '';
  let inventoryUrl = '';
  let paymentUrl = '';
  let notificationUrl = '';
  // The process's one registry, as npm start has: the order service records its saga instruments under service="order".
  const metrics = createMetrics({ service: 'embedded', defaultMetrics: false });
  const metric = (series: string) => metricValue(metrics, series);
  const completed = (outcome: string, reason: string) => metric(`saga_completed_total{service="order",mode="orchestration",outcome="${outcome}",reason="${reason}"}`);
  const compensations = (step: string) => metric(`saga_compensations_total{service="order",step="${step}"}`);
  const started = () => metric('saga_started_total{service="order",mode="orchestration"}');

  beforeAll(async () => {
    platform = await startTestPlatform({ stepTimeoutMs: 5_000, metrics });
    ({ order: orderUrl, inventory: inventoryUrl, payment: paymentUrl, notification: notificationUrl } = platform.urls);
  });

  afterAll(() => platform?.stop());

  const place = (customer: string, body: object) => request(orderUrl).post('/orders').set('Authorization', bearerFor(customer)).send(body);
  const finalOrder = (customer: string, orderId: string) =>
    eventually(async () => {
      const response = await request(orderUrl).get(`/orders/${orderId}`).set('Authorization', bearerFor(customer));
      expect(['APPROVED', 'CANCELLED']).toContain(response.body.status);
      return response.body;
    }, 20_000);
  const stock = async (sku: string) => (await request(inventoryUrl).get(`/products/${sku}`)).body.available as number;

  it('approves an order: stock taken, one charge, one confirmation', async () => {
    const before = await stock('SKU-APPLE');
    const placed = await place('alice', { items: [{ sku: 'SKU-APPLE', quantity: 3 }] });
    expect(placed.status).toBe(202);
    expect(placedOrderSchema.parse(placed.body)).toEqual(placed.body);
    expect(placed.body).toMatchObject({ status: 'PENDING', sagaMode: 'orchestration', totalCents: 360 });
    const final = await finalOrder('alice', placed.body.orderId);
    expect(final.status).toBe('APPROVED');
    expect(orderViewSchema.parse(final)).toEqual(final);
    expect(await stock('SKU-APPLE')).toBe(before - 3);
    const payments = (await request(paymentUrl).get(`/payments?orderId=${placed.body.orderId}`).set('Authorization', adminBearer())).body.items;
    expect(payments).toEqual([expect.objectContaining({ status: 'CHARGED', amountCents: 360 })]);
    await eventually(async () => {
      const notes = (await request(notificationUrl).get(`/notifications?orderId=${placed.body.orderId}`).set('Authorization', adminBearer())).body.items;
      expect(notes.map((note: { kind: string }) => note.kind)).toEqual(['ORDER_CONFIRMED']);
    });
    // The saga instruments, recorded after each commit: the first order of this file, so every count is this saga's.
    // The saga ends APPROVED once the confirmation was sent, a moment after the order was approved.
    await eventually(async () => expect(await completed('APPROVED', 'none')).toBe(1));
    expect(await started()).toBe(1);
    expect(await metric('saga_duration_seconds_count{service="order",mode="orchestration",outcome="APPROVED"}')).toBe(1);
    for (const step of ['RESERVE_STOCK', 'CHARGE_PAYMENT', 'NOTIFY_CONFIRMED']) {
      expect(await metric(`saga_step_duration_seconds_count{service="order",step="${step}",result="SUCCEEDED"}`)).toBe(1);
    }
    expect(await metrics.registry.metrics()).not.toContain('saga_compensations_total{');
    expect(await metrics.registry.metrics()).not.toContain(placed.body.orderId);
  });

  it("shows a customer their own payment and notifications, and another customer nothing", async () => {
    const placed = await place('alice', { items: [{ sku: 'SKU-APPLE', quantity: 1 }] });
    await finalOrder('alice', placed.body.orderId);
    const orderId = placed.body.orderId as string;
    // Each list is checked against its documented schema: a customer's view (no internals) and an admin's.
    const paymentsAs = async (who: string, token = bearerFor(who)) => {
      const body = (await request(paymentUrl).get(`/payments?orderId=${orderId}`).set('Authorization', token).expect(200)).body;
      expect(paymentListSchema.parse(body)).toEqual(body);
      return body.items;
    };
    const noticesAs = async (who: string, token = bearerFor(who)) => {
      const body = (await request(notificationUrl).get(`/notifications?orderId=${orderId}`).set('Authorization', token).expect(200)).body;
      expect(notificationListSchema.parse(body)).toEqual(body);
      return body.items;
    };
    expect(await paymentsAs('admin', adminBearer())).toHaveLength(1);
    await eventually(async () => expect(await noticesAs('admin', adminBearer())).toHaveLength(1));
    expect(await paymentsAs('alice')).toEqual([expect.objectContaining({ orderId, customerId: 'alice', status: 'CHARGED' })]);
    expect(await paymentsAs('bob')).toEqual([]);
    // alice has two orders by now: a page of one has a next page (nextCursor).
    const firstPage = (await request(orderUrl).get('/orders?limit=1').set('Authorization', bearerFor('alice')).expect(200)).body;
    expect(firstPage.nextCursor).toEqual(expect.any(String));
    expect(orderPageSchema.parse(firstPage)).toEqual(firstPage);
    await eventually(async () => expect(await noticesAs('alice')).toEqual([expect.objectContaining({ orderId, kind: 'ORDER_CONFIRMED' })]));
    expect(await noticesAs('bob')).toEqual([]);
    expect((await request(orderUrl).get(`/orders/${orderId}`).set('Authorization', bearerFor('bob'))).status).toBe(404);
  });

  it('trusts no identity header: reached directly, every service wants a valid token', async () => {
    const asHeader = { 'X-User-Id': 'alice', 'X-User-Roles': 'admin' };
    for (const [url, path] of [[orderUrl, '/orders'], [paymentUrl, '/payments?orderId=x'], [notificationUrl, '/notifications?orderId=x']] as const) {
      const response = await request(url).get(path).set(asHeader);
      expect(response.status).toBe(401);
      expect(response.headers['www-authenticate']).toBe('Bearer realm="saga-api"');
      expect(response.body.error.code).toBe('MISSING_TOKEN');
    }
    const replay = await request(orderUrl).post('/admin/orders/00000000-0000-4000-8000-000000000000/retry-compensation').set('Authorization', bearerFor('alice'));
    expect(replay.status).toBe(403);
  });

  it('cancels a declined order after giving the stock back (C2 before C1), charging nothing', async () => {
    const before = await stock('SKU-TEA');
    const [declinedBefore, releasesBefore, cancelsBefore, failedChargesBefore] = [await completed('CANCELLED', 'PAYMENT_DECLINED'), await compensations('RELEASE_STOCK'), await compensations('CANCEL_ORDER'), await metric('saga_step_duration_seconds_count{service="order",step="CHARGE_PAYMENT",result="FAILED"}')];
    const placed = await place('bob', { items: [{ sku: 'SKU-TEA', quantity: 2 }], paymentToken: 'tok_chargeDeclined' });
    const final = await finalOrder('bob', placed.body.orderId);
    expect(final).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' });
    expect(orderViewSchema.parse(final)).toEqual(final);
    const steps = final.history.map((entry: { step: string; status: string }) => `${entry.step}:${entry.status}`);
    expect(steps.indexOf('RELEASE_STOCK:SUCCEEDED')).toBeGreaterThan(-1);
    expect(steps.indexOf('RELEASE_STOCK:SUCCEEDED')).toBeLessThan(steps.indexOf('CANCEL_ORDER:SUCCEEDED'));
    expect(await stock('SKU-TEA')).toBe(before);
    const declined = (await request(paymentUrl).get(`/payments?orderId=${placed.body.orderId}`).set('Authorization', adminBearer())).body;
    expect(paymentListSchema.parse(declined)).toEqual(declined);
    expect(declined.items.map((payment: { status: string }) => payment.status)).toEqual(['DECLINED']);
    // Ends CANCELLED once the cancellation notice was sent: by then C2, C1 and C4 were each begun once, nothing refunded.
    await eventually(async () => expect(await completed('CANCELLED', 'PAYMENT_DECLINED')).toBe(declinedBefore + 1));
    expect(await compensations('RELEASE_STOCK')).toBe(releasesBefore + 1);
    expect(await compensations('CANCEL_ORDER')).toBe(cancelsBefore + 1);
    expect(await compensations('REFUND_PAYMENT')).toBe(0);
    expect(await metric('saga_step_duration_seconds_count{service="order",step="CHARGE_PAYMENT",result="FAILED"}')).toBe(failedChargesBefore + 1);
    expect(await metric('saga_duration_seconds_count{service="order",mode="orchestration",outcome="CANCELLED"}')).toBeGreaterThanOrEqual(1);
  });

  it('cancels an order for more than is in stock, with the reason, leaving stock unchanged', async () => {
    const before = await stock('SKU-RARE');
    const outOfStockBefore = await completed('CANCELLED', 'OUT_OF_STOCK');
    const placed = await place('carol', { items: [{ sku: 'SKU-RARE', quantity: before + 1 }] });
    const final = await finalOrder('carol', placed.body.orderId);
    expect(final).toMatchObject({ status: 'CANCELLED', failureReason: 'OUT_OF_STOCK' });
    expect(await stock('SKU-RARE')).toBe(before);
    expect((await request(paymentUrl).get(`/payments?orderId=${placed.body.orderId}`).set('Authorization', adminBearer())).body.items).toEqual([]);
    await eventually(async () => expect(await completed('CANCELLED', 'OUT_OF_STOCK')).toBe(outOfStockBefore + 1));
  });

  it('answers a retried request with the same order, and refuses the key for another request', async () => {
    const body = { items: [{ sku: 'SKU-BREAD', quantity: 1 }] };
    const startedBefore = await started();
    const first = await place('dave', body).set('Idempotency-Key', 'k-1');
    const again = await place('dave', body).set('Idempotency-Key', 'k-1');
    expect(again.status).toBe(202);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(first.body);
    const other = await place('dave', { items: [{ sku: 'SKU-BREAD', quantity: 2 }] }).set('Idempotency-Key', 'k-1');
    expect(other.status).toBe(409);
    expect(other.body.error.code).toBe('IDEMPOTENCY_KEY_REUSED');
    const listed = await request(orderUrl).get('/orders').set('Authorization', bearerFor('dave'));
    expect(listed.body.items).toHaveLength(1);
    expect(orderPageSchema.parse(listed.body)).toEqual(listed.body);
    // One saga started: the replay and the refused request start none.
    expect(await started()).toBe(startedBefore + 1);
  });

  it.each([
    ['empty items', { items: [] }, 400],
    ['quantity 0', { items: [{ sku: 'SKU-TEA', quantity: 0 }] }, 400],
    ['quantity -1', { items: [{ sku: 'SKU-TEA', quantity: -1 }] }, 400],
    ['quantity 1.5', { items: [{ sku: 'SKU-TEA', quantity: 1.5 }] }, 400],
    ['unknown sagaMode', { items: [{ sku: 'SKU-TEA', quantity: 1 }], sagaMode: 'telepathy' }, 400],
    ['too many lines', { items: Array.from({ length: 21 }, () => ({ sku: 'SKU-TEA', quantity: 1 })) }, 400],
    ['unknown sku', { items: [{ sku: 'SKU-NOPE', quantity: 1 }] }, 422],
  ])('rejects %s with a JSON error and writes nothing', async (_name, body, status) => {
    const response = await place('erin', body);
    expect(response.status).toBe(status);
    expect(response.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String) }));
    expect((await request(orderUrl).get('/orders').set('Authorization', bearerFor('erin'))).body.items).toEqual([]);
  });

  it('rejects malformed JSON, and a caller without an identity', async () => {
    const malformed = await request(orderUrl).post('/orders').set('Authorization', bearerFor('erin')).set('content-type', 'application/json').send('{"items": [');
    expect(malformed.status).toBe(400);
    expect((await request(orderUrl).post('/orders').send({ items: [{ sku: 'SKU-TEA', quantity: 1 }] })).status).toBe(401);
  });

  it("hides another customer's order", async () => {
    const placed = await place('frank', { items: [{ sku: 'SKU-BREAD', quantity: 1 }] });
    expect((await request(orderUrl).get(`/orders/${placed.body.orderId}`).set('Authorization', bearerFor('mallory'))).status).toBe(404);
  });
});
