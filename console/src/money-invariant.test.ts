// The money invariant on screen: approved totals against captured − refunded in the provider's books, order by order.
import { booksToRead, checkMoney, netCents, versionOf } from './money-invariant';
import type { LedgerCharge, OrderSummary } from './types';

const order = (orderId: string, status: OrderSummary['status'], totalCents: number, changedAt?: string): OrderSummary => ({
  orderId, customerId: 'alice', status, sagaMode: 'orchestration', items: [], totalCents, createdAt: '2030-01-01T00:00:00Z', updatedAt: '2030-01-01T00:00:01Z', ...(changedAt && { changedAt }),
});
const charge = (orderId: string, amountCents: number, refundedCents = 0, status: LedgerCharge['status'] = refundedCents ? 'REFUNDED' : 'CAPTURED'): LedgerCharge => ({
  chargeId: `ch_${orderId}_${amountCents}`, orderId, amountCents, refundedCents, status,
});

describe('netCents', () => {
  it('is what the provider holds: captures less refunds, declines hold nothing', () => {
    expect(netCents([charge('a', 900), charge('a', 900, 900), charge('a', 500, 0, 'DECLINED'), charge('a', 400, 100, 'PARTIALLY_REFUNDED')])).toBe(1200);
    expect(netCents([])).toBe(0);
  });
});

describe('checkMoney', () => {
  it('balances when each approved order holds its total and each cancelled one nothing; pending ones are not counted', () => {
    const orders = [order('a', 'APPROVED', 900), order('b', 'CANCELLED', 450), order('c', 'PENDING', 300), order('d', 'CANCELLED', 200)];
    const books = new Map([['a', [charge('a', 900)]], ['b', [charge('b', 450, 450)]], ['d', [charge('d', 200, 0, 'DECLINED')]], ['c', [charge('c', 300)]]]);
    expect(checkMoney(orders, books)).toEqual({ state: 'balanced', approvedCents: 900, netCents: 900, counted: 3, pending: 1, unread: 0, mismatches: [] });
  });

  it('names every order whose books disagree, even when the totals happen to match', () => {
    // a was captured twice, b's capture is missing: the sums agree (1800 = 1800), the orders do not.
    const orders = [order('a', 'APPROVED', 900), order('b', 'APPROVED', 900), order('c', 'CANCELLED', 300)];
    const books = new Map([['a', [charge('a', 900), charge('a', 900)]], ['b', []], ['c', [charge('c', 300, 100, 'PARTIALLY_REFUNDED')]]]);
    const check = checkMoney(orders, books);
    expect(check).toMatchObject({ state: 'mismatch', approvedCents: 1800, netCents: 2000 });
    expect(check.mismatches).toEqual([
      { orderId: 'a', status: 'APPROVED', expectedCents: 900, netCents: 1800 },
      { orderId: 'b', status: 'APPROVED', expectedCents: 900, netCents: 0 },
      { orderId: 'c', status: 'CANCELLED', expectedCents: 0, netCents: 200 },
    ]);
  });

  it('is incomplete while a settled order\'s books are unread, and empty with nothing settled', () => {
    expect(checkMoney([order('a', 'APPROVED', 900), order('b', 'APPROVED', 100)], new Map([['a', [charge('a', 900)]]]))).toMatchObject({ state: 'incomplete', counted: 1, unread: 1, approvedCents: 900 });
    expect(checkMoney([order('a', 'PENDING', 900)], new Map())).toMatchObject({ state: 'empty', counted: 0, pending: 1 });
  });
});

describe('booksToRead', () => {
  it('reads settled orders never read or changed since, and all settled ones when forced', () => {
    const a = order('a', 'APPROVED', 900);
    const b = order('b', 'CANCELLED', 100, '2030-01-01T00:00:05Z');
    const orders = [a, b, order('c', 'PENDING', 1)];
    expect(booksToRead(orders, new Map())).toEqual(['a', 'b']);
    const readAt = new Map([['a', versionOf(a)], ['b', versionOf({ ...b, changedAt: '2030-01-01T00:00:02Z' })]]);
    expect(booksToRead(orders, readAt)).toEqual(['b']);
    expect(booksToRead(orders, readAt, true)).toEqual(['a', 'b']);
  });
});
