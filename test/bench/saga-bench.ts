// Orders end to end, in either saga mode: time from POST /orders to the order's final state and to the saga's last step.
import { getOrder, placeOrderAccepted, type OrderView, type SagaMode, type SagaStep } from '../e2e/support/order-client';
import { summarize, type Summary } from './stats';

export interface SagaRunResult {
  mode: SagaMode;
  orders: number;
  wallMs: number;
  ordersPerSecond: number;
  /** POST sent → the order was approved (orchestration: T3 charged; choreography: OrderApproved). */
  toFinalStatus: Summary;
  /** POST sent → the saga's last step succeeded (the confirmation went out: NOTIFY_CONFIRMED). */
  toSagaEnd: Summary;
}

/**
 * Where each mode's history says "approved": orchestration approves when T3 succeeds (the saga row's CHARGE_PAYMENT);
 * choreography when the order service publishes OrderApproved (the timeline's APPROVE_ORDER).
 */
const approvedStep: Record<SagaMode, SagaStep> = { orchestration: 'CHARGE_PAYMENT', choreography: 'APPROVE_ORDER' };

/**
 * The saga has ended once NOTIFY_CONFIRMED/NOTIFY_CANCELLED succeeded: from the saga row in orchestration, from the
 * timeline (NotificationSent) in choreography; GET /orders/:id shows both in the same shape.
 */
const sagaEnded = (order: OrderView) => order.history.some((entry) => (entry.step === 'NOTIFY_CONFIRMED' || entry.step === 'NOTIFY_CANCELLED') && entry.status === 'SUCCEEDED');

/**
 * Waits for the saga to end, polling at `pollMs`; latencies come from the server's own timestamps (the history's
 * `at`: the saga row's step times, or each event's occurredAt), so neither the polling interval nor the timeline
 * projector's lag adds to them. Client and services share this machine's clock. In choreography the timeline is
 * fed from four topics and may hold NotificationSent before OrderApproved, so polling goes on until both are in.
 */
async function oneOrder(orderUrl: string, mode: SagaMode, customerId: string, pollMs: number): Promise<{ startedAt: number; finalAt: number; endedAt: number }> {
  const startedAt = Date.now();
  const placed = await placeOrderAccepted(orderUrl, { customerId, items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: mode });
  let endSeenAt: number | undefined;
  for (;;) {
    const order = await getOrder(orderUrl, customerId, placed.orderId);
    if (sagaEnded(order)) {
      if (order.status !== 'APPROVED') throw new Error(`bench order ${order.orderId} (${mode}) ended ${order.status} (${order.failureReason})`);
      const at = (step: SagaStep) => order.history.find((entry) => entry.step === step && entry.status === 'SUCCEEDED')?.at;
      const [approved, ended] = [at(approvedStep[mode]), at('NOTIFY_CONFIRMED')];
      if (approved && ended) return { startedAt, finalAt: Date.parse(approved), endedAt: Date.parse(ended) };
      endSeenAt ??= Date.now();
      if (Date.now() - endSeenAt > 60_000) throw new Error(`bench order ${order.orderId} (${mode}) ended, but its history has no ${approvedStep[mode]}: ${JSON.stringify(order.history)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

/**
 * How often a sequential run asks whether its order has ended. The latencies come from the server's timestamps, so
 * this only delays the next order; asking every 2 ms was ~30 GETs per order, a load of its own on the order service
 * (and, with tracing on, each traced read cost the saga it was waiting for: half of the measured overhead).
 */
const sequentialPollMs = 10;

export async function runOrders(orderUrl: string, mode: SagaMode, count: number, order: 'sequential' | 'concurrent', customerPrefix: string): Promise<SagaRunResult> {
  const started = Date.now();
  const customer = (i: number) => `${customerPrefix}-${mode}-${order === 'sequential' ? 'seq' : 'con'}-${i % 10}`;
  const results =
    order === 'sequential'
      ? await (async () => {
          const done = [];
          for (let i = 0; i < count; i += 1) done.push(await oneOrder(orderUrl, mode, customer(i), sequentialPollMs));
          return done;
        })()
      : await Promise.all(Array.from({ length: count }, (_, i) => oneOrder(orderUrl, mode, customer(i), 250)));
  const wallMs = Math.max(...results.map((result) => result.endedAt)) - started;
  return {
    mode,
    orders: count,
    wallMs,
    ordersPerSecond: count / (wallMs / 1000),
    toFinalStatus: summarize(results.map((result) => result.finalAt - result.startedAt)),
    toSagaEnd: summarize(results.map((result) => result.endedAt - result.startedAt)),
  };
}
