// Component tests of charging: the payment service on PGlite and the in-memory bus, the real provider over HTTP.
import { adminBearer } from '@saga/auth/testing';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { routingKeys } from '@saga/contracts';
import request from 'supertest';
import {
  chargeCommand,
  closedPort,
  newOrderId,
  providerChargesFor,
  startProvider,
  startScenario,
  waitFor,
  type Scenario,
} from './testing/payment-harness';

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

const paymentsOf = async (s: Scenario, orderId: string) => (await request(s.service.app).get('/payments').set('Authorization', adminBearer()).query({ orderId })).body.items;

it('charges a good card: CHARGED, and PaymentCompleted goes to the saga reply queue', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('ok');
  const command = chargeCommand(orderId);
  await scenario.bus.send(routingKeys.charge, command);

  const [reply] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  expect(reply).toMatchObject({ type: 'PaymentCompleted', correlationId: orderId, causationId: command.messageId, payload: { orderId, amountCents: 4200 } });
  const [payment] = await paymentsOf(scenario, orderId);
  expect(payment).toMatchObject({ orderId, customerId: 'cust-1', amountCents: 4200, status: 'CHARGED', paymentId: (reply!.payload as { paymentId: string }).paymentId });
  expect(payment.failureReason).toBeUndefined();
  expect(await providerChargesFor(provider.url, orderId)).toEqual([expect.objectContaining({ status: 'succeeded', amount: 4200 })]);
});

it('a declined card is DECLINED with PaymentFailed(DECLINED), never CHARGED, and does not trip the breaker', async () => {
  scenario = await startScenario(db, provider.url, { breaker: { volumeThreshold: 2 } });
  const orderIds = [newOrderId('declined'), newOrderId('declined'), newOrderId('declined')];
  for (const orderId of orderIds) await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { paymentToken: 'tok_chargeDeclined' }));

  await waitFor(() => expectLength(scenario!.replies, 3));
  for (const orderId of orderIds) {
    expect(scenario.repliesFor(orderId)).toEqual([expect.objectContaining({ type: 'PaymentFailed', payload: expect.objectContaining({ reason: 'DECLINED' }) })]);
    expect((await paymentsOf(scenario, orderId))[0]).toMatchObject({ status: 'DECLINED', failureReason: 'DECLINED' });
  }
  expect(scenario.adapter.breakerState()).toBe('closed');
});

it('declines an amount above the provider limit and passes the decline code on', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('big');
  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 100_001 }));
  const [reply] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  expect(reply!.payload).toMatchObject({ reason: 'DECLINED', message: expect.stringContaining('card_velocity_exceeded') });
});

it('a duplicate ChargePayment charges once: a redelivery is skipped, a new command replays the outcome', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('dup');
  const command = chargeCommand(orderId);
  await scenario.bus.send(routingKeys.charge, command);
  await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));

  await scenario.bus.send(routingKeys.charge, command); // the same message again: deduplicated, no second reply
  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId)); // a new command for the same order: replayed
  const replies = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 2));
  await new Promise((resolve) => setTimeout(resolve, 200));

  expect(scenario.repliesFor(orderId)).toHaveLength(2);
  expect(replies.map((r) => r.type)).toEqual(['PaymentCompleted', 'PaymentCompleted']);
  expect(replies[1]!.payload).toEqual(replies[0]!.payload);
  expect(scenario.calls.charge).toBe(1);
  expect(await providerChargesFor(provider.url, orderId)).toHaveLength(1);
});

it('two deliveries racing for one order still make one charge and one reply', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('race');
  const command = chargeCommand(orderId);
  await Promise.all([scenario.bus.send(routingKeys.charge, command), scenario.bus.send(routingKeys.charge, command)]);
  await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(scenario.repliesFor(orderId)).toHaveLength(1);
  expect(await providerChargesFor(provider.url, orderId)).toHaveLength(1);
});

it('provider down: the breaker opens after its threshold and later charges fail fast with PROVIDER_UNAVAILABLE', async () => {
  scenario = await startScenario(db, `http://127.0.0.1:${await closedPort()}`, { breaker: { volumeThreshold: 3, resetTimeoutMs: 60_000 } });
  const first = [newOrderId('down'), newOrderId('down'), newOrderId('down')];
  for (const orderId of first) {
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
    await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  }
  expect(scenario.adapter.breakerState()).toBe('open');

  const started = Date.now();
  const later = Array.from({ length: 5 }, () => newOrderId('fast'));
  for (const orderId of later) await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
  await waitFor(() => expectLength(scenario!.replies, 8));
  expect(Date.now() - started).toBeLessThan(2_000);

  for (const reply of scenario.replies) expect(reply).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'PROVIDER_UNAVAILABLE' } });
  expect(scenario.adapter.breakerStats().rejects).toBeGreaterThanOrEqual(5);
  expect((await paymentsOf(scenario, later[0]!))[0]).toMatchObject({ status: 'FAILED', failureReason: 'PROVIDER_UNAVAILABLE' });
  // What an operator sees of it (GET /admin/breakers, read by the gateway's system view): open, and the calls it refused.
  const breakers = await request(scenario.service.app).get('/admin/breakers').set('Authorization', adminBearer()).expect(200);
  expect(breakers.body.items).toEqual([expect.objectContaining({ name: 'payment-provider', state: 'open', rejects: scenario.adapter.breakerStats().rejects })]);
});

it('a FAILED charge is final: a new ChargePayment after the provider is back answers it again and charges nothing', async () => {
  const down = await startScenario(db, `http://127.0.0.1:${await closedPort()}`);
  const orderId = newOrderId('retry');
  await down.bus.send(routingKeys.charge, chargeCommand(orderId));
  await waitFor(() => expectLength(down.repliesFor(orderId), 1));
  await down.stop();

  // The saga cancelled on PROVIDER_UNAVAILABLE without a refund: charging now would take money nothing gives back.
  scenario = await startScenario(db, provider.url);
  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
  const [reply] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  expect(reply).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'PROVIDER_UNAVAILABLE' } });
  expect(scenario.calls.charge).toBe(0);
  expect(await providerChargesFor(provider.url, orderId)).toEqual([]);
});

it('a charge slower than the timeout is PaymentFailed(TIMEOUT), without waiting for the provider', async () => {
  const slow = await startProvider({ latencyMs: 2_000 });
  try {
    scenario = await startScenario(db, slow.url, { timeoutMs: 100 });
    const orderId = newOrderId('slow');
    const started = Date.now();
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
    const [reply] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
    expect(Date.now() - started).toBeLessThan(1_500);
    expect(reply).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'TIMEOUT' } });
    expect((await paymentsOf(scenario, orderId))[0]).toMatchObject({ status: 'FAILED', failureReason: 'TIMEOUT' });
  } finally {
    await scenario?.stop();
    scenario = undefined;
    // The client gave up on the slow answer; don't wait for its spare keep-alive socket to time out.
    await slow.stop(200);
  }
});

it('dead-letters a ChargePayment that breaks its contract, without calling the provider', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('poison');
  const command = chargeCommand(orderId);
  await scenario.bus.send(routingKeys.charge, { ...command, payload: { ...command.payload, amountCents: -5 } });
  const [letter] = await waitFor(async () => expectLength(await scenario!.bus.peekDeadLetters(), 1));
  expect(letter!.reason).toMatch(/^POISON: ChargePayment/);
  expect(scenario.calls.charge).toBe(0);
});

it('GET /payments needs an orderId and lists nothing for an unknown order', async () => {
  scenario = await startScenario(db, provider.url);
  const missing = await request(scenario.service.app).get('/payments').set('Authorization', adminBearer());
  expect(missing.status).toBe(400);
  expect(missing.body.error.code).toBe('VALIDATION_FAILED');
  expect((await request(scenario.service.app).get('/payments').set('Authorization', adminBearer()).query({ orderId: 'nope' })).body).toEqual({ items: [] });
  expect((await request(scenario.service.app).get('/health/ready')).status).toBe(200);
});

function expectLength<T>(items: T[], n: number): T[] {
  expect(items).toHaveLength(n);
  return items;
}
