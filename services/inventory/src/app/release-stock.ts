// Use case C2: give back exactly what an order's reservation took; always succeeds, however often it runs.
import { decideRelease, type OrderRef, type ReleaseOutcome } from '../domain/reservation';
import { noStepFaults, type InventoryStore, type StepFaults } from './inventory-store.port';

/** Must run inside a transaction, like reserveStock, with which it shares the per-order lock. */
export async function releaseStock(store: InventoryStore, input: OrderRef, now: Date, faults: StepFaults = noStepFaults): Promise<ReleaseOutcome> {
  // Before any lock or write. A compensation cannot be refused, so an injected error or timeout is transient: it is
  // thrown, the transaction (inbox record included) rolls back and the delivery rule retries until the rule runs out.
  await faults.beforeOperation('release');
  await store.lockOrder(input.orderId);
  const decision = decideRelease(await store.findReservation(input.orderId), input, now);
  if (decision.restore.length > 0) {
    // Same lock order as reserveStock (lines are sorted by sku), so the two never deadlock on products.
    await store.lockProducts(decision.restore.map((line) => line.sku));
    await store.adjustStock(decision.restore.map((line) => ({ sku: line.sku, delta: line.quantity })));
  }
  if (decision.write === 'insert') await store.insertReservation(decision.reservation);
  if (decision.write === 'update') await store.updateReservation(decision.reservation);
  return decision.outcome;
}
