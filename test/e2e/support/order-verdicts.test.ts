// The verdicts the chaos suite and npm run load share, on hand-made books: stock, money, notifications.
import type { LedgerCharge } from './order-client';
import { moneyVerdict, notificationVerdict, stockMismatches, type SettledOrder } from './order-verdicts';

const order = (status: 'APPROVED' | 'CANCELLED', items = [{ sku: 'SKU-APPLE', quantity: 2 }]): SettledOrder => ({ orderId: `o-${status}`, status, sagaMode: 'orchestration', items, totalCents: 240 });
const charge = (status: LedgerCharge['status'], amountCents: number, refundedCents = 0): LedgerCharge => ({ chargeId: `ch-${status}`, orderId: 'o', amountCents, refundedCents, status });

test('stock: initial − what the approved orders took, per sku; cancelled orders took nothing', () => {
  const orders = [order('APPROVED'), order('CANCELLED'), order('APPROVED', [{ sku: 'SKU-TEA', quantity: 1 }])];
  expect(stockMismatches({ 'SKU-APPLE': 10, 'SKU-TEA': 5 }, { 'SKU-APPLE': 8, 'SKU-TEA': 4, 'SKU-RARE': 1 }, orders)).toEqual([]);
  expect(stockMismatches({ 'SKU-APPLE': 10, 'SKU-TEA': 5 }, { 'SKU-APPLE': 6, 'SKU-TEA': undefined }, orders)).toEqual(['SKU-APPLE: 6 available, expected 8', 'SKU-TEA: undefined available, expected 4']);
});

test('money: one capture of the total for an approved order, net zero for a cancelled one; a second capture is a double charge', () => {
  expect(moneyVerdict(order('APPROVED'), [charge('CAPTURED', 240)])).toEqual({ doubleCharge: false });
  expect(moneyVerdict(order('CANCELLED'), [charge('DECLINED', 240)])).toEqual({ doubleCharge: false });
  expect(moneyVerdict(order('CANCELLED'), [charge('REFUNDED', 240, 240)])).toEqual({ doubleCharge: false });
  expect(moneyVerdict(order('APPROVED'), [])).toEqual({ doubleCharge: false, problem: 'order o-APPROVED orchestration APPROVED: net captured 0 at the provider, expected 240 ([])' });
  expect(moneyVerdict(order('APPROVED'), [charge('CAPTURED', 240), charge('REFUNDED', 240, 240)])).toEqual({ doubleCharge: true });
  expect(moneyVerdict(order('CANCELLED'), [charge('CAPTURED', 240)])).toMatchObject({ doubleCharge: true, problem: expect.stringContaining('net captured 240 at the provider, expected 0') });
});

test('notifications: exactly one, of the kind the status calls for, sent', () => {
  expect(notificationVerdict(order('APPROVED'), [{ kind: 'ORDER_CONFIRMED', status: 'SENT' }])).toBeUndefined();
  expect(notificationVerdict(order('CANCELLED'), [{ kind: 'ORDER_CONFIRMED', status: 'SENT' }])).toBe('order o-CANCELLED CANCELLED: [["ORDER_CONFIRMED","SENT"]]');
  expect(notificationVerdict(order('APPROVED'), [{ kind: 'ORDER_CONFIRMED', status: 'PENDING' }])).toBeDefined();
  expect(notificationVerdict(order('APPROVED'), [])).toBe('order o-APPROVED APPROVED: []');
});
