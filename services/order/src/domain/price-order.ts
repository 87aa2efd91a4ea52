// Prices an order's lines from a price list: pure, so "unknown sku" and the total are decided in one tested place.
import type { OrderLine } from '@saga/contracts';

export interface PricedLine extends OrderLine {
  unitPriceCents: number;
}

export type PricingOutcome = { ok: true; lines: PricedLine[]; totalCents: number } | { ok: false; reason: 'UNKNOWN_SKU'; skus: string[] };

export function priceOrder(lines: readonly OrderLine[], prices: ReadonlyMap<string, number>): PricingOutcome {
  const unknown = [...new Set(lines.filter((line) => !prices.has(line.sku)).map((line) => line.sku))];
  if (unknown.length > 0) return { ok: false, reason: 'UNKNOWN_SKU', skus: unknown };
  const priced = lines.map((line) => ({ ...line, unitPriceCents: prices.get(line.sku)! }));
  return { ok: true, lines: priced, totalCents: priced.reduce((sum, line) => sum + line.unitPriceCents * line.quantity, 0) };
}
