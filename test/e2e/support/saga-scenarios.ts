// The scenarios both saga modes must pass the same way (happy path, out of stock, declined, provider down and back),
// written once and registered by each mode's file with what differs: how its history is checked (the orchestrator's
// saga, or the choreography's timeline), how it proves no money was kept, how long a notification may take.
import { randomBytes } from 'node:crypto';
import { eventually } from '@saga/resilience';
import {
  getOrder,
  listPayments,
  providerLedger,
  placeOrderAccepted,
  stockLevels,
  waitForFinalStatus,
  type OrderItem,
  type OrderView,
  type PlacedOrder,
  type SagaMode,
} from './order-client';
import { withServiceLogs, type Platform } from './platform-processes';
import { expectChargedOnce, expectNoMoneyKept, expectOneNotification, priceOf, settle, type MoneyCheck } from './saga-invariants';

export const customer = (name: string) => `cust-${name}-${randomBytes(3).toString('hex')}`;
export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `p()`: the running platform (or a clear error); `scenario`: an `it` whose failure shows the services' logs. */
export function e2eHarness(current: () => Platform | undefined) {
  const p = (): Platform => {
    const platform = current();
    if (!platform) throw new Error('the platform did not start: see the beforeAll error');
    return platform;
  };
  const scenario = (name: string, body: () => Promise<void>, timeoutMs?: number) => it(name, withServiceLogs(current, body), timeoutMs);
  return { p, scenario };
}

/** What a mode checks beyond the scenarios' common assertions. */
export interface SagaModeSpec {
  mode: SagaMode;
  /** How long an order's one final notification may take to show up. */
  notificationTimeoutMs: number;
  /** How the provider-down scenario proves the cancelled orders kept no money. */
  money: MoneyCheck;
  titles: { happy: string; declined: string };
  /** The order's history (and what else only this mode shows), once the common checks passed. */
  history: {
    approved(customerId: string, final: OrderView, items: OrderItem[]): Promise<void>;
    outOfStock(customerId: string, final: OrderView): Promise<void>;
    declined(customerId: string, final: OrderView): Promise<void>;
  };
}

/** Happy path, out of stock, payment declined. */
export function describeOrderOutcomes(spec: SagaModeSpec, current: () => Platform | undefined): void {
  const { p, scenario } = e2eHarness(current);
  const sagaMode = spec.mode;

  scenario(spec.titles.happy, async () => {
    const customerId = customer('happy');
    const items = [{ sku: 'SKU-APPLE', quantity: 3 }, { sku: 'SKU-TEA', quantity: 2 }];
    const initial = await stockLevels(p().urls.inventory);
    const expectedTotal = await priceOf(p(), items);

    const placed = await placeOrderAccepted(p().urls.order, { customerId, items, sagaMode });
    expect(placed).toEqual({ orderId: expect.any(String), status: 'PENDING', sagaMode, totalCents: expectedTotal });

    const final = await waitForFinalStatus(p().urls.order, customerId, placed.orderId, 30_000);
    expect(final).toMatchObject({ orderId: placed.orderId, customerId, status: 'APPROVED', sagaMode, totalCents: expectedTotal });
    expect(final.failureReason).toBeUndefined();

    const stock = await stockLevels(p().urls.inventory);
    expect({ apple: stock['SKU-APPLE'], tea: stock['SKU-TEA'] }).toEqual({ apple: initial['SKU-APPLE']! - 3, tea: initial['SKU-TEA']! - 2 });
    const payments = await listPayments(p().urls.payment, placed.orderId);
    expect(payments.map((x) => ({ status: x.status, amountCents: x.amountCents }))).toEqual([{ status: 'CHARGED', amountCents: expectedTotal }]);
    await expectChargedOnce(p(), final);
    await expectOneNotification(p(), placed.orderId, 'ORDER_CONFIRMED', spec.notificationTimeoutMs);
    await spec.history.approved(customerId, final, items);
  });

  scenario('out of stock: CANCELLED OUT_OF_STOCK, stock unchanged, no payment, one cancellation notice', async () => {
    const customerId = customer('oos');
    const initial = await stockLevels(p().urls.inventory);
    const items = [{ sku: 'SKU-RARE', quantity: initial['SKU-RARE']! + 1 }];

    const placed = await placeOrderAccepted(p().urls.order, { customerId, items, sagaMode });
    const final = await waitForFinalStatus(p().urls.order, customerId, placed.orderId, 30_000);
    expect(final).toMatchObject({ status: 'CANCELLED', failureReason: 'OUT_OF_STOCK' });

    await expectOneNotification(p(), placed.orderId, 'ORDER_CANCELLED', spec.notificationTimeoutMs);
    expect(await stockLevels(p().urls.inventory)).toEqual(initial);
    expect(await listPayments(p().urls.payment, placed.orderId)).toEqual([]);
    expect(await providerLedger(p().urls.payment, placed.orderId)).toEqual([]);
    await spec.history.outOfStock(customerId, final);
  });

  scenario(spec.titles.declined, async () => {
    const customerId = customer('declined');
    const items = [{ sku: 'SKU-COFFEE', quantity: 2 }];
    const initial = await stockLevels(p().urls.inventory);

    const placed = await placeOrderAccepted(p().urls.order, { customerId, items, paymentToken: 'tok_chargeDeclined', sagaMode });
    const final = await waitForFinalStatus(p().urls.order, customerId, placed.orderId, 30_000);
    expect(final).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' });
    // The order cancels once the stock is released (C2 runs before C1): once it is CANCELLED, the stock is back.
    expect(await stockLevels(p().urls.inventory)).toEqual(initial);
    expect((await listPayments(p().urls.payment, placed.orderId)).map((x) => x.status)).toEqual(['DECLINED']);
    expect((await providerLedger(p().urls.payment, placed.orderId)).map((x) => x.status)).toEqual(['DECLINED']);
    await expectOneNotification(p(), placed.orderId, 'ORDER_CANCELLED', spec.notificationTimeoutMs);
    await spec.history.declined(customerId, final);
  });
}

/** The payment provider killed: every order is cancelled and gives its stock back; once it is back, orders go through. */
export function describeProviderDown(spec: SagaModeSpec, current: () => Platform | undefined): void {
  const { p, scenario } = e2eHarness(current);
  const sagaMode = spec.mode;

  describe('payment provider down', () => {
    scenario('every order is cancelled promptly (PAYMENT_PROVIDER_UNAVAILABLE or PAYMENT_TIMEOUT) and its stock comes back', async () => {
      const customerId = customer('provider-down');
      const initial = await stockLevels(p().urls.inventory);
      let placed: PlacedOrder[] = [];
      await p().kill('provider');
      try {
        const started = Date.now();
        placed = await Promise.all(Array.from({ length: 8 }, () => placeOrderAccepted(p().urls.order, { customerId, items: [{ sku: 'SKU-BREAD', quantity: 1 }], sagaMode })));
        const outcomes = await Promise.all(
          placed.map(async ({ orderId }) => {
            try {
              const order = await waitForFinalStatus(p().urls.order, customerId, orderId, 20_000);
              return { orderId, status: order.status, failureReason: order.failureReason };
            } catch (error) {
              const order = await getOrder(p().urls.order, customerId, orderId).catch(() => undefined);
              return { orderId, status: order?.status ?? 'UNKNOWN', failureReason: order?.failureReason, stuck: order?.history.slice(-4) ?? String(error) };
            }
          }),
        );
        console.log(`provider down: ${placed.length} orders final after ${Date.now() - started} ms`);
        expect(outcomes).toEqual(placed.map(({ orderId }) => ({ orderId, status: 'CANCELLED', failureReason: expect.stringMatching(/^(PAYMENT_PROVIDER_UNAVAILABLE|PAYMENT_TIMEOUT)$/) })));
        expect(await stockLevels(p().urls.inventory)).toEqual(initial);
        for (const { orderId } of placed) await expectOneNotification(p(), orderId, 'ORDER_CANCELLED', spec.notificationTimeoutMs);
        // The money is on the provider's books: read them once it is back (payment's breaker lets reads through again
        // within its 10 s reset). Its durable books must show none of these orders holding money.
        await p().restart('provider');
        await eventually(async () => {
          for (const { orderId } of placed) await expectNoMoneyKept(p(), orderId, spec.money);
        }, 30_000, 500);
      } finally {
        // Whatever happened, the next scenarios get a running provider and a quiet platform.
        if (!p().isRunning('provider')) await p().restart('provider');
        await settle(p(), () => customerId, placed);
      }
    }, 180_000);

    scenario('once the provider is back, a new order is APPROVED', async () => {
      const customerId = customer('provider-back');
      if (!p().isRunning('provider')) await p().restart('provider');
      // The payment service's breaker may still be open for a few seconds (10 s reset), so the first orders may
      // be refused; within 45 s a new order goes through.
      const attempts: { status: string; failureReason?: string }[] = [];
      const deadline = Date.now() + 45_000;
      while (Date.now() < deadline && attempts.at(-1)?.status !== 'APPROVED') {
        const { orderId } = await placeOrderAccepted(p().urls.order, { customerId, items: [{ sku: 'SKU-BREAD', quantity: 1 }], sagaMode });
        const order = await waitForFinalStatus(p().urls.order, customerId, orderId, 30_000);
        attempts.push({ status: order.status, ...(order.failureReason ? { failureReason: order.failureReason } : {}) });
        if (order.status !== 'APPROVED') await sleep(2_000);
      }
      expect(attempts.at(-1)).toEqual({ status: 'APPROVED' });
    }, 120_000);
  });
}
