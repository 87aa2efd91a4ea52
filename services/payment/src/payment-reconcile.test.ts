// Component tests of reconciliation: the provider's books against payment's answers, repaired and noted, and readable by admins.
import { adminBearer, bearerFor } from '@saga/auth/testing';
import { routingKeys } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import request from 'supertest';
import { providerChargeListSchema, reconciliationReportSchema } from './http/payment-admin.routes';
import { paymentListSchema } from './http/payments.routes';
import { chargeCommand, closedPort, newOrderId, providerChargesFor, startProvider, startScenario, waitFor, type Scenario } from './testing/payment-harness';

jest.setTimeout(30_000);

let db: SqlClient;
let provider: Awaited<ReturnType<typeof startProvider>>;
let scenario: Scenario | undefined;

beforeAll(async () => {
  db = await createPgliteClient();
  provider = await startProvider();
});
afterEach(async () => {
  await scenario?.stop();
  scenario = undefined;
});
afterAll(async () => {
  await provider.stop();
  await db.close();
});

const expectLength = <T>(items: T[], n: number) => {
  expect(items).toHaveLength(n);
  return items;
};

/** A charge made behind payment's back (another key), as a bug or a retried request from elsewhere would. */
async function strayCharge(orderId: string, amount: number): Promise<string> {
  const response = await fetch(`${provider.url}/v1/charges`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'idempotency-key': `stray:${orderId}` },
    body: JSON.stringify({ amount, currency: 'eur', source: 'tok_visa', metadata: { order_id: orderId } }),
  });
  expect(response.status).toBe(201);
  return ((await response.json()) as { id: string }).id;
}

const net = (charges: Awaited<ReturnType<typeof providerChargesFor>>) => charges.reduce((sum, c) => sum + (c.status === 'succeeded' ? c.amount - c.amount_refunded : 0), 0);
const reconcile = (s: Scenario, body: object = {}) => request(s.service.app).post('/admin/reconcile').set('Authorization', adminBearer()).send(body);

it('refunds money captured on an order cancelled as provider-unavailable, and notes it for the order', async () => {
  const down = await startScenario(db, `http://127.0.0.1:${await closedPort()}`);
  const orderId = newOrderId('stray');
  await down.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 120 }));
  await waitFor(() => expectLength(down.repliesFor(orderId), 1));
  await down.stop();
  const chargeId = await strayCharge(orderId, 120);

  scenario = await startScenario(db, provider.url);
  const report = await reconcile(scenario, { orderId }).expect(200);
  expect(report.body).toEqual({ checked: 1, repairs: [{ orderId, action: 'REFUNDED_CAPTURE', chargeId, amountCents: 120 }], errors: [] });
  expect(reconciliationReportSchema.parse(report.body)).toEqual(report.body);
  expect(net(await providerChargesFor(provider.url, orderId))).toBe(0);
  const [note] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  expect(note).toMatchObject({ type: 'PaymentReconciled', payload: { orderId, action: 'REFUNDED_CAPTURE', amountCents: 120, chargeId } });
  const payments = (await request(scenario.service.app).get('/payments').set('Authorization', adminBearer()).query({ orderId }).expect(200)).body;
  expect(paymentListSchema.parse(payments)).toEqual(payments);
  const payment = payments.items[0];
  expect(payment).toMatchObject({ status: 'REFUNDED', refundedCents: 120, failureReason: 'PROVIDER_UNAVAILABLE' });

  // Reconciling again finds the books in order: nothing more is refunded.
  expect((await reconcile(scenario, { orderId }).expect(200)).body).toEqual({ checked: 1, repairs: [], errors: [] });
});

it('flags an approved order whose capture is gone at the provider, and never charges it again', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('missing');
  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 300 }));
  await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  const [charge] = await providerChargesFor(provider.url, orderId);
  await fetch(`${provider.url}/v1/refunds`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': `manual:${orderId}` }, body: JSON.stringify({ charge: charge!.id }) });

  const report = await reconcile(scenario, { orderId }).expect(200);
  expect(report.body.repairs).toEqual([{ orderId, action: 'MISSING_CAPTURE', chargeId: charge!.id, amountCents: 300 }]);
  expect(reconciliationReportSchema.parse(report.body)).toEqual(report.body);
  expect(scenario.calls.charge).toBe(1);
  const [, note] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 2));
  expect(note).toMatchObject({ type: 'PaymentReconciled', payload: { action: 'MISSING_CAPTURE', amountCents: 300 } });
});

it('the scheduled pass repairs on its own, and a choreographed order gets its note on payments.events.v1', async () => {
  const down = await startScenario(db, `http://127.0.0.1:${await closedPort()}`);
  const orderId = newOrderId('scheduled');
  // A choreographed charge: the StockReserved path records the event channel; simplest through the use case's own adapter.
  await down.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 150 }));
  await waitFor(() => expectLength(down.repliesFor(orderId), 1));
  await down.stop();
  await db.query("UPDATE payments SET channel = 'event' WHERE order_id = $1", [orderId]);
  await strayCharge(orderId, 150);

  scenario = await startScenario(db, provider.url, {}, { reconciliation: { intervalMs: 50, graceMs: 0 } });
  await waitFor(async () => expect(net(await providerChargesFor(provider.url, orderId))).toBe(0));
  const [note] = await waitFor(() => expectLength(scenario!.eventsFor(orderId), 1));
  expect(note!.envelope).toMatchObject({ type: 'PaymentReconciled', payload: { action: 'REFUNDED_CAPTURE', amountCents: 150 } });
});

describe('GET /admin/provider/charges', () => {
  it("lists the provider's books for an order in the platform's words", async () => {
    scenario = await startScenario(db, provider.url);
    const orderId = newOrderId('books');
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 500 }));
    await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
    const response = await request(scenario.service.app).get('/admin/provider/charges').set('Authorization', adminBearer()).query({ orderId }).expect(200);
    expect(response.body).toEqual({ items: [{ chargeId: expect.stringMatching(/^ch_/), orderId, amountCents: 500, refundedCents: 0, status: 'CAPTURED' }] });
    expect(providerChargeListSchema.parse(response.body)).toEqual(response.body);
  });

  it('is admin only and needs an orderId', async () => {
    scenario = await startScenario(db, provider.url);
    await request(scenario.service.app).get('/admin/provider/charges').query({ orderId: 'x' }).expect(401);
    await request(scenario.service.app).get('/admin/provider/charges').set('Authorization', bearerFor('alice')).query({ orderId: 'x' }).expect(403);
    const missing = await request(scenario.service.app).get('/admin/provider/charges').set('Authorization', adminBearer()).expect(400);
    expect(missing.body.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    await request(scenario.service.app).post('/admin/reconcile').set('Authorization', bearerFor('alice')).send({}).expect(403);
    await request(scenario.service.app).post('/admin/reconcile').set('Authorization', adminBearer()).send({ orderId: 5 }).expect(400);
  });

  it('answers 503 when the provider cannot be read', async () => {
    scenario = await startScenario(db, `http://127.0.0.1:${await closedPort()}`);
    const response = await request(scenario.service.app).get('/admin/provider/charges').set('Authorization', adminBearer()).query({ orderId: 'x' }).expect(503);
    expect(response.body.error.code).toBe('PROVIDER_UNAVAILABLE');
  });
});
