// Orders end to end, in either saga mode: time from POST /orders to the order's final state and to the saga's last step.
import { randomBytes } from 'node:crypto';
import { adminBearer } from '@saga/auth/testing';
import { getOrder, listOrders, placeOrderAccepted, type OrderView, type SagaMode, type SagaStep } from '../e2e/support/order-client';
import { approvedStep, fetchOrderSpans, sagaTimeOf, type SagaTime } from './saga-time';
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
  /** Each order, when its POST was sent and when its saga ended (epoch ms): what its trace is split along. */
  timings: OrderTiming[];
}

export interface OrderTiming {
  orderId: string;
  startedAt: number;
  endedAt: number;
}


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
  orderId: string;
  startedAt: number;
  finalAt: number;
  endedAt: number;
}

async function place(orderUrl: string, mode: SagaMode, customerId: string, headers: Record<string, string> = {}): Promise<Placed> {
  const startedAt = Date.now();
  const placed = await placeOrderAccepted(orderUrl, { customerId, items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: mode }, headers);
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
      if (approved && ended) return { orderId, startedAt, finalAt: Date.parse(approved), endedAt: Date.parse(ended) };
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
    timings: results.map(({ orderId, startedAt, endedAt }) => ({ orderId, startedAt, endedAt })),
  };
}

export interface PairedRunResult {
  mode: SagaMode;
  /** POST sent → the saga's last step, of the traced and of the untraced orders. */
  traced: Summary;
  untraced: Summary;
  /** The median over the pairs of (traced − untraced) saga end, in ms: each pair ran back to back, so drift cancels. */
  pairedDifference: number;
  /** One order of each kind, to check what was traced (see observability-overhead). */
  sample: { traced: string; untraced: string };
}

/**
 * A traceparent whose sampled flag is off: every service inside the platform follows it (only the gateway, the edge,
 * would not), so the whole saga runs unsampled on a platform that traces everything else.
 */
const unsampledTraceparent = () => `00-${randomBytes(16).toString('hex')}-${randomBytes(8).toString('hex')}-00`;

/**
 * `pairs` pairs of sequential orders on one platform, one traced as every order is and one whose POST carries an
 * unsampled traceparent, back to back; which of the two goes first alternates from pair to pair. Two platforms of the
 * same build differ by more than tracing costs a saga (docs/benchmarks.md); two orders a few milliseconds apart on
 * the same one do not.
 */
export async function runPairedSequentialOrders(orderUrl: string, mode: SagaMode, pairs: number, customerPrefix: string): Promise<PairedRunResult> {
  const customer = (i: number) => `${customerPrefix}-${mode}-pair-${i % 10}`;
  const traced: Timing[] = [];
  const untraced: Timing[] = [];
  const sample = { traced: '', untraced: '' };
  const runOne = async (i: number, withTrace: boolean) => {
    const placed = await place(orderUrl, mode, customer(i), withTrace ? {} : { traceparent: unsampledTraceparent() });
    (withTrace ? traced : untraced).push(await sagaEnd(orderUrl, mode, placed, sequentialPollMs));
    sample[withTrace ? 'traced' : 'untraced'] = placed.orderId;
  };
  for (let i = 0; i < pairs; i += 1) {
    await runOne(i, i % 2 === 0);
    await runOne(i, i % 2 !== 0);
  }
  const toEnd = (timing: Timing) => timing.endedAt - timing.startedAt;
  return {
    mode,
    traced: summarize(traced.map(toEnd)),
    untraced: summarize(untraced.map(toEnd)),
    pairedDifference: summarize(traced.map((timing, i) => toEnd(timing) - toEnd(untraced[i]!))).p50,
    sample,
  };
}

/**
 * Where each order's saga time went, split along its trace as the platform's processes kept it (GET /admin/traces on
 * each); orders whose trace holds no span of their last step (not traced, or aged out) are left out.
 */
export async function sagaTimesOf(processUrls: readonly string[], timings: readonly OrderTiming[]): Promise<SagaTime[]> {
  const times: SagaTime[] = [];
  for (const timing of timings) {
    const time = sagaTimeOf(await fetchOrderSpans(processUrls, timing.orderId, adminBearer()), timing.startedAt, timing.endedAt);
    if (time) times.push(time);
  }
  return times;
}
