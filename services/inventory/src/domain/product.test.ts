// Restocking: adds units, refuses a total past the ceiling, and rejects nonsense quantities as a programming error.
import { decideRestock, MAX_AVAILABLE, type Product } from './product';

const apple: Product = { sku: 'SKU-APPLE', name: 'Apple', priceCents: 120, available: 10 };

describe('decideRestock', () => {
  it('adds the quantity', () => {
    expect(decideRestock(apple, 5)).toEqual({ ok: true, available: 15 });
  });

  it('refuses to go past the ceiling', () => {
    expect(decideRestock({ ...apple, available: MAX_AVAILABLE }, 1)).toEqual({ ok: false, reason: 'STOCK_LIMIT_EXCEEDED', max: MAX_AVAILABLE });
  });

  it.each([0, -1, 1.5])('throws on quantity %p (input validation should have caught it)', (quantity) => {
    expect(() => decideRestock(apple, quantity)).toThrow(RangeError);
  });
});
