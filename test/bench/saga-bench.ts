// Orchestrated orders end to end: time from POST /orders to the order's final state and to the saga's last step.
import { getOrder, placeOrderAccepted, type OrderView } from '../e2e/support/order-client';
import { summarize, type Summary } from './stats';

export interface SagaRunResult {
  orders: number;
  wallMs: number;
  ordersPerSecond: number;
  /** POST sent → order APPROVED (after T2 and T3). */
  toFinalStatus: Summary;
  /** POST sent → the saga's last step succeeded (T4: the confirmation went out). */
  toSagaEnd: Summary;
}

const sagaEnded = (order: OrderView) => order.history.some((entry) => (entry.step === 'NOTIFY_CONFIRMED' || entry.step === 'NOTIFY_CANCELLED') && entry.status === 'SUCCEEDED');

/**
 * Waits for the saga to end, polling at `pollMs`; latencies come from the server's own timestamps (the history's
 * `at`), so the polling interval does not add to them. Client and services share this machine's clock.
 */
async function oneOrder(orderUrl: string, customerId: string, pollMs: number): Promise<{ startedAt: number; finalAt: number; endedAt: number }> {
  const startedAt = Date.now();
  const placed = await placeOrderAccepted(orderUrl, { customerId, items: [{ sku: 'SKU-APPLE', quantity: 1 }] });
  for (;;) {
    const order = await getOrder(orderUrl, customerId, placed.orderId);
    if (sagaEnded(order)) {
      if (order.status !== 'APPROVED') throw new Error(`bench order ${order.orderId} ended ${order.status} (${order.failureReason})`);
      const at = (step: string) => Date.parse(order.history.find((entry) => entry.step === step && entry.status === 'SUCCEEDED')!.at);
      return { startedAt, finalAt: at('CHARGE_PAYMENT'), endedAt: at('NOTIFY_CONFIRMED') };
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

export async function runOrders(orderUrl: string, count: number, mode: 'sequential' | 'concurrent'): Promise<SagaRunResult> {
  const started = Date.now();
  const results =
    mode === 'sequential'
      ? await (async () => {
          const done = [];
          for (let i = 0; i < count; i += 1) done.push(await oneOrder(orderUrl, `bench-seq-${i % 10}`, 2));
          return done;
        })()
      : await Promise.all(Array.from({ length: count }, (_, i) => oneOrder(orderUrl, `bench-con-${i % 10}`, 250)));
  const wallMs = Math.max(...results.map((result) => result.endedAt)) - started;
  return {
    orders: count,
    wallMs,
    ordersPerSecond: count / (wallMs / 1000),
    toFinalStatus: summarize(results.map((result) => result.finalAt - result.startedAt)),
    toSagaEnd: summarize(results.map((result) => result.endedAt - result.startedAt)),
  };
}
