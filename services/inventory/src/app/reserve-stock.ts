// Use case T2: reserve every line of an order or none, once per order.
import { InjectedFaultError } from '@saga/faults';
import { compareSkus, mergeLines, outcomeOf, planReservation, recordReservation, type OrderRef, type ReserveOutcome, type StockLine } from '../domain/reservation';
import { noStepFaults, type InventoryStore, type StepFaults } from './inventory-store.port';

export interface ReserveStockInput extends OrderRef {
  lines: readonly StockLine[];
}

/**
 * An injected `reserve` error is a business refusal, like a shortage: the contract's reasons are a closed enum
 * (OUT_OF_STOCK | UNKNOWN_SKU) owned by libs/contracts, so it goes out as OUT_OF_STOCK and the "skus" — the only
 * detail the order shows ("OUT_OF_STOCK: <skus>") — name the injected fault instead of a product.
 */
export function injectedRefusal(error: InjectedFaultError): ReserveOutcome {
  return { ok: false, reason: 'OUT_OF_STOCK', skus: [`fault injected on reserve (rule ${error.ruleId})`] };
}

/** Must run inside a transaction: the locks and the writes only mean something together. */
export async function reserveStock(store: InventoryStore, input: ReserveStockInput, now: Date, faults: StepFaults = noStepFaults): Promise<ReserveOutcome> {
  await store.lockOrder(input.orderId);
  // A repeated command (a redelivery, an orchestrator retry) gets the first answer and changes nothing.
  const existing = await store.findReservation(input.orderId);
  if (existing) return outcomeOf(existing);

  // The fault hook runs here: after the replay above (a recorded answer must not change because a rule fired
  // later) and before any write, so an error or timeout leaves nothing half-done. A timeout is thrown on: the
  // transaction rolls back and the delivery is retried, as for any step that hung.
  try {
    await faults.beforeOperation('reserve');
  } catch (error) {
    if (!(error instanceof InjectedFaultError)) throw error;
    const refused = injectedRefusal(error);
    // Recorded like any refusal (no stock taken): a retry of this order's reserve gets the same answer, not a late success.
    await store.insertReservation(recordReservation(input, input.lines, refused, now));
    return refused;
  }

  const skus = mergeLines(input.lines).map((line) => line.sku).sort(compareSkus);
  const products = await store.lockProducts(skus);
  const outcome = planReservation(input.lines, products);
  if (outcome.ok) await store.adjustStock(outcome.lines.map((line) => ({ sku: line.sku, delta: -line.quantity })));
  await store.insertReservation(recordReservation(input, input.lines, outcome, now));
  return outcome;
}
