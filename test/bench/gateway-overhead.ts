// What the gateway costs: GET /api/inventory/products through it (JWT, rate limit, breaker, proxy) against GET /products on the inventory directly,
// and against the least any Node proxy costs here (bare-proxy.js), with each side's CPU per request.
import { join } from 'node:path';
import autocannon from 'autocannon';
import type { Platform } from '../e2e/support/platform-processes';
import { freePort, ServiceProcess } from '../e2e/support/service-process';
import { testSigningKeyPem } from '@saga/auth/testing';
import { childEnv, login, repoRoot } from './bench-process';
import { cpuBetween, infrastructureGroups, sampleCpu, type CpuGroup } from './cpu-accounting';
import { ms, summarize, type Summary } from './stats';

export interface OverheadOptions {
  /** Alternating gateway/direct pairs; alternating spreads whatever else the machine does over both sides. */
  rounds: number;
  roundSeconds: number;
  warmupSeconds: number;
  connections: number;
  /** Also load a bare Node proxy in front of the inventory: the ratio a Node proxy reaches here doing nothing else. */
  withFloor?: boolean;
}

export type Side = 'gateway' | 'bare proxy' | 'direct';

export interface LoadRound {
  side: Side;
  round: number;
  /** 2xx answers per second over the round: a 429 or 503 must not count as throughput. */
  okPerSecond: number;
  p50: number;
  p99: number;
  /**
   * Mean latency implied by the rate (Little's law: connections ÷ answers per second). A cross-check on p50/p99:
   * when the server closes each connection, autocannon re-sends and its latency histogram stops meaning much.
   */
  impliedMeanMs: number;
  /** Requests autocannon sent per answer it got: ~1 normally, ~2 when every answer closed its connection. */
  sentPerAnswer: number;
  /** Anything but a 2xx, plus connection errors and timeouts: non-zero means the figures are not comparable. */
  failures: number;
  /** µs of CPU per 2xx answer of each process that served the round (the proxy, the inventory, PostgreSQL, the load generator). */
  cpuUsPerRequest: { name: string; us: number }[];
}

type SideSummary = { okPerSecond: number; p50: number; p99: number; cpuUsPerRequest: { name: string; us: number }[] };

export interface OverheadResult {
  /** The Connection header of one answer per side: `close` means a new TCP connection per request. */
  connection: { gateway: string; direct: string };
  rounds: LoadRound[];
  gateway: SideSummary;
  direct: SideSummary;
  /** The bare proxy's rounds, when `withFloor`. */
  bareProxy?: SideSummary;
  /** gateway ÷ direct throughput over all rounds (target ≥ 0.7). */
  ratio: number;
  /** bare proxy ÷ direct: the same ratio for a proxy that does nothing else, when `withFloor`. */
  floorRatio?: number;
  /** Per-request latency timed by this process (fetch, same connection count): valid whatever the Connection header. */
  timed: { gateway: Summary; direct: Summary };
}

async function load(url: string, seconds: number, connections: number, headers: Record<string, string>): Promise<autocannon.Result> {
  return autocannon({ url, method: 'GET', headers, connections, duration: seconds });
}

function toRound(side: Side, round: number, result: autocannon.Result, cpu: { name: string; ms: number }[]): LoadRound {
  const answered = result.requests.total;
  const ok = Math.max(1, result['2xx']);
  return {
    side,
    round,
    okPerSecond: result['2xx'] / result.duration,
    p50: result.latency.p50,
    p99: result.latency.p99,
    impliedMeanMs: (result.connections * 1000) / Math.max(1e-9, answered / result.duration),
    sentPerAnswer: result.requests.sent / Math.max(1, answered),
    failures: result.non2xx + result.errors + result.timeouts,
    cpuUsPerRequest: cpu.map((use) => ({ name: use.name, us: (use.ms * 1000) / ok })),
  };
}

/**
 * `connections` closed-loop clients timing each request themselves. autocannon's histogram is wrong when the server
 * closes every connection (it re-sends the request lost with the socket and times across it), so this is the
 * latency figure that holds for both sides; fetch's pool reconnects as a browser would.
 */
async function timeRequests(url: string, headers: Record<string, string>, connections: number, seconds: number): Promise<Summary> {
  const samples: number[] = [];
  const deadline = Date.now() + seconds * 1000;
  const client = async () => {
    while (Date.now() < deadline) {
      const started = performance.now();
      const response = await fetch(url, { headers });
      await response.arrayBuffer();
      if (response.status === 200) samples.push(performance.now() - started);
    }
  };
  await Promise.all(Array.from({ length: connections }, client));
  return summarize(samples);
}

/** One plain request: fails early on a bad token or route, and tells whether the side keeps connections alive. */
async function connectionHeader(url: string, headers: Record<string, string>): Promise<string> {
  const response = await fetch(url, { headers });
  await response.arrayBuffer();
  if (response.status !== 200) throw new Error(`GET ${url}: ${response.status}`);
  return response.headers.get('connection') ?? 'keep-alive';
}

const mean = (values: readonly number[]) => values.reduce((sum, value) => sum + value, 0) / Math.max(1, values.length);

function sideSummary(rounds: readonly LoadRound[]): SideSummary {
  // Each round runs the same length of time, so the mean of the rounds' rates is the rate over all of them.
  const names = rounds[0]?.cpuUsPerRequest.map((use) => use.name) ?? [];
  const cpuUsPerRequest = names.map((name) => ({ name, us: mean(rounds.map((r) => r.cpuUsPerRequest.find((use) => use.name === name)?.us ?? 0)) }));
  return { okPerSecond: mean(rounds.map((r) => r.okPerSecond)), p50: mean(rounds.map((r) => r.p50)), p99: mean(rounds.map((r) => r.p99)), cpuUsPerRequest };
}

/** The bare proxy (bare-proxy.js) in front of the inventory, as a process of its own. */
function bareProxyProcess(platform: Platform, port: number): ServiceProcess {
  return new ServiceProcess({
    name: 'bare-proxy',
    script: join(repoRoot, 'test/bench/bare-proxy.js'),
    port,
    env: childEnv({ PORT: String(port), UPSTREAM_URL: platform.urls.inventory }),
    logFile: join(platform.logDir, 'bare-proxy.log'),
  });
}

/**
 * Starts a standalone gateway (gateway/dist/main.js) in front of the platform's services — static upstream URLs,
 * in-memory rate limits (no REDIS_URL, no CONSUL_URL) with the per-user limit raised far above what the load can
 * reach, plus `gatewayEnv` — and loads both paths with the same connection count. The load generator runs in this process, on the
 * same cores as the gateway and the services.
 */
export async function measureGatewayOverhead(platform: Platform, options: OverheadOptions, gatewayEnv: Record<string, string> = {}): Promise<OverheadResult> {
  const script = join(repoRoot, 'gateway/dist/main.js');
  const port = await freePort();
  const gateway = new ServiceProcess({
    name: 'gateway',
    script,
    port,
    env: childEnv({
      PORT: String(port),
      HOST: '127.0.0.1',
      // The local demo mode (alice), signing with the bench process's key: no key file written.
      DEMO_USERS_ENABLED: 'true',
      JWT_SIGNING_KEY: testSigningKeyPem(),
      ORDER_URL: platform.urls.order,
      INVENTORY_URL: platform.urls.inventory,
      PAYMENT_URL: platform.urls.payment,
      NOTIFICATION_URL: platform.urls.notification,
      RATE_LIMIT_MAX: '100000000',
      LOG_LEVEL: 'warn',
      // The setting under test (tracing, metrics) applies to this gateway as to the services behind it.
      ...gatewayEnv,
    }),
    logFile: join(platform.logDir, 'gateway.log'), // next to the services' logs
  });
  const bare = options.withFloor ? bareProxyProcess(platform, await freePort()) : undefined;
  gateway.start();
  bare?.start();
  try {
    await gateway.waitReady(30_000);
    await bare?.waitReady(10_000);
    const token = await login(gateway.url, 'alice', 'alice-secret');
    const targets: Partial<Record<Side, { url: string; headers: Record<string, string> }>> & Record<'gateway' | 'direct', { url: string; headers: Record<string, string> }> = {
      gateway: { url: `${gateway.url}/api/inventory/products`, headers: { authorization: `Bearer ${token}` } },
      direct: { url: `${platform.urls.inventory}/products`, headers: {} },
      ...(bare ? { 'bare proxy': { url: `${bare.url}/products`, headers: {} } } : {}),
    };
    const sides = (['gateway', 'bare proxy', 'direct'] as const).filter((side) => targets[side] !== undefined);
    const connection = { gateway: await connectionHeader(targets.gateway.url, targets.gateway.headers), direct: await connectionHeader(targets.direct.url, targets.direct.headers) };
    // Each round's CPU, per process: what a request costs each of them, read from /proc (Linux).
    const pidGroup = (name: string, child: ServiceProcess | undefined): CpuGroup => ({ name, pids: () => [child?.pid].filter((pid): pid is number => pid !== undefined) });
    const cpuGroups: CpuGroup[] = [
      pidGroup('gateway', gateway),
      ...(bare ? [pidGroup('bare proxy', bare)] : []),
      { name: 'inventory', pids: () => [platform.pid('inventory')].filter((pid): pid is number => pid !== undefined) },
      ...infrastructureGroups.filter((group) => group.name === 'postgresql'),
      { name: 'load generator', pids: () => [process.pid] },
    ];
    // Warm-up: JIT, keep-alive sockets to the upstream, PostgreSQL's caches; not counted.
    for (const side of sides) await load(targets[side]!.url, options.warmupSeconds, options.connections, targets[side]!.headers);
    const rounds: LoadRound[] = [];
    for (let round = 1; round <= options.rounds; round += 1) {
      for (const side of sides) {
        const before = sampleCpu(cpuGroups);
        const result = await load(targets[side]!.url, options.roundSeconds, options.connections, targets[side]!.headers);
        const used = cpuBetween(before, sampleCpu(cpuGroups)).uses;
        rounds.push(toRound(side, round, result, used));
      }
    }
    const timed = {
      gateway: await timeRequests(targets.gateway.url, targets.gateway.headers, options.connections, options.roundSeconds),
      direct: await timeRequests(targets.direct.url, targets.direct.headers, options.connections, options.roundSeconds),
    };
    const gatewaySide = sideSummary(rounds.filter((r) => r.side === 'gateway'));
    const directSide = sideSummary(rounds.filter((r) => r.side === 'direct'));
    const bareSide = bare ? sideSummary(rounds.filter((r) => r.side === 'bare proxy')) : undefined;
    return {
      connection,
      rounds,
      gateway: gatewaySide,
      direct: directSide,
      ratio: gatewaySide.okPerSecond / directSide.okPerSecond,
      ...(bareSide ? { bareProxy: bareSide, floorRatio: bareSide.okPerSecond / directSide.okPerSecond } : {}),
      timed,
    };
  } catch (error) {
    // The gateway's log tail is what explains a failed login or a refused load.
    throw new Error(`${error instanceof Error ? error.message : String(error)}\n${gateway.failure('during the gateway overhead bench').message}`, { cause: error });
  } finally {
    await Promise.all([gateway.kill('SIGTERM'), bare?.kill('SIGTERM')]);
  }
}

export function printOverhead(result: OverheadResult, options: OverheadOptions): void {
  console.log(`\ngateway overhead: ${options.rounds} alternating rounds of ${options.roundSeconds} s per side, ${options.connections} connections, after ${options.warmupSeconds} s warm-up per side`);
  console.log(`  Connection header of the answers: gateway "${result.connection.gateway}", direct "${result.connection.direct}"`);
  console.log('  side        round   2xx req/s   p50         p99         mean (Little)  sent/answer  non-2xx/errors');
  const cell = (value: number) => `${value.toFixed(1)} ms`.padEnd(11);
  const row = (side: string, round: string, r: Pick<LoadRound, 'okPerSecond' | 'p50' | 'p99'> & Partial<LoadRound>) =>
    console.log(
      `  ${side.padEnd(11)} ${round.padEnd(7)} ${r.okPerSecond.toFixed(0).padStart(9)}   ${cell(r.p50)} ${cell(r.p99)} ` +
        `${r.impliedMeanMs === undefined ? ''.padEnd(14) : cell(r.impliedMeanMs).padEnd(14)} ${r.sentPerAnswer === undefined ? ''.padEnd(12) : r.sentPerAnswer.toFixed(2).padEnd(12)} ${r.failures ?? ''}`,
    );
  for (const r of result.rounds) row(r.side, String(r.round), r);
  row('gateway', 'mean', result.gateway);
  row('direct', 'mean', result.direct);
  if (result.bareProxy) row('bare proxy', 'mean', result.bareProxy);
  console.log(`  ratio gateway / direct throughput = ${result.ratio.toFixed(2)} (target ≥ 0.7)`);
  if (result.floorRatio !== undefined) {
    console.log(`  ratio bare Node proxy / direct = ${result.floorRatio.toFixed(2)} (node:http in, a keep-alive agent out, nothing else): what a proxy in Node reaches here before doing any work of its own`);
  }
  // Where each side's CPU goes per answered request: the gateway's own work is its row less the bare proxy's.
  const sides = [['gateway', result.gateway], ['bare proxy', result.bareProxy], ['direct', result.direct]] as const;
  const names = [...new Set(sides.flatMap(([, summary]) => summary?.cpuUsPerRequest.map((use) => use.name) ?? []))];
  console.log(`  CPU per 2xx request, µs (mean of the rounds) ${names.map((name) => name.padStart(16)).join('')}${'total'.padStart(10)}`);
  for (const [side, summary] of sides) {
    if (!summary) continue;
    const usOf = (name: string) => summary.cpuUsPerRequest.find((use) => use.name === name)?.us ?? 0;
    const total = summary.cpuUsPerRequest.reduce((sum, use) => sum + use.us, 0);
    console.log(`    ${side.padEnd(42)} ${names.map((name) => usOf(name).toFixed(0).padStart(16)).join('')}${total.toFixed(0).padStart(10)}`);
  }
  for (const side of ['gateway', 'direct'] as const) {
    const t = result.timed[side];
    console.log(`  timed by the bench (fetch, ${options.connections} clients, ${options.roundSeconds} s): ${side.padEnd(8)} p50 ${ms(t.p50)}  p99 ${ms(t.p99)}  (${t.count} requests)`);
  }
  const failed = result.rounds.reduce((sum, r) => sum + r.failures, 0);
  if (failed > 0) console.log(`  WARNING: ${failed} requests were not 2xx or failed: the rates count 2xx only; see the gateway log in the platform's log directory`);
  const closing = (['gateway', 'direct'] as const).filter((side) => result.connection[side].toLowerCase() === 'close');
  if (closing.length > 0) {
    console.log(`  WARNING: ${closing.join(' and ')} answered "Connection: close": every request pays a new TCP connection, autocannon re-sends ` +
      `(sent/answer ≈ 2) and its p50/p99 for that side are not trustworthy; read the timed p50/p99 and the Little's-law mean instead`);
  }
}
