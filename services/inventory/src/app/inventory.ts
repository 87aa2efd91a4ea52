// The inventory's use cases behind one object, each in its own transaction unless the caller brings one (the inbox's).
import type { Clock } from '../domain/clock';
import type { Product } from '../domain/product';
import type { OrderRef, ReleaseOutcome, ReserveOutcome } from '../domain/reservation';
import { noStepFaults, type InventoryStore, type InventoryTransactions, type StepFaults } from './inventory-store.port';
import { releaseStock } from './release-stock';
import { reserveStock, type ReserveStockInput } from './reserve-stock';
import { restock, type RestockInput, type RestockOutcome } from './restock';

export interface Inventory {
  listProducts(): Promise<Product[]>;
  getProduct(sku: string): Promise<Product | undefined>;
  restock(input: RestockInput): Promise<RestockOutcome>;
  /** `within`: a store bound to the caller's transaction, so the effect commits with the caller's other writes. */
  reserveStock(input: ReserveStockInput, within?: InventoryStore): Promise<ReserveOutcome>;
  releaseStock(input: OrderRef, within?: InventoryStore): Promise<ReleaseOutcome>;
}

export interface InventoryDeps {
  transactions: InventoryTransactions;
  clock: Clock;
  /** Fault injection before the reserve / release steps (none by default). */
  faults?: StepFaults;
}

export function createInventory({ transactions, clock, faults = noStepFaults }: InventoryDeps): Inventory {
  const inTransaction = <T>(within: InventoryStore | undefined, work: (store: InventoryStore) => Promise<T>): Promise<T> =>
    within ? work(within) : transactions.run(work);
  return {
    listProducts: () => transactions.reader.listProducts(),
    getProduct: (sku) => transactions.reader.findProduct(sku),
    restock: (input) => transactions.run((store) => restock(store, input)),
    reserveStock: (input, within) => inTransaction(within, (store) => reserveStock(store, input, clock(), faults)),
    releaseStock: (input, within) => inTransaction(within, (store) => releaseStock(store, input, clock(), faults)),
  };
}
