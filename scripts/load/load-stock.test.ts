// Which products a load run uses: the scarcest for out-of-stock orders, the others in turn for the rest.
import { stockPlanFor } from './load-stock';

const product = (sku: string, available: number) => ({ sku, name: sku, priceCents: 100, available });

test('the scarcest product is the out-of-stock one (one unit more than it holds); the others are plentiful', () => {
  expect(stockPlanFor([product('SKU-APPLE', 1000), product('SKU-RARE', 1), product('SKU-TEA', 300)], true)).toEqual({
    plentiful: ['SKU-APPLE', 'SKU-TEA'],
    scarce: { sku: 'SKU-RARE', quantity: 2 },
  });
});

test('a catalog with no product scarce enough for an order line (at most 1000 units) cannot make out-of-stock orders', () => {
  const rich = [product('A', 5000), product('B', 2000)];
  expect(() => stockPlanFor(rich, true)).toThrow('no product is scarce enough for an out-of-stock order: the scarcest, B, holds 2000');
  expect(stockPlanFor(rich, false).plentiful).toEqual(['A']);
});

test('one product is not enough', () => {
  expect(() => stockPlanFor([product('A', 5)], false)).toThrow('the catalog has 1 product(s)');
});
