// Component tests of fault injection in payment: /admin/faults, and each rule's effect on charges, refunds and consumers.
import { adminBearer, bearerFor } from '@saga/auth/testing';
import { OrderCreated, StockReserved, routingKeys, topics, type MessageEnvelope } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { FaultInjector } from '@saga/faults';
import request from 'supertest';
import { paymentFaultOperations } from './faults';
import { chargeCommand, newOrderId, providerChargesFor, refundCommand, startProvider, startScenario, waitFor, type Scenario } from './testing/payment-harness';

jest.setTimeout(30_000);

let db: SqlClient;
let provider: Awaited<ReturnType<typeof startProvider>>;
let scenario: Scenario;
/** "The process dies" as the embedded mode has it: a throw, so the delivery is not acknowledged and comes back. */
const crashes: string[] = [];
const faults = new FaultInjector({
  service: 'payment',
  operations: paymentFaultOperations,
  crash: (operation) => {
    crashes.push(operation);
    throw new Error(`crashed in ${operation}`);
  },
});

beforeAll(async () => {
  db = await createPgliteClient();
  provider = await startProvider();
});
beforeEach(async () => {
  faults.clear();
  crashes.length = 0;
  scenario = await startScenario(db, provider.url, {}, { faults });
});
afterEach(() => scenario.stop());
afterAll(async () => {
  await provider.stop();
  await db.close();
});

const addRule = (rule: object) => request(scenario.service.app).post('/admin/faults').set('Authorization', adminBearer()).send(rule).expect(201);
const paymentOf = async (orderId: string) => (await request(scenario.service.app).get('/payments').set('Authorization', adminBearer()).query({ orderId })).body.items[0];
const settle = () => new Promise((resolve) => setTimeout(resolve, 200));
const publish = (topic: string, envelope: MessageEnvelope) => scenario.eventLog.publish(topic, [{ key: envelope.correlationId, envelope }]);

/** Waits for `count` replies about the order, then a little longer to be sure no extra one follows. */
async function awaitReplies(orderId: string, count: number): Promise<MessageEnvelope[]> {
  await waitFor(() => expect(scenario.repliesFor(orderId).length).toBeGreaterThanOrEqual(count));
  await settle();
  expect(scenario.repliesFor(orderId)).toHaveLength(count);
  return scenario.repliesFor(orderId);
}

describe('/admin/faults', () => {
  it('adds a rule (201 with an id), lists it, deletes it (204), then 404', async () => {
    const created = await addRule({ operation: 'charge', effect: 'timeout', delayMs: 10, probability: 0.5 });
    expect(created.body).toMatchObject({ id: expect.any(String), service: 'payment', operation: 'charge', effect: 'timeout', delayMs: 10, probability: 0.5, triggered: 0 });

    const listed = await request(scenario.service.app).get('/admin/faults').set('Authorization', adminBearer()).expect(200);
    expect(listed.body.operations.map((o: { name: string }) => o.name)).toEqual(['charge', 'refund', 'commands', 'events', 'consumer']);
    expect(listed.body.items).toEqual([created.body]);

    await request(scenario.service.app).delete(`/admin/faults/${created.body.id}`).set('Authorization', adminBearer()).expect(204);
    const again = await request(scenario.service.app).delete(`/admin/faults/${created.body.id}`).set('Authorization', adminBearer()).expect(404);
    expect(again.body.error).toMatchObject({ code: 'FAULT_RULE_NOT_FOUND' });
    const after = await request(scenario.service.app).get('/admin/faults').set('Authorization', adminBearer()).expect(200);
    expect(after.body.items).toEqual([]);
  });

  it.each([
    [{ operation: 'reserve', effect: 'error' }, 'unknown operation "reserve"; this service has: charge, refund, commands, events, consumer'],
    [{ operation: 'charge', effect: 'duplicate' }, 'effect duplicate does not apply to charge (a step); use one of: error, delay, timeout'],
    [{ operation: 'refund', effect: 'crash-after-commit' }, 'effect crash-after-commit does not apply to refund (a step); use one of: error, delay, timeout'],
  ])('rejects %j with 400 INVALID_FAULT_RULE', async (rule, message) => {
    const res = await request(scenario.service.app).post('/admin/faults').set('Authorization', adminBearer()).send(rule).expect(400);
    expect(res.body.error).toMatchObject({ code: 'INVALID_FAULT_RULE', message });
    expect(faults.list()).toEqual([]);
  });

  it('is admin only: no token → 401, a customer → 403', async () => {
    await request(scenario.service.app).post('/admin/faults').send({ operation: 'charge', effect: 'error' }).expect(401);
    const res = await request(scenario.service.app).post('/admin/faults').set('Authorization', bearerFor('alice')).send({ operation: 'charge', effect: 'error' }).expect(403);
    expect(res.body.error).toMatchObject({ code: 'FORBIDDEN' });
    await request(scenario.service.app).get('/admin/faults').set('Authorization', bearerFor('alice')).expect(403);
    expect(faults.list()).toEqual([]);
  });
});

describe('charge', () => {
  it('error: PaymentFailed(PROVIDER_UNAVAILABLE) naming the fault, the provider never called, nothing charged', async () => {
    const rule = await addRule({ operation: 'charge', effect: 'error', times: 1 });
    const orderId = newOrderId('fault-charge');
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));

    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'PROVIDER_UNAVAILABLE', message: expect.stringContaining(`fault injected on charge (rule ${rule.body.id})`) } });
    expect(scenario.calls.charge).toBe(0);
    expect(await providerChargesFor(provider.url, orderId)).toEqual([]);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'FAILED', failureReason: 'PROVIDER_UNAVAILABLE' });
  });

  it('error on a StockReserved event (choreography): PaymentFailed on payments.events.v1, the provider never called', async () => {
    await addRule({ operation: 'charge', effect: 'error', times: 1 });
    const orderId = newOrderId('fault-ev');
    await publish(topics.orderEvents, OrderCreated.create(
      { orderId, sagaId: orderId, customerId: 'cust-9', lines: [{ sku: 'SKU-APPLE', quantity: 2 }], totalCents: 3100, currency: 'EUR', paymentToken: 'tok_visa' },
      { correlationId: orderId },
    ));
    await publish(topics.inventoryEvents, StockReserved.create({ orderId, sagaId: orderId, lines: [{ sku: 'SKU-APPLE', quantity: 2 }] }, { correlationId: orderId }));

    await waitFor(() => expect(scenario.eventsFor(orderId)).toHaveLength(1));
    expect(scenario.eventsFor(orderId)[0]!.envelope).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'PROVIDER_UNAVAILABLE' } });
    expect(scenario.calls.charge).toBe(0);
  });

  it('timeout: answered like a provider timeout (TIMEOUT, outcome unknown), the provider never called', async () => {
    await addRule({ operation: 'charge', effect: 'timeout', delayMs: 10, times: 1 });
    const orderId = newOrderId('fault-timeout');
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));

    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'TIMEOUT', message: expect.stringContaining('outcome unknown') } });
    expect(scenario.calls.charge).toBe(0);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'FAILED', failureReason: 'TIMEOUT' });
  });

  it('delay only slows the charge down', async () => {
    await addRule({ operation: 'charge', effect: 'delay', delayMs: 20, times: 1 });
    const orderId = newOrderId('fault-delay');
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'PaymentCompleted' });
    expect(scenario.calls.charge).toBe(1);
  });
});

describe('refund', () => {
  it('error with times 2: the RefundPayment delivery is retried, then refunds exactly once', async () => {
    const orderId = newOrderId('fault-refund');
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 1999 }));
    await awaitReplies(orderId, 1);
    const rule = await addRule({ operation: 'refund', effect: 'error', times: 2 });

    await scenario.bus.send(routingKeys.refund, refundCommand(orderId));
    const [, reply] = await awaitReplies(orderId, 2);
    expect(reply).toMatchObject({ type: 'PaymentRefunded', payload: { amountCents: 1999 } });
    expect(scenario.calls.refund).toBe(1);
    expect(await providerChargesFor(provider.url, orderId)).toEqual([expect.objectContaining({ amount: 1999, amount_refunded: 1999 })]);
    expect(faults.list().find((r) => r.id === rule.body.id)).toBeUndefined();
    expect(await scenario.bus.peekDeadLetters()).toEqual([]);
  });
});

describe('consumer', () => {
  it('duplicate runs the handler twice: one provider charge, one payment, one reply', async () => {
    await addRule({ operation: 'consumer', effect: 'duplicate', times: 1 });
    const orderId = newOrderId('fault-dup');
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));

    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'PaymentCompleted' });
    expect(scenario.calls.charge).toBe(1);
    expect(await providerChargesFor(provider.url, orderId)).toHaveLength(1);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'CHARGED' });
  });

  it('crash-after-commit: charged once; the redelivery and a re-sent copy neither charge nor reply again', async () => {
    await addRule({ operation: 'consumer', effect: 'crash-after-commit', times: 1 });
    const orderId = newOrderId('fault-crash');
    const command = chargeCommand(orderId);
    await scenario.bus.send(routingKeys.charge, command);
    await waitFor(() => expect(crashes).toEqual(['consumer']));
    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'PaymentCompleted' });

    // As a restarted consumer would get it: the same envelope again.
    await scenario.bus.send(routingKeys.charge, command);
    await awaitReplies(orderId, 1);
    expect(scenario.calls.charge).toBe(1);
    expect(await providerChargesFor(provider.url, orderId)).toEqual([expect.objectContaining({ status: 'succeeded', amount: 4200 })]);
    expect(await scenario.bus.peekDeadLetters()).toEqual([]);
  });
  it('charge error then crash-after-commit: the redelivered ChargePayment finds it handled and never reaches the provider', async () => {
    // The reproduction: PROVIDER_UNAVAILABLE is answered (the saga cancels without a refund), the process dies
    // before the ack, the provider is healthy again when the same message comes back.
    await addRule({ operation: 'charge', effect: 'error', times: 1 });
    await addRule({ operation: 'consumer', effect: 'crash-after-commit', times: 1 });
    const orderId = newOrderId('fault-redelivered');
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 120 }));
    await waitFor(() => expect(crashes).toEqual(['consumer']));
    const [reply] = await awaitReplies(orderId, 1);
    expect(reply).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'PROVIDER_UNAVAILABLE' } });
    await settle();

    expect(scenario.calls.charge).toBe(0);
    expect(await providerChargesFor(provider.url, orderId)).toEqual([]);
    expect(await paymentOf(orderId)).toMatchObject({ status: 'FAILED', failureReason: 'PROVIDER_UNAVAILABLE' });
  });
  it('the same window in choreography: a StockReserved redelivered after its PROVIDER_UNAVAILABLE was committed charges nothing', async () => {
    const orderId = newOrderId('fault-ev-redelivered');
    await publish(topics.orderEvents, OrderCreated.create(
      { orderId, sagaId: orderId, customerId: 'cust-9', lines: [{ sku: 'SKU-APPLE', quantity: 1 }], totalCents: 120, currency: 'EUR', paymentToken: 'tok_visa' },
      { correlationId: orderId },
    ));
    await waitFor(async () => expect((await db.query('SELECT 1 FROM charge_requests WHERE order_id = $1', [orderId])).rowCount).toBe(1));
    // Armed now, so both fire on the StockReserved: the events-only consumer rule leaves the OrderCreated alone.
    await addRule({ operation: 'charge', effect: 'error', times: 1 });
    await addRule({ operation: 'events', effect: 'crash-after-commit', times: 1 });
    await publish(topics.inventoryEvents, StockReserved.create({ orderId, sagaId: orderId, lines: [{ sku: 'SKU-APPLE', quantity: 1 }] }, { correlationId: orderId }));

    await waitFor(() => expect(crashes).toEqual(['events']));
    await waitFor(() => expect(scenario.eventsFor(orderId)).toHaveLength(1));
    await settle();
    expect(scenario.eventsFor(orderId)).toHaveLength(1);
    expect(scenario.eventsFor(orderId)[0]!.envelope).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'PROVIDER_UNAVAILABLE' } });
    expect(scenario.calls.charge).toBe(0);
    expect(await providerChargesFor(provider.url, orderId)).toEqual([]);
  });
});
