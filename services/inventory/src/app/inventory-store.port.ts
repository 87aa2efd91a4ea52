// What the use cases need from storage; the SQL adapter in store/ implements it on a client or inside a transaction.
import type { Product } from '../domain/product';
import type { Reservation } from '../domain/reservation';

export interface StockChange {
  sku: string;
  /** Negative to take units, positive to put them back. */
  delta: number;
}

export interface InventoryStore {
  listProducts(): Promise<Product[]>;
  findProduct(sku: string): Promise<Product | undefined>;
  /** Locks the rows of these skus (those that exist) until the transaction ends, in sku order. */
  lockProducts(skus: readonly string[]): Promise<Product[]>;
  adjustStock(changes: readonly StockChange[]): Promise<void>;
  setAvailable(sku: string, available: number): Promise<Product>;
  /** Serialises every reserve and release of one order, whichever instance handles them. */
  lockOrder(orderId: string): Promise<void>;
  findReservation(orderId: string): Promise<Reservation | undefined>;
  insertReservation(reservation: Reservation): Promise<void>;
  updateReservation(reservation: Reservation): Promise<void>;
}

/** Runs work in one transaction with a store bound to it. */
export interface InventoryTransactions {
  /** A store outside any transaction, for plain reads. */
  readonly reader: InventoryStore;
  run<T>(work: (store: InventoryStore) => Promise<T>): Promise<T>;
}

/**
 * The fault-injection hook the stock steps call before their work (a FaultInjector fits). Throws InjectedFaultError /
 * InjectedTimeoutError from @saga/faults when a rule fires; resolves otherwise (after any injected delay).
 */
export interface StepFaults {
  beforeOperation(operation: 'reserve' | 'release'): Promise<void>;
}

export const noStepFaults: StepFaults = { beforeOperation: async () => undefined };
