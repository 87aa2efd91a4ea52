// Use case T2: reserve every line of an order or none, once per order.
import { compareSkus, mergeLines, outcomeOf, planReservation, recordReservation, type OrderRef, type ReserveOutcome, type StockLine } from '../domain/reservation';
import type { InventoryStore } from './inventory-store.port';

export interface ReserveStockInput extends OrderRef {
  lines: readonly StockLine[];
}

/** Must run inside a transaction: the locks and the writes only mean something together. */
export async function reserveStock(store: InventoryStore, input: ReserveStockInput, now: Date): Promise<ReserveOutcome> {
  await store.lockOrder(input.orderId);
  // A repeated command (a redelivery, an orchestrator retry) gets the first answer and changes nothing.
  const existing = await store.findReservation(input.orderId);
  if (existing) return outcomeOf(existing);

  const skus = mergeLines(input.lines).map((line) => line.sku).sort(compareSkus);
  const products = await store.lockProducts(skus);
  const outcome = planReservation(input.lines, products);
  if (outcome.ok) await store.adjustStock(outcome.lines.map((line) => ({ sku: line.sku, delta: -line.quantity })));
  await store.insertReservation(recordReservation(input, input.lines, outcome, now));
  return outcome;
}
