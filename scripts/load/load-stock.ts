// Before a load run: which products the orders use, enough of them on the shelf, and the stock the invariant starts from.
import type { Product } from '../../test/e2e/support/order-client';
import type { LoadClient, Session } from './load-client';
import { unitsNeeded, type SchedulePlan, type StockPlan } from './load-schedule';

/** POST /api/admin/restock adds at most this much per request (the inventory's own limit). */
const MAX_RESTOCK = 1_000_000;
/** An order line asks for at most this many units (the order contract). */
const MAX_LINE_QUANTITY = 1_000;

/**
 * The scarcest product is the out-of-stock one (one unit more than it holds); the others take one unit per order in
 * turn. Pure, so the choice can be read in one place.
 */
export function stockPlanFor(products: readonly Product[], outOfStock: boolean): StockPlan {
  if (products.length < 2) throw new Error(`the catalog has ${products.length} product(s): a load run needs two (one kept scarce for out-of-stock orders)`);
  const scarce = [...products].sort((a, b) => a.available - b.available || a.sku.localeCompare(b.sku))[0]!;
  if (outOfStock && scarce.available + 1 > MAX_LINE_QUANTITY) throw new Error(`no product is scarce enough for an out-of-stock order: the scarcest, ${scarce.sku}, holds ${scarce.available} (an order line asks for at most ${MAX_LINE_QUANTITY})`);
  return { plentiful: products.filter((p) => p.sku !== scarce.sku).map((p) => p.sku), scarce: { sku: scarce.sku, quantity: Math.min(MAX_LINE_QUANTITY, scarce.available + 1) } };
}

export interface PreparedStock {
  plan: StockPlan;
  /** sku → units added by this run, before it started. */
  restocked: Record<string, number>;
  /** Stock of the run's skus after restocking: the stock invariant's starting point. */
  initial: Record<string, number>;
}

/** Restocks each plentiful product up to what the run can take (plus a margin), then reads the starting stock. */
export async function prepareStock(client: LoadClient, admin: Session, plan: SchedulePlan): Promise<PreparedStock> {
  const { products } = await client.catalog(admin);
  const stockPlan = stockPlanFor(products, plan.outOfStock > 0);
  const wanted = unitsNeeded(plan, stockPlan.plentiful) + 10;
  const restocked: Record<string, number> = {};
  for (const product of products.filter((p) => stockPlan.plentiful.includes(p.sku))) {
    let missing = wanted - product.available;
    while (missing > 0) {
      const quantity = Math.min(missing, MAX_RESTOCK);
      await client.restock(admin, product.sku, quantity);
      restocked[product.sku] = (restocked[product.sku] ?? 0) + quantity;
      missing -= quantity;
    }
  }
  const now = await client.stock(admin);
  const skus = [...stockPlan.plentiful, stockPlan.scarce.sku];
  return { plan: stockPlan, restocked, initial: Object.fromEntries(skus.map((sku) => [sku, now[sku] ?? 0])) };
}
