// One load run, start to verdict: sign in, stock the shelves, add the fault rules, send the open-loop arrivals, remove
// the rules, drain, check the invariants, report. `npm run load` and the bench (test/bench/open-loop.ts) both call it.
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { setImmediate as yieldToIo, setTimeout as sleep } from 'node:timers/promises';
import { sagaModes, type SagaMode } from '@saga/contracts';
import type { LoadOptions } from './load-args';
import { LoadClient, type Session } from './load-client';
import { checkInvariants } from './load-invariants';
import { LoadStats, finalReport, progressLine, rateLimitWarning, type Verdict } from './load-report';
import { arrivalCount, arrivals, orderRequest, type Arrival } from './load-schedule';
import { prepareStock, type PreparedStock } from './load-stock';
import { OrderTracker, type TrackedOrder } from './load-tracker';

export interface LoadIO {
  /** A line of the report. */
  line(text: string): void;
  /** The live progress line: redrawn in place on a terminal, printed now and then otherwise. */
  progress(text: string): void;
}

export interface LoadResult {
  /** 0: every invariant holds; 1: one failed, or orders were stuck; 130: interrupted. */
  exitCode: number;
  stats: LoadStats;
  verdicts: Verdict[];
  /** First arrival → every order final (or the drain's end). */
  wallSeconds: number;
  /** Every order placed, as the run last saw it. */
  orders: TrackedOrder[];
}

/** What every phase of one run shares. */
interface Run {
  id: string;
  options: LoadOptions;
  io: LoadIO;
  client: LoadClient;
  admin: Session;
  customers: Session[];
  stock: PreparedStock;
  stats: LoadStats;
  tracker: OrderTracker;
  signal?: AbortSignal;
}

const pct = (share: number) => `${+(share * 100).toFixed(2)}%`;
const message = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** Why a request got no HTTP answer: timed out (the client's 15 s), or the connection's error code (ECONNRESET…). */
function noAnswer(error: unknown): string {
  const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return 'no answer within 15 s';
  return `no answer (${cause instanceof Error ? ((cause as NodeJS.ErrnoException).code ?? cause.message) : String(cause)})`;
}

/** A POST answered 2xx with an order id is placed; 502/503/504 and network errors are tried again with the same key. */
async function placeOne(r: Run, arrival: Arrival, dueAt: number): Promise<void> {
  const request = orderRequest(arrival, r.stock.plan);
  const customer = r.customers[arrival.index % r.customers.length]!;
  const sentAt = performance.now();
  r.stats.recordSent(sentAt - dueAt);
  let reason = '';
  for (let attempt = 0; attempt < 3; attempt += 1) {
    if (attempt > 0) await sleep(250 * 2 ** attempt);
    try {
      // The key makes a retried POST whose answer was lost the same order, never a second one.
      const answer = await r.client.placeOrder(customer, request, `load-${r.id}-${arrival.index}`);
      if (answer.status >= 200 && answer.status < 300 && typeof answer.body?.orderId === 'string') {
        r.stats.recordPlaced(performance.now() - sentAt);
        r.tracker.placed({ index: arrival.index, orderId: answer.body.orderId, sagaMode: arrival.sagaMode, kind: arrival.kind, dueAt, customer: customer.username, items: request.items, totalCents: answer.body.totalCents ?? 0, status: 'PENDING' });
        return;
      }
      reason = `${answer.status} ${(answer.body as { error?: { code?: string } } | undefined)?.error?.code ?? ''}`.trim();
      if (![502, 503, 504].includes(answer.status)) break;
    } catch (error) {
      reason = noAnswer(error);
    }
  }
  r.stats.recordRefused(arrival.sagaMode, reason);
}

/** Open loop: each order leaves when it is due, whether or not earlier ones were answered. */
async function sendArrivals(r: Run, started: number): Promise<void> {
  const posts = new Set<Promise<void>>();
  for (const arrival of arrivals(r.options)) {
    const dueAt = started + arrival.atMs;
    const wait = dueAt - performance.now();
    if (wait > 1) await sleep(wait, undefined, { signal: r.signal }).catch(() => undefined);
    // Behind schedule, orders go out back to back; a yield now and then lets their answers in.
    else if (arrival.index % 64 === 0) await yieldToIo();
    if (r.signal?.aborted) break;
    const post = placeOne(r, arrival, dueAt);
    posts.add(post);
    void post.finally(() => posts.delete(post));
  }
  await Promise.all(posts);
}

/**
 * The fault rules last as long as the arrivals: added just before, removed before the drain so their victims can heal.
 * Returns the rules that could not be removed (a platform left broken is a failed run).
 */
async function withFaults(r: Run, body: () => Promise<void>): Promise<string[]> {
  const rules: { spec: string; service: string; id: string }[] = [];
  const leftBehind: string[] = [];
  try {
    for (const fault of r.options.faults) {
      rules.push({ spec: fault.spec, service: fault.service, id: (await r.client.addFault(r.admin, fault.service, fault.rule, fault.spec)).id });
      r.io.line(`fault ${fault.spec}: rule added on ${fault.service}`);
    }
    await body();
  } finally {
    for (const rule of rules) {
      const fired = await r.client.removeFault(r.admin, rule.service, rule.id).catch((error: unknown) => {
        leftBehind.push(`${rule.spec}: remove it with DELETE /api/admin/faults/${rule.service}/${rule.id} (${message(error)})`);
        return 'NOT removed';
      });
      r.io.line(`fault ${rule.spec}: ${typeof fired === 'number' ? `fired ${fired} times, removed` : (fired ?? 'removed (it was already gone)')}`);
    }
  }
  return leftBehind;
}

async function drive(r: Run): Promise<LoadResult> {
  const { options, io, stats, tracker } = r;
  const started = performance.now();
  const ticker = setInterval(() => io.progress(progressLine(stats, performance.now() - started)), 1_000);
  let leftBehind: string[];
  try {
    leftBehind = await withFaults(r, () => sendArrivals(r, started));
    const drainDeadline = performance.now() + options.drainSeconds * 1000;
    while (tracker.pending.length > 0 && performance.now() < drainDeadline && !r.signal?.aborted) await sleep(100);
    // Anything the stream did not report is read once more before it is called stuck.
    await tracker.sweepAll();
  } finally {
    clearInterval(ticker);
  }
  const wallSeconds = (performance.now() - started) / 1000;
  io.progress(progressLine(stats, performance.now() - started));
  const interrupted = r.signal?.aborted ?? false;
  for (const order of tracker.pending) stats.recordPending(order.sagaMode, interrupted);
  tracker.stop();
  const verdicts = interrupted
    ? []
    : await checkInvariants({ client: r.client, admin: r.admin, orders: tracker.all, initialStock: r.stock.initial, foreign: tracker.foreign, drainSeconds: options.drainSeconds, settleMs: 30_000 });
  if (leftBehind.length > 0) verdicts.push({ name: 'fault rules removed', state: 'failed', summary: `${leftBehind.length} still in force`, problems: leftBehind });
  const modes: readonly SagaMode[] = options.mode === 'mixed' ? sagaModes : [options.mode];
  finalReport({ run: r.id, stats, modes, verdicts, interrupted, wallSeconds }).forEach((line) => io.line(line));
  const exitCode = interrupted ? 130 : verdicts.some((v) => v.state === 'failed') ? 1 : 0;
  return { exitCode, stats, verdicts, wallSeconds, orders: r.tracker.all };
}

export async function runLoad(options: LoadOptions, io: LoadIO, signal?: AbortSignal): Promise<LoadResult> {
  const client = new LoadClient(options.url);
  const id = randomBytes(4).toString('hex');
  const count = arrivalCount(options);
  io.line(`load ${id}: ${options.ratePerSecond} orders/s for ${options.durationSeconds} s (${count} orders, open loop) through ${options.url}; mode ${options.mode}, ${pct(options.declined)} declined cards, ${pct(options.outOfStock)} out of stock`);
  const admin = await client.login(options.admin);
  const customers = await Promise.all(options.customers.map((credentials) => client.login(credentials)));
  const warning = rateLimitWarning(options.ratePerSecond, customers.length, (await client.catalog(customers[0]!)).limit);
  if (warning) io.line(warning);
  const stock = await prepareStock(client, admin, options);
  const restocked = Object.entries(stock.restocked).map(([sku, n]) => `${sku} +${n}`);
  if (restocked.length > 0) io.line(`restocked ${restocked.join(', ')} so that no order finds an empty shelf by accident`);
  if (options.outOfStock > 0) io.line(`out-of-stock orders ask for ${stock.plan.scarce.quantity} × ${stock.plan.scarce.sku}`);
  const stats = new LoadStats(count);
  const tracker = new OrderTracker(client, admin, stats);
  await tracker.start();
  io.line(`following the orders through ${tracker.how}; orders placed as ${customers.map((c) => c.username).join(', ')}, checked as ${admin.username}`);
  try {
    return await drive({ id, options, io, client, admin, customers, stock, stats, tracker, ...(signal ? { signal } : {}) });
  } finally {
    tracker.stop();
  }
}
