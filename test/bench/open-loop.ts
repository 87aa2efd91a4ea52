// An open-loop run for the bench: `npm run load`'s generator (scripts/load) at a fixed rate through a gateway, its
// POST → final p50 / p99 measured from when each order was due, so queueing behind a saturated platform counts.
import { performance } from 'node:perf_hooks';
import type { TraceSpan } from '@saga/tracing';
import type { LoadMode } from '../../scripts/load/load-args';
import { runLoad } from '../../scripts/load/load-run';
import type { TrackedOrder } from '../../scripts/load/load-tracker';
import { gatewayCall, login } from '../e2e/support/gateway-client';
import type { OrderView } from '../e2e/support/order-client';
import { coreShareBetween, type CpuSample } from './cpu-accounting';
import { approvedStep, meanSagaTime, printSagaTime, sagaPathOf, type SagaTime } from './saga-time';

/** Issue 19: at half the measured maximum rate, p99 of POST → final state stays under this. */
export const OPEN_LOOP_P99_TARGET_MS = 250;

export interface OpenLoopOptions {
  gatewayUrl: string;
  ratePerSecond: number;
  durationSeconds: number;
  mode?: LoadMode;
  drainSeconds?: number;
}

export interface OpenLoopResult {
  ratePerSecond: number;
  orders: number;
  approved: number;
  cancelled: number;
  refused: number;
  stuck: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Orders that reached a final state per second of the run (first arrival → last final). */
  finalPerSecond: number;
  /** The invariants the generator checked that failed (empty: all held). */
  failed: string[];
  /** The generator's own report, for a run that needs reading. */
  report: string[];
  /** Every order placed, as the generator last saw it. */
  placed: TrackedOrder[];
}

/** The demo users of the local modes (the bench's gateways run with them): the load's customers, its admin. */
const demoUsers = {
  alice: { username: 'alice', password: 'alice-secret' },
  bob: { username: 'bob', password: 'bob-secret' },
  admin: { username: 'admin', password: 'admin-secret' },
};

/** Good cards only, both modes, as the demo users. */
export async function measureOpenLoop(options: OpenLoopOptions): Promise<OpenLoopResult> {
  const report: string[] = [];
  const result = await runLoad(
    {
      url: options.gatewayUrl,
      ratePerSecond: options.ratePerSecond,
      durationSeconds: options.durationSeconds,
      mode: options.mode ?? 'mixed',
      declined: 0,
      outOfStock: 0,
      faults: [],
      drainSeconds: options.drainSeconds ?? 60,
      customers: [demoUsers.alice, demoUsers.bob],
      admin: demoUsers.admin,
    },
    { line: (text) => report.push(text), progress: () => undefined },
  );
  const { stats } = result;
  const toFinal = stats.toFinal.all;
  const at = (percentile: number) => (toFinal.totalCount === 0 ? Number.NaN : toFinal.getValueAtPercentile(percentile) / 1000);
  return {
    ratePerSecond: options.ratePerSecond,
    orders: stats.scheduled,
    approved: stats.approved,
    cancelled: stats.cancelled,
    refused: stats.refused,
    stuck: stats.stuck,
    p50Ms: at(50),
    p99Ms: at(99),
    maxMs: at(100),
    finalPerSecond: (stats.approved + stats.cancelled) / result.wallSeconds,
    failed: result.verdicts.filter((v) => v.state === 'failed').map((v) => v.name),
    report,
    placed: result.orders,
  };
}


/** What profileOpenLoop found: the split of the slowest and of typical orders, and where the slowest waited. */
export interface OpenLoopProfile {
  slowest: SagaTime[];
  typical: SagaTime[];
  slowestMs: number[];
  typicalMs: number[];
  /** Per slow order: its mode, when it was due (s into the run), and the longest wait on its path. */
  slowestWaits: string[];
  /** Each process group's CPU (% of one core) while each slowest order was in flight (the mean), against the whole run. */
  cpuDuringSlowest?: { fromS: number; toS: number; rows: { name: string; during: number; run: number }[] };
}

/**
 * Where the open loop's slowest approved orders (its top 1 %, at least five) spent their time, beside twenty around
 * its median: each order's trace as the gateway merges it (GET /api/admin/traces/{id}), split from when the order was
 * due to when its saga approved it (its history's step time), as sagaTimeOf does. A tail is a queue somewhere; this
 * says which hop's.
 */
export async function profileOpenLoop(gatewayUrl: string, result: OpenLoopResult, cpu?: readonly CpuSample[]): Promise<OpenLoopProfile> {
  const approved = result.placed
    .filter((order) => order.status === 'APPROVED' && order.finalAt !== undefined)
    .sort((a, b) => a.finalAt! - a.dueAt - (b.finalAt! - b.dueAt));
  const tailCount = Math.max(5, Math.ceil(approved.length / 100));
  const middle = Math.floor(approved.length / 2);
  const groups = { slowest: approved.slice(-tailCount), typical: approved.slice(Math.max(0, middle - 10), middle + 10) };
  // One login per user (the gateway limits logins): the promise is kept, so concurrent lookups share it.
  const tokens = new Map<string, Promise<string>>();
  const tokenOf = (username: string) => {
    if (!tokens.has(username)) tokens.set(username, login(gatewayUrl, username, Object.values(demoUsers).find((user) => user.username === username)?.password ?? ''));
    return tokens.get(username)!;
  };
  const pathOf = async (order: TrackedOrder) => {
    const view = await gatewayCall<OrderView>(gatewayUrl, 'GET', `/api/orders/${order.orderId}`, { authorization: await tokenOf(order.customer) });
    const at = view.status === 200 ? view.body.history.find((entry) => entry.step === approvedStep[order.sagaMode] && entry.status === 'SUCCEEDED')?.at : undefined;
    if (!at) return undefined;
    const trace = await gatewayCall<{ spans: TraceSpan[] }>(gatewayUrl, 'GET', `/api/admin/traces/${order.orderId}`, { authorization: await tokenOf('admin') });
    return trace.status === 200 ? sagaPathOf(trace.body.spans, performance.timeOrigin + order.dueAt, Date.parse(at)) : undefined;
  };
  const firstDue = Math.min(...result.placed.map((order) => order.dueAt));
  const slowestWaits: string[] = [];
  const timesOf = async (orders: TrackedOrder[], noteWaits: boolean) => {
    const times: SagaTime[] = [];
    for (const order of orders) {
      const path = await pathOf(order);
      if (!path) continue;
      times.push(path.time);
      const wait = path.longestWait;
      if (noteWaits) {
        slowestWaits.push(`${order.sagaMode.padEnd(13)} due at ${((order.dueAt - firstDue) / 1000).toFixed(1).padStart(5)} s (${new Date(performance.timeOrigin + order.dueAt).toISOString().slice(11, 23)}), ${(order.finalAt! - order.dueAt).toFixed(0)} ms; longest wait ${wait ? `${wait.ms.toFixed(0)} ms (${wait.share}) before ${wait.into}` : 'none'}`);
      }
    }
    return times;
  };
  const latencies = (orders: TrackedOrder[]) => orders.map((order) => order.finalAt! - order.dueAt);
  const profile: OpenLoopProfile = { slowest: await timesOf(groups.slowest, true), typical: await timesOf(groups.typical, false), slowestMs: latencies(groups.slowest), typicalMs: latencies(groups.typical), slowestWaits };
  if (cpu && cpu.length > 1 && groups.slowest.length > 0) {
    // Each slow order's own window (due → final), averaged: a stall shows as a group far above its run average.
    const epoch = (at: number) => performance.timeOrigin + at;
    const windows = groups.slowest.map((order) => coreShareBetween(cpu, epoch(order.dueAt), epoch(order.finalAt!)));
    const run = coreShareBetween(cpu, cpu[0]!.at, cpu.at(-1)!.at);
    profile.cpuDuringSlowest = {
      fromS: (Math.min(...groups.slowest.map((order) => order.dueAt)) - firstDue) / 1000,
      toS: (Math.max(...groups.slowest.map((order) => order.finalAt!)) - firstDue) / 1000,
      rows: run.map((group) => ({
        name: group.name,
        during: windows.reduce((sum, shares) => sum + (shares.find((share) => share.name === group.name)?.percentOfCore ?? 0), 0) / windows.length,
        run: group.percentOfCore,
      })),
    };
  }
  return profile;
}

export function printOpenLoopProfile(profile: OpenLoopProfile): void {
  const range = (values: number[]) => `${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)} ms POST → approved`;
  if (profile.typical.length > 0) printSagaTime(`typical open-loop (${range(profile.typicalMs)})`, meanSagaTime(profile.typical), profile.typical.length);
  if (profile.slowest.length > 0) {
    printSagaTime(`slowest open-loop (${range(profile.slowestMs)})`, meanSagaTime(profile.slowest), profile.slowest.length);
    for (const line of profile.slowestWaits) console.log(`    ${line}`);
  }
  const cpu = profile.cpuDuringSlowest;
  if (cpu) {
    console.log(`  CPU while each of the slowest was in flight (between ${cpu.fromS.toFixed(1)} and ${cpu.toS.toFixed(1)} s into the run; 250 ms samples), % of one core, against the whole run:`);
    for (const row of cpu.rows) console.log(`    ${row.name.padEnd(14)} ${row.during.toFixed(0).padStart(4)} %  (run ${row.run.toFixed(0)} %)`);
  }
  if (profile.typical.length + profile.slowest.length === 0) console.log('  (no traces of the open loop\'s orders: tracing is off)');
}

export function printOpenLoop(label: string, r: OpenLoopResult): void {
  const verdict = r.p99Ms < OPEN_LOOP_P99_TARGET_MS ? 'met' : 'MISSED';
  console.log(`\n${label}: open loop, ${r.ratePerSecond.toFixed(1)} orders/s offered (${r.orders} orders, the generator of npm run load)`);
  console.log(`  approved ${r.approved}  cancelled ${r.cancelled}  refused ${r.refused}  stuck ${r.stuck}; ${r.finalPerSecond.toFixed(1)} orders/s reached a final state`);
  console.log(`  POST → final (from when each order was due)  p50 ${r.p50Ms.toFixed(1)} ms  p99 ${r.p99Ms.toFixed(1)} ms  max ${r.maxMs.toFixed(1)} ms (target p99 < ${OPEN_LOOP_P99_TARGET_MS} ms: ${verdict})`);
  if (r.failed.length > 0) console.log(`  INVARIANTS FAILED: ${r.failed.join(', ')}\n  ${r.report.join('\n  ')}`);
}
