// A catalog product and the one rule about changing its stock by hand: restocking adds, within a sane ceiling.

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
  /** Units that can still be reserved; reserved units are already subtracted. */
  available: number;
}

/** Far below the int4 column limit, so a runaway restock script is refused instead of overflowing. */
export const MAX_AVAILABLE = 1_000_000_000;

export type RestockDecision = { ok: true; available: number } | { ok: false; reason: 'STOCK_LIMIT_EXCEEDED'; max: number };

export function decideRestock(product: Product, quantity: number): RestockDecision {
  if (!Number.isSafeInteger(quantity) || quantity <= 0) throw new RangeError(`restock quantity must be a positive integer, got ${quantity}`);
  const available = product.available + quantity;
  return available > MAX_AVAILABLE ? { ok: false, reason: 'STOCK_LIMIT_EXCEEDED', max: MAX_AVAILABLE } : { ok: true, available };
}
