// The invariants of settled orders as pure verdicts over what the APIs answered (stock, the provider's books,
// notifications): one definition for the chaos suite's figures and for `npm run load`, which reads the same facts
// through the gateway instead of the services.
import type { LedgerCharge, NotificationView, OrderItem, OrderStatus } from './order-client';

/** What a verdict needs of an order that reached APPROVED or CANCELLED. */
export interface SettledOrder {
  orderId: string;
  status: OrderStatus;
  sagaMode: string;
  items: readonly OrderItem[];
  totalCents: number;
}

/** Money that left the customer and did not come back, by the provider's books. */
export const netCharged = (ledger: readonly LedgerCharge[]) =>
  ledger.filter((x) => x.status !== 'DECLINED').reduce((sum, x) => sum + x.amountCents - x.refundedCents, 0);

/** Charges that took money at some point (captured, whether refunded since or not). */
export const captures = (ledger: readonly LedgerCharge[]) => ledger.filter((x) => x.status !== 'DECLINED');

/** Units of `sku` the APPROVED orders among `orders` took. */
export const takenBy = (orders: readonly SettledOrder[], sku: string): number =>
  orders.filter((o) => o.status === 'APPROVED').flatMap((o) => o.items).filter((i) => i.sku === sku).reduce((sum, i) => sum + i.quantity, 0);

/** Per sku of `initial`: stock now must be initial − what the approved orders took. One line per sku that is not. */
export function stockMismatches(initial: Readonly<Record<string, number>>, now: Readonly<Record<string, number | undefined>>, orders: readonly SettledOrder[]): string[] {
  return Object.keys(initial).flatMap((sku) => {
    const expected = initial[sku]! - takenBy(orders, sku);
    return now[sku] === expected ? [] : [`${sku}: ${now[sku]} available, expected ${expected}`];
  });
}

export interface MoneyVerdict {
  /** Captured more than once, or more than the order's total. */
  doubleCharge: boolean;
  /** captured − refunded ≠ the total (APPROVED) or ≠ 0 (CANCELLED); undefined when the books balance. */
  problem?: string;
}

/** One capture of the total for an approved order, net zero for a cancelled one, by the provider's own books. */
export function moneyVerdict(order: SettledOrder, ledger: readonly LedgerCharge[]): MoneyVerdict {
  const net = netCharged(ledger);
  const expected = order.status === 'APPROVED' ? order.totalCents : 0;
  const doubleCharge = captures(ledger).length > 1 || net > expected;
  if (net === expected) return { doubleCharge };
  const books = JSON.stringify(ledger.map((c) => [c.status, c.amountCents, c.refundedCents]));
  return { doubleCharge, problem: `order ${order.orderId} ${order.sagaMode} ${order.status}: net captured ${net} at the provider, expected ${expected} (${books})` };
}

/** Exactly one final notification of the right kind, sent; the problem, or undefined. */
export function notificationVerdict(order: SettledOrder, notices: readonly Pick<NotificationView, 'kind' | 'status'>[]): string | undefined {
  const kind = order.status === 'APPROVED' ? 'ORDER_CONFIRMED' : 'ORDER_CANCELLED';
  if (notices.length === 1 && notices[0]?.kind === kind && notices[0]?.status === 'SENT') return undefined;
  return `order ${order.orderId} ${order.status}: ${JSON.stringify(notices.map((n) => [n.kind, n.status]))}`;
}
