// The money invariant over the orders on screen, from the provider's own books: every APPROVED order holds its total
// (captured − refunded), every CANCELLED one holds nothing; PENDING ones are skipped, their money may be in flight.
import type { LedgerCharge, OrderSummary } from './types';

export interface MoneyMismatch {
  orderId: string;
  status: OrderSummary['status'];
  expectedCents: number;
  netCents: number;
}

export interface MoneyCheck {
  /** balanced: every settled order's books read and right; incomplete: some not read yet; empty: nothing settled. */
  state: 'balanced' | 'mismatch' | 'incomplete' | 'empty';
  /** The total of the APPROVED orders on screen. */
  approvedCents: number;
  /** Captured − refunded at the provider, over the settled orders whose books were read. */
  netCents: number;
  /** Settled orders whose books were read (the sums above are over these). */
  counted: number;
  pending: number;
  /** Settled orders whose books are not read (yet, or the read failed). */
  unread: number;
  mismatches: MoneyMismatch[];
}

const settled = (order: OrderSummary): boolean => order.status !== 'PENDING';

/** What the provider holds for an order: each successful charge less what was refunded of it (declines hold nothing). */
export const netCents = (charges: readonly LedgerCharge[]): number =>
  charges.filter((charge) => charge.status !== 'DECLINED').reduce((sum, charge) => sum + charge.amountCents - charge.refundedCents, 0);

export function checkMoney(orders: readonly OrderSummary[], books: ReadonlyMap<string, readonly LedgerCharge[]>): MoneyCheck {
  let approvedCents = 0;
  let net = 0;
  let counted = 0;
  let unread = 0;
  const mismatches: MoneyMismatch[] = [];
  for (const order of orders.filter(settled)) {
    const charges = books.get(order.orderId);
    if (!charges) {
      unread += 1;
      continue;
    }
    const expectedCents = order.status === 'APPROVED' ? order.totalCents : 0;
    const held = netCents(charges);
    counted += 1;
    approvedCents += expectedCents;
    net += held;
    if (held !== expectedCents) mismatches.push({ orderId: order.orderId, status: order.status, expectedCents, netCents: held });
  }
  const state = mismatches.length > 0 ? 'mismatch' : unread > 0 ? 'incomplete' : counted === 0 ? 'empty' : 'balanced';
  return { state, approvedCents, netCents: net, counted, pending: orders.length - counted - unread, unread, mismatches };
}

/** An order's version as the console knows it: a change (pushed by the stream) makes its books worth reading again. */
export const versionOf = (order: OrderSummary): string => `${order.status}|${order.updatedAt}|${order.changedAt ?? ''}`;

/**
 * The settled orders whose books to read: those never read, or read at another version of the order (`force`: all of
 * them, on Refresh). Newest first, as the list shows them.
 */
export function booksToRead(orders: readonly OrderSummary[], readAt: ReadonlyMap<string, string>, force = false): string[] {
  return orders.filter((order) => settled(order) && (force || readAt.get(order.orderId) !== versionOf(order))).map((order) => order.orderId);
}
