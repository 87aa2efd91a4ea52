// The checks every batch of orders must pass in either saga mode, whatever crashed meanwhile: a declined card never
// approved, stock conserved (initial − what approved orders took), one charge of the total per approved order, no
// money kept for a cancelled one (read from the provider's own books), one final notification of the right kind per order.
import { eventually } from '@saga/resilience';
import {
  listNotifications,
  listProducts,
  providerLedger,
  stockLevels,
  waitForFinalStatus,
  type OrderItem,
  type OrderView,
  type PlaceOrderRequest,
  type PlacedOrder,
  type SagaStep,
} from './order-client';
import { captures, netCharged } from './order-verdicts';
import type { Platform } from './platform-processes';

/** How a scenario proves that an order kept no money: no capture still held at the provider, or captured − refunded = 0. */
export type MoneyCheck = 'no-charge' | 'net';

export const countBy = (values: string[]) => values.reduce<Record<string, number>>((all, value) => ({ ...all, [value]: (all[value] ?? 0) + 1 }), {});

export const stepIndex = (order: OrderView, step: SagaStep, status = 'SUCCEEDED') => order.history.findIndex((entry) => entry.step === step && entry.status === status);

/** What the order should cost, from the catalog's prices. */
export async function priceOf(platform: Platform, items: OrderItem[]): Promise<number> {
  const prices = new Map((await listProducts(platform.urls.inventory)).map((product) => [product.sku, product.priceCents]));
  return items.reduce((sum, item) => sum + (prices.get(item.sku) ?? NaN) * item.quantity, 0);
}

/** The one notification an order ends with (its kind must match), once the notification service has it. */
export async function expectOneNotification(platform: Platform, orderId: string, kind: 'ORDER_CONFIRMED' | 'ORDER_CANCELLED', timeoutMs: number): Promise<void> {
  await eventually(async () => {
    const notifications = await listNotifications(platform.urls.notification, orderId);
    expect({ orderId, notifications: notifications.map((n) => ({ kind: n.kind, status: n.status })) }).toEqual({ orderId, notifications: [{ kind, status: 'SENT' }] });
  }, timeoutMs, 200);
}

/** An approved order: the provider captured its total once, and holds exactly that (nothing refunded). */
export async function expectChargedOnce(platform: Platform, order: OrderView): Promise<void> {
  const ledger = await providerLedger(platform.urls.payment, order.orderId);
  expect({ orderId: order.orderId, captured: captures(ledger).map((x) => x.amountCents), net: netCharged(ledger) }).toEqual({
    orderId: order.orderId,
    captured: [order.totalCents],
    net: order.totalCents,
  });
}

/** A cancelled order kept no money at the provider: no capture still held (`no-charge`), or captured − refunded = 0 (`net`). */
export async function expectNoMoneyKept(platform: Platform, orderId: string, money: MoneyCheck): Promise<void> {
  const ledger = await providerLedger(platform.urls.payment, orderId);
  if (money === 'net') expect({ orderId, net: netCharged(ledger) }).toEqual({ orderId, net: 0 });
  else expect({ orderId, held: ledger.filter((x) => x.status === 'CAPTURED' || x.status === 'PARTIALLY_REFUNDED') }).toEqual({ orderId, held: [] });
}

/** A declined card never ends APPROVED. */
export function expectNoDeclinedCardApproved(requests: PlaceOrderRequest[], finals: OrderView[]): void {
  expect(finals.filter((order, i) => requests[i]!.paymentToken === 'tok_chargeDeclined' && order.status === 'APPROVED').map((order) => order.orderId)).toEqual([]);
}

/** Per sku, stock = initial − what the approved orders among `finals` took (eventually: releases may still be in flight). */
export async function expectStockConserved(
  platform: Platform,
  skus: string[],
  initial: Record<string, number>,
  finals: OrderView[],
  wait: { timeoutMs: number; intervalMs: number },
): Promise<void> {
  const taken = (sku: string) =>
    finals.filter((order) => order.status === 'APPROVED').flatMap((order) => order.items).filter((item) => item.sku === sku).reduce((sum, item) => sum + item.quantity, 0);
  await eventually(async () => {
    const stock = await stockLevels(platform.urls.inventory);
    expect(Object.fromEntries(skus.map((sku) => [sku, stock[sku]]))).toEqual(Object.fromEntries(skus.map((sku) => [sku, initial[sku]! - taken(sku)])));
  }, wait.timeoutMs, wait.intervalMs);
}

/** Every final order: one charge of the total if approved, no money kept otherwise; then one notification of the right kind each. */
export async function expectBooksBalance(platform: Platform, finals: OrderView[], money: MoneyCheck, notificationTimeoutMs: number): Promise<void> {
  for (const order of finals) {
    if (order.status === 'APPROVED') await expectChargedOnce(platform, order);
    else await expectNoMoneyKept(platform, order.orderId, money);
  }
  for (const order of finals) await expectOneNotification(platform, order.orderId, order.status === 'APPROVED' ? 'ORDER_CONFIRMED' : 'ORDER_CANCELLED', notificationTimeoutMs);
}

/** After a failed scenario: lets its orders end so they do not move the stock under the next one; logs how they ended. */
export async function settle(platform: Platform, customerOf: (orderId: string) => string, placed: PlacedOrder[], timeoutMs = 60_000): Promise<void> {
  const ended = await Promise.all(
    placed.map(({ orderId }) =>
      waitForFinalStatus(platform.urls.order, customerOf(orderId), orderId, timeoutMs).then(
        (order) => `${order.sagaMode} ${order.status}${order.failureReason ? ` ${order.failureReason}` : ''}`,
        () => 'still PENDING',
      ),
    ),
  );
  console.log(`orders after the scenario: ${JSON.stringify(countBy(ended))}`);
}
