// Orders end to end, in either saga mode: time from POST /orders to the order's final state and to the saga's last step.
import { getOrder, listOrders, placeOrderAccepted, type OrderView, type SagaMode, type SagaStep } from '../e2e/support/order-client';
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

interface Placed {
  orderId: string;
  customerId: string;
  /** When the POST was sent. */
  startedAt: number;
}

interface Timing {
  startedAt: number;
  finalAt: number;
  endedAt: number;
}

async function place(orderUrl: string, mode: SagaMode, customerId: string): Promise<Placed> {
  const startedAt = Date.now();
  const placed = await placeOrderAccepted(orderUrl, { customerId, items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: mode });
  return { orderId: placed.orderId, customerId, startedAt };
}

/**
 * Waits for the saga to end, polling at `pollMs`; latencies come from the server's own timestamps (the history's
 * `at`: the saga row's step times, or each event's occurredAt), so neither the polling interval nor the timeline
 * projector's lag adds to them. Client and services share this machine's clock. In choreography the timeline is
 * fed from four topics and may hold NotificationSent before OrderApproved, so polling goes on until both are in.
 */
async function sagaEnd(orderUrl: string, mode: SagaMode, { orderId, customerId, startedAt }: Placed, pollMs: number): Promise<Timing> {
  let endSeenAt: number | undefined;
  for (;;) {
    const order = await getOrder(orderUrl, customerId, orderId);
    if (sagaEnded(order)) {
      if (order.status !== 'APPROVED') throw new Error(`bench order ${order.orderId} (${mode}) ended ${order.status} (${order.failureReason})`);
      const at = (step: SagaStep) => order.history.find((entry) => entry.step === step && entry.status === 'SUCCEEDED')?.at;
      const [approved, ended] = [at(approvedStep[mode]), at('NOTIFY_CONFIRMED')];
      if (approved && ended) return { startedAt, finalAt: Date.parse(approved), endedAt: Date.parse(ended) };
      endSeenAt ??= Date.now();
      if (Date.now() - endSeenAt > 60_000) throw new Error(`bench order ${order.orderId} (${mode}) ended, but its history has no ${approvedStep[mode]}: ${JSON.stringify(order.history)}`);
    }
    await sleep(pollMs);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const finalStatuses = new Set(['APPROVED', 'CANCELLED']);

/**
 * Waits until every placed order has a final status, reading each customer's order list (a page of 100 at a time)
 * every 250 ms. One GET per order every 250 ms, as this run did before 12-07, was 800 requests a second on the order
 * service for 200 orders in flight: a load of the bench's own, on the cores the sagas it measures need.
 */
async function waitForFinalStatuses(orderUrl: string, placed: readonly Placed[], timeoutMs: number): Promise<void> {
  const pending = new Set(placed.map((order) => order.orderId));
  const customers = [...new Set(placed.map((order) => order.customerId))];
  const deadline = Date.now() + timeoutMs;
  while (pending.size > 0) {
    if (Date.now() > deadline) throw new Error(`${pending.size} of ${placed.length} bench orders had no final status after ${timeoutMs / 1000} s`);
    await sleep(250);
    for (const customerId of customers) {
      let cursor: string | undefined;
      do {
        const page = await listOrders(orderUrl, customerId, { limit: 100, ...(cursor ? { cursor } : {}) });
        for (const order of page.items) if (finalStatuses.has(order.status)) pending.delete(order.orderId);
        cursor = page.nextCursor;
      } while (cursor);
    }
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
          for (let i = 0; i < count; i += 1) done.push(await sagaEnd(orderUrl, mode, await place(orderUrl, mode, customer(i)), sequentialPollMs));
          return done;
        })()
      : await (async () => {
          const placed = await Promise.all(Array.from({ length: count }, (_, i) => place(orderUrl, mode, customer(i))));
          await waitForFinalStatuses(orderUrl, placed, 10 * 60_000);
          // One GET per order for its history's timestamps (again for the few whose notification is still on its way).
          return Promise.all(placed.map((order) => sagaEnd(orderUrl, mode, order, 50)));
        })();
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
