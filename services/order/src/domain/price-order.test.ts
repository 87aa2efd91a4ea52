// Pricing an order: totals from the price list, and every unknown sku named once.
import { priceOrder } from './price-order';

const prices = new Map([['SKU-APPLE', 120], ['SKU-TEA', 450]]);

describe('priceOrder', () => {
  it('prices each line and totals them', () => {
    expect(priceOrder([{ sku: 'SKU-APPLE', quantity: 3 }, { sku: 'SKU-TEA', quantity: 1 }], prices)).toEqual({
      ok: true,
      totalCents: 810,
      lines: [{ sku: 'SKU-APPLE', quantity: 3, unitPriceCents: 120 }, { sku: 'SKU-TEA', quantity: 1, unitPriceCents: 450 }],
    });
  });

  it('names every unknown sku once', () => {
    expect(priceOrder([{ sku: 'NOPE', quantity: 1 }, { sku: 'SKU-TEA', quantity: 1 }, { sku: 'NOPE', quantity: 2 }, { sku: 'GONE', quantity: 1 }], prices)).toEqual({ ok: false, reason: 'UNKNOWN_SKU', skus: ['NOPE', 'GONE'] });
  });
});
