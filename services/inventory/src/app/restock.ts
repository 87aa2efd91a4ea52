// Use case: an operator adds units of a product (back from a supplier, or found in the warehouse).
import { decideRestock, type Product } from '../domain/product';
import type { InventoryStore } from './inventory-store.port';

export interface RestockInput {
  sku: string;
  quantity: number;
}

export type RestockOutcome =
  | { ok: true; product: Product }
  | { ok: false; reason: 'PRODUCT_NOT_FOUND' }
  | { ok: false; reason: 'STOCK_LIMIT_EXCEEDED'; max: number };

/** Must run inside a transaction: the row lock keeps a concurrent reservation from being overwritten. */
export async function restock(store: InventoryStore, input: RestockInput): Promise<RestockOutcome> {
  const [product] = await store.lockProducts([input.sku]);
  if (!product) return { ok: false, reason: 'PRODUCT_NOT_FOUND' };
  const decision = decideRestock(product, input.quantity);
  if (!decision.ok) return decision;
  return { ok: true, product: await store.setAvailable(product.sku, decision.available) };
}
