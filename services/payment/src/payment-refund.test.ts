// Component tests of refunding (the compensation of the charge): exact amounts, idempotence, charges that timed out.
import { adminBearer } from '@saga/auth/testing';
import { routingKeys } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import request from 'supertest';
import {
  chargeCommand,
  newOrderId,
  providerChargesFor,
  refundCommand,
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

const paymentOf = async (s: Scenario, orderId: string) => (await request(s.service.app).get('/payments').set('Authorization', adminBearer()).query({ orderId })).body.items[0];
const types = (s: Scenario, orderId: string) => s.repliesFor(orderId).map((reply) => reply.type);

function expectLength<T>(items: T[], n: number): T[] {
  expect(items).toHaveLength(n);
  return items;
}

it('refunds a charge: REFUNDED, PaymentRefunded with the amount, the provider shows it refunded', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('refund');
  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 1999 }));
  await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  const refund = refundCommand(orderId);
  await scenario.bus.send(routingKeys.refund, refund);

  const [, reply] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 2));
  expect(reply).toMatchObject({ type: 'PaymentRefunded', causationId: refund.messageId, payload: { orderId, amountCents: 1999 } });
  expect(await paymentOf(scenario, orderId)).toMatchObject({ status: 'REFUNDED', amountCents: 1999, refundedCents: 1999 });
  expect(await providerChargesFor(provider.url, orderId)).toEqual([expect.objectContaining({ amount: 1999, amount_refunded: 1999 })]);
});

it('refunds once: a second RefundPayment answers the same amount without calling the provider', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('twice');
  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
  await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  const refund = refundCommand(orderId);
  await scenario.bus.send(routingKeys.refund, refund);
  await waitFor(() => expectLength(scenario!.repliesFor(orderId), 2));

  await scenario.bus.send(routingKeys.refund, refund); // redelivery: skipped
  await scenario.bus.send(routingKeys.refund, refundCommand(orderId)); // a new compensation attempt: replayed
  const replies = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 3));
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(types(scenario, orderId)).toEqual(['PaymentCompleted', 'PaymentRefunded', 'PaymentRefunded']);
  expect(replies[2]!.payload).toMatchObject({ amountCents: 4200 });
  expect(scenario.calls.refund).toBe(1);
});

it('a refund with nothing charged succeeds with 0, and a ChargePayment arriving after it never charges', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('nothing');
  await scenario.bus.send(routingKeys.refund, refundCommand(orderId));
  const [refunded] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  expect(refunded).toMatchObject({ type: 'PaymentRefunded', payload: { amountCents: 0 } });
  expect(await paymentOf(scenario, orderId)).toMatchObject({ status: 'REFUNDED', amountCents: 0, refundedCents: 0, customerId: null });

  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
  const [, late] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 2));
  expect(late).toMatchObject({ type: 'PaymentFailed' });
  expect(scenario.calls.charge).toBe(0);
  expect(await providerChargesFor(provider.url, orderId)).toEqual([]);
});

it('a declined payment is refunded with 0 and stays DECLINED', async () => {
  scenario = await startScenario(db, provider.url);
  const orderId = newOrderId('declined');
  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { paymentToken: 'tok_insufficientFunds' }));
  await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  await scenario.bus.send(routingKeys.refund, refundCommand(orderId));
  const [, reply] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 2));
  expect(reply).toMatchObject({ type: 'PaymentRefunded', payload: { amountCents: 0 } });
  expect((await paymentOf(scenario, orderId)).status).toBe('DECLINED');
  expect(scenario.calls.refund + scenario.calls.voidCharge).toBe(0);
});

it('a charge that timed out here but succeeded at the provider: PaymentFailed(TIMEOUT), then the refund finds and refunds it', async () => {
  const slow = await startProvider({ latencyMs: 500 });
  try {
    scenario = await startScenario(db, slow.url, { timeoutMs: 100 });
    const orderId = newOrderId('timeout');
    await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 3100 }));
    const [failed] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
    expect(failed).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'TIMEOUT' } });
    expect(await paymentOf(scenario, orderId)).toMatchObject({ status: 'FAILED', failureReason: 'TIMEOUT' });
    expect(await providerChargesFor(slow.url, orderId)).toEqual([expect.objectContaining({ status: 'succeeded', amount_refunded: 0 })]);

    await scenario.bus.send(routingKeys.refund, refundCommand(orderId));
    const [, refunded] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 2));
    expect(refunded).toMatchObject({ type: 'PaymentRefunded', payload: { amountCents: 3100 } });
    expect(await paymentOf(scenario, orderId)).toMatchObject({ status: 'REFUNDED', refundedCents: 3100, failureReason: 'TIMEOUT' });
    expect(await providerChargesFor(slow.url, orderId)).toEqual([expect.objectContaining({ amount: 3100, amount_refunded: 3100 })]);
  } finally {
    await scenario?.stop();
    scenario = undefined;
    await slow.stop(200);
  }
});

it('a charge request still on the wire when the refund runs can never take money: the refund voids its key', async () => {
  // The network holds the charge request 800 ms: the client times out at 100 ms (TIMEOUT), the refund runs, and only
  // then does the request reach the provider. Looking the charge up would find nothing and close the books too early.
  const landed: Promise<Response>[] = [];
  const slowWire: typeof fetch = (input, init) => {
    if (init?.method !== 'POST' || !String(input).endsWith('/v1/charges')) return fetch(input, init);
    const { signal, ...rest } = init;
    const arrival = new Promise<void>((resolve) => setTimeout(resolve, 800)).then(() => fetch(input, rest));
    landed.push(arrival);
    return new Promise<Response>((resolve, reject) => {
      arrival.then(resolve, reject);
      signal?.addEventListener('abort', () => reject(signal.reason), { once: true });
    });
  };
  scenario = await startScenario(db, provider.url, { fetch: slowWire, timeoutMs: 100 });
  const orderId = newOrderId('on-the-wire');
  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId, { amountCents: 120 }));
  const [failed] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  expect(failed).toMatchObject({ type: 'PaymentFailed', payload: { reason: 'TIMEOUT' } });

  await scenario.bus.send(routingKeys.refund, refundCommand(orderId));
  const [, refunded] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 2));
  expect(refunded).toMatchObject({ type: 'PaymentRefunded', payload: { amountCents: 0 } });

  // The request lands now, after the refund: the provider refuses it, and its books hold no money for the order.
  const late = await Promise.all(landed);
  expect(late.map((response) => response.status)).toEqual([409]);
  const books = await providerChargesFor(provider.url, orderId);
  expect(books.reduce((net, charge) => net + (charge.status === 'succeeded' ? charge.amount - charge.amount_refunded : 0), 0)).toBe(0);
});

it('a refund the provider cannot take right now is retried, never answered falsely', async () => {
  let failures = 3;
  // The network drops the first three refund calls, then the provider is reachable again.
  const flakyFetch: typeof fetch = (input, init) => {
    if (init?.method === 'POST' && String(input).endsWith('/v1/refunds') && failures-- > 0) return Promise.reject(new TypeError('fetch failed'));
    return fetch(input, init);
  };
  scenario = await startScenario(db, provider.url, { fetch: flakyFetch, breaker: { volumeThreshold: 100 } });
  const orderId = newOrderId('flaky');
  await scenario.bus.send(routingKeys.charge, chargeCommand(orderId));
  await waitFor(() => expectLength(scenario!.repliesFor(orderId), 1));
  await scenario.bus.send(routingKeys.refund, refundCommand(orderId));

  const [, reply] = await waitFor(() => expectLength(scenario!.repliesFor(orderId), 2));
  expect(reply).toMatchObject({ type: 'PaymentRefunded', payload: { amountCents: 4200 } });
  expect(scenario.calls.refund).toBe(4);
  expect(await scenario.bus.peekDeadLetters()).toEqual([]);
  expect(await providerChargesFor(provider.url, orderId)).toEqual([expect.objectContaining({ amount_refunded: 4200 })]);
});
