// Component tests of reconciliation: the provider's books against payment's answers, repaired and noted, and readable by admins.
import { adminBearer, bearerFor } from '@saga/auth/testing';
import { routingKeys } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { randomUUID } from 'node:crypto';
import request from 'supertest';
import { providerChargeListSchema, reconciliationReportSchema } from './http/payment-admin.routes';
import { findPayment, markReconciledIfUnchanged } from './store/payment-repository';
import { reconcilePaymentsUseCase } from './app/reconcile-payments.use-case';
import { systemClock } from './app/clock';
import type { PaymentProvider } from './app/payment-provider.port';
import { paymentListSchema } from './http/payments.routes';
import { chargeCommand, closedPort, newOrderId, providerChargesFor, silentLogger, startProvider, startScenario, waitFor, type Scenario } from './testing/payment-harness';

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

it('marks every payment whose books agree with one statement, not a locked transaction each, and leaves one changed since it was read due', async () => {
  const own = await createPgliteClient();
  // Each locked transaction of the payment's own starts with its order's advisory lock: counted as the service runs them.
  let orderLocks = 0;
  const counting: SqlClient = {
    ...own,
    transaction: (work, options) =>
      own.transaction(
        (tx) =>
          work({
            ...tx,
            query: (sql, params) => {
              if (sql.includes('pg_advisory_xact_lock')) orderLocks += 1;
              return tx.query(sql, params);
            },
          }),
        options,
      ),
  };
  try {
    scenario = await startScenario(counting, provider.url);
    const orderIds = [newOrderId('agree'), newOrderId('agree'), newOrderId('agree')];
    for (const orderId of orderIds) await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
    for (const orderId of orderIds) await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));

    orderLocks = 0;
    expect((await reconcile(scenario).expect(200)).body).toEqual({ checked: 3, repairs: [], errors: [] });
    expect(orderLocks).toBe(0);
    // Marked: the next pass has nothing left to compare.
    expect((await reconcile(scenario).expect(200)).body).toEqual({ checked: 0, repairs: [], errors: [] });

    // A payment that changed after the pass read it is not marked: its new state is due for a look of its own.
    const [changed, unchanged] = orderIds;
    const stale = (await findPayment(own, changed!))!;
    await own.query("UPDATE payments SET updated_at = updated_at - interval '1 second', reconciled_at = NULL WHERE order_id = $1", [changed]);
    await own.query('UPDATE payments SET reconciled_at = NULL WHERE order_id = $1', [unchanged]);
    const current = (await findPayment(own, unchanged!))!;
    expect(await markReconciledIfUnchanged(own, [stale, current], new Date())).toBe(1);
    expect((await reconcile(scenario).expect(200)).body).toEqual({ checked: 1, repairs: [], errors: [] });
  } finally {
    await scenario?.stop();
    scenario = undefined;
    await own.close();
  }
});

it('a scheduled pass spreads its payments over its interval instead of asking the provider in one burst, and stops when told', async () => {
  const own = await createPgliteClient();
  try {
    scenario = await startScenario(own, provider.url);
    const orderIds = [newOrderId('paced'), newOrderId('paced'), newOrderId('paced')];
    for (const orderId of orderIds) await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
    for (const orderId of orderIds) await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
    const adapter = scenario.adapter;
    const lookups: number[] = [];
    const watched: PaymentProvider = {
      charge: (input) => adapter.charge(input),
      refund: (input) => adapter.refund(input),
      voidCharge: (key) => adapter.voidCharge(key),
      listCharges: (orderId) => (lookups.push(performance.now()), adapter.listCharges(orderId)),
    };
    // Batches of 2, at most 10 a pass: a pass spread over 1 s looks at one payment every 50 ms.
    const reconciler = reconcilePaymentsUseCase({ db: own, provider: watched, clock: systemClock, newId: randomUUID, logger: silentLogger }, { graceMs: 0, batchSize: 2 });
    expect(await reconciler.reconcileDue({ spreadOverMs: 1_000 })).toEqual({ checked: 3, repairs: [], errors: [] });
    expect(lookups).toHaveLength(3);
    expect(lookups[2]! - lookups[0]!).toBeGreaterThanOrEqual(95);

    // Told to stop (the service shutting down), a pass ends at its next pause: the payments it did not reach stay due.
    await own.query('UPDATE payments SET reconciled_at = NULL');
    const stop = new AbortController();
    const pass = reconciler.reconcileDue({ spreadOverMs: 60_000, signal: stop.signal });
    await waitFor(() => expect(lookups).toHaveLength(4));
    stop.abort();
    expect(await pass).toEqual({ checked: 1, repairs: [], errors: [] });
    expect(await reconciler.reconcileDue()).toEqual({ checked: 2, repairs: [], errors: [] });
  } finally {
    await scenario?.stop();
    scenario = undefined;
    await own.close();
  }
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
