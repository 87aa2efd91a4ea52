// After the drain: the run's orders against the invariants, read through the gateway's admin API and judged by the
// chaos suite's own verdicts (test/e2e/support/order-verdicts.ts). Each check waits, within a bound, for what is
// still landing (a release, a refund, a notification retried) before it calls a difference a failure.
import { moneyVerdict, notificationVerdict, stockMismatches } from '../../test/e2e/support/order-verdicts';
import type { LoadClient, Session } from './load-client';
import type { Verdict } from './load-report';
import type { TrackedOrder } from './load-tracker';

export interface InvariantInput {
  client: LoadClient;
  admin: Session;
  orders: readonly TrackedOrder[];
  /** Stock of the skus the run touched, read after any restock and before the first order. */
  initialStock: Record<string, number>;
  /** Orders the run does not know of seen changing meanwhile (someone else's, or a POST without an answer). */
  foreign: number;
  drainSeconds: number;
  /** How long each check may wait for things still landing. */
  settleMs: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** `check` over `items`, 8 at a time; then again over those with a problem until none is left or the bound runs out. */
async function settled<T>(items: readonly T[], settleMs: number, check: (item: T) => Promise<string | undefined>): Promise<string[]> {
  const deadline = Date.now() + settleMs;
  let failing = [...items];
  for (;;) {
    const problems = new Map<T, string>();
    for (let i = 0; i < failing.length; i += 8) {
      await Promise.all(failing.slice(i, i + 8).map(async (item) => {
        // A read that fails (a 503 while a breaker is open) is a problem for now, read again on the next pass.
        const problem = await check(item).catch((error: unknown) => `could not be read: ${error instanceof Error ? error.message : String(error)}`);
        if (problem) problems.set(item, problem);
      }));
    }
    failing = [...problems.keys()];
    if (failing.length === 0 || Date.now() > deadline) return [...problems.values()];
    await sleep(1_000);
  }
}

export async function checkInvariants(input: InvariantInput): Promise<Verdict[]> {
  const { client, admin, orders } = input;
  const finals = orders.filter((order) => order.status !== 'PENDING');
  const stuck = orders.filter((order) => order.status === 'PENDING');
  const verdicts: Verdict[] = [];

  verdicts.push(stuck.length === 0
    ? { name: 'orders final', state: 'ok', summary: `all ${orders.length} accepted orders APPROVED or CANCELLED` }
    : { name: 'orders final', state: 'failed', summary: `${stuck.length} of ${orders.length} still PENDING ${input.drainSeconds} s after the last arrival`, problems: stuck.map((o) => `${o.orderId} ${o.sagaMode} (${o.kind})`) });

  // A declined card or an empty shelf never ends APPROVED, whatever faults ran meanwhile.
  const wronglyApproved = finals.filter((order) => order.kind !== 'good' && order.status === 'APPROVED');
  verdicts.push(wronglyApproved.length === 0
    ? { name: 'declined and out-of-stock orders', state: 'ok', summary: `none of ${finals.filter((o) => o.kind !== 'good').length} APPROVED` }
    : { name: 'declined and out-of-stock orders', state: 'failed', summary: `${wronglyApproved.length} APPROVED`, problems: wronglyApproved.map((o) => `${o.orderId} ${o.sagaMode} ${o.kind}`) });

  if (input.foreign > 0 || stuck.length > 0) {
    const why = input.foreign > 0 ? `${input.foreign} orders this run does not know of (someone else's, or a POST whose answer was lost) changed meanwhile` : `${stuck.length} orders may or may not hold a reservation yet`;
    verdicts.push({ name: 'stock', state: 'not checked', summary: `${why}: the stock cannot be attributed` });
  } else {
    const deadline = Date.now() + input.settleMs;
    const mismatchesNow = () => client.stock(admin).then((stock) => stockMismatches(input.initialStock, stock, finals), (error: unknown) => [`the catalog could not be read: ${String(error)}`]);
    let mismatches = await mismatchesNow();
    while (mismatches.length > 0 && Date.now() < deadline) {
      await sleep(1_000);
      mismatches = await mismatchesNow();
    }
    verdicts.push(mismatches.length > 0
      ? { name: 'stock', state: 'failed', summary: 'available ≠ initial − what the approved orders took', problems: mismatches }
      : { name: 'stock', state: 'ok', summary: `${Object.keys(input.initialStock).length} skus: available = initial − what the ${finals.filter((o) => o.status === 'APPROVED').length} approved orders took` });
  }

  let booksMissing = false;
  let doubleCharges = 0;
  const money = await settled(finals, input.settleMs, async (order) => {
    const ledger = await client.ledger(admin, order.orderId).catch((error: unknown) => (error instanceof Error ? error : new Error(String(error))));
    if (ledger === 'unavailable') {
      booksMissing = true;
      return undefined;
    }
    if (ledger instanceof Error) return `order ${order.orderId}: the provider's books could not be read: ${ledger.message}`;
    const verdict = moneyVerdict(order, ledger);
    if (verdict.doubleCharge) doubleCharges += 1;
    return verdict.problem;
  });
  if (booksMissing) verdicts.push({ name: "money (provider's books)", state: 'not checked', summary: "this gateway does not expose the provider's books (GET /api/admin/provider/charges: 404)" });
  else verdicts.push(money.length === 0
    ? { name: "money (provider's books)", state: 'ok', summary: `captured − refunded = the total of each approved order, 0 for each cancelled one (${finals.length} orders)` }
    : { name: "money (provider's books)", state: 'failed', summary: `${money.length} orders out of balance${doubleCharges > 0 ? `, ${doubleCharges} charged twice or more than their total` : ''}`, problems: money });

  const notices = await settled(finals, input.settleMs, async (order) => notificationVerdict(order, await client.notifications(admin, order.orderId)));
  verdicts.push(notices.length === 0
    ? { name: 'notifications', state: 'ok', summary: `exactly one of the right kind, sent, for each of ${finals.length} orders` }
    : { name: 'notifications', state: 'failed', summary: `${notices.length} orders without exactly one sent notification of the right kind`, problems: notices });

  const ours = new Set(orders.map((order) => order.orderId));
  const parked = await client.parkedSagas(admin).then((ids) => ids.filter((orderId) => ours.has(orderId)), (error: unknown) => (error instanceof Error ? error : new Error(String(error))));
  if (parked instanceof Error) verdicts.push({ name: 'parked sagas', state: 'not checked', summary: `GET /api/admin/orders?sagaStatus=COMPENSATION_FAILED failed: ${parked.message}` });
  else verdicts.push(parked.length === 0
    ? { name: 'parked sagas', state: 'ok', summary: 'none of this run in COMPENSATION_FAILED' }
    : { name: 'parked sagas', state: 'failed', summary: `${parked.length} in COMPENSATION_FAILED (an operator's retry: POST /api/admin/orders/{id}/retry-compensation)`, problems: parked });
  return verdicts;
}
