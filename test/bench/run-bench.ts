// `npm run bench`: starts the platform as separate processes on the real brokers and prints what it measures, for
// both saga modes on the same platform, then the gateway's overhead and the embedded platform's memory. Never asserts.
//
// Environment:
//   BENCH_ONLY=saga,open-loop,gateway,observability,embedded  the sections to run (comma-separated; default all, in that order):
//     saga           raw broker round trips, sequential and concurrent orders in both modes, each service's memory,
//                    where a sequential saga's time goes (split along its trace, test/bench/saga-time.ts)
//     open-loop      npm run load's generator through the platform's gateway, open loop, at half the lower of the two
//                    concurrent rates the saga section measured (BENCH_OPEN_LOOP_RATE without it): p99 target 250 ms;
//                    its slowest 1 % of orders split along their traces beside typical ones
//     gateway        GET /api/inventory/products through a standalone gateway vs GET /products on the inventory
//     observability  saga p50 and the gateway ratio with tracing and metrics off, then on (platforms of their own),
//                    and traced against untraced sagas back to back on each platform
//     embedded       resident memory of `npm start` (everything in one process) after BENCH_EMBEDDED_ORDERS orders
//   BENCH_ORDERS=200                  orders per saga run and mode
//   BENCH_EMBEDDED_ORDERS=1000        orders placed on the embedded platform
//   BENCH_GATEWAY_ROUNDS=3, BENCH_GATEWAY_SECONDS=5, BENCH_GATEWAY_CONNECTIONS=10  the gateway overhead's load
//   BENCH_OBSERVABILITY_ROUNDS=1, BENCH_OBSERVABILITY_ORDERS=100  platforms per setting, traced and untraced orders per mode and platform
//   BENCH_OBSERVABILITY_ON=tracing|metrics  "on" with one of the two only (default both)
//   BENCH_OPEN_LOOP_SECONDS=30, BENCH_OPEN_LOOP_RATE=10  the open-loop run's length, and its rate when saga is not run
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import type { SagaMode } from '../e2e/support/order-client';
import { startPlatform, type Platform, type ServiceName } from '../e2e/support/platform-processes';
import { cpuBetween, infrastructureGroups, printCpuPerOrder, recordCpuTimeline, sampleCpu, type CpuGroup } from './cpu-accounting';
import { measureEmbeddedMemory, printEmbedded } from './embedded-memory';
import { measureGatewayOverhead, printOverhead } from './gateway-overhead';
import { measureObservabilityOverhead, printObservability } from './observability-overhead';
import { measureOpenLoop, OPEN_LOOP_P99_TARGET_MS, printOpenLoop, printOpenLoopProfile, profileOpenLoop } from './open-loop';
import { measureKafkaRoundTrip } from './raw-kafka-round-trip';
import { measureRabbitMqRoundTrip } from './raw-rabbitmq-round-trip';
import type { SagaRunResult } from './saga-bench';
import { meanSagaTime, printSagaTime } from './saga-time';
import { ms, type Summary } from './stats';

/**
 * What one unit of the ratio's denominator is, per mode, on the happy path:
 * - orchestration: the remote steps T2 reserve, T3 charge, T4 notify (T1 is local to the order service); each step
 *   is a command and a reply over RabbitMQ, two hops, each one raw publish → consume (the issue's 6 hops; before
 *   12-07 the ratio counted a step as one hop, which doubled it);
 * - choreography: the Kafka hops after T1's commit — OrderCreated → inventory, StockReserved → payment,
 *   PaymentCompleted → order, OrderApproved → notification. Each is one publish (through the producer's outbox
 *   relay) → consume, i.e. one raw round trip. NotificationSent is published too, but the saga's end is when it
 *   was created (its occurredAt is the NOTIFY_CONFIRMED time), so its delivery is not on the path.
 */
const HOPS: Record<SagaMode, { count: number; what: string; broker: 'RabbitMQ' | 'Kafka' }> = {
  orchestration: { count: 6, what: 'RabbitMQ hops', broker: 'RabbitMQ' },
  choreography: { count: 4, what: 'Kafka hops', broker: 'Kafka' },
};

const SERVICE_RSS_TARGET_MB = 100;

function rssMb(pid: number | undefined): number | undefined {
  if (pid === undefined) return undefined;
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((row) => row.startsWith('VmRSS:'));
  return line ? Number(line.replace(/\D+/g, '')) / 1024 : undefined;
}

function printRun(label: string, run: SagaRunResult, raw: Summary): void {
  const hops = HOPS[run.mode];
  console.log(`\n${label}: ${run.orders} orders in ${(run.wallMs / 1000).toFixed(1)} s = ${run.ordersPerSecond.toFixed(1)} orders/s`);
  console.log(`  POST → order APPROVED   p50 ${ms(run.toFinalStatus.p50)}  p99 ${ms(run.toFinalStatus.p99)}`);
  console.log(`  POST → saga ended (T4)  p50 ${ms(run.toSagaEnd.p50)}  p99 ${ms(run.toSagaEnd.p99)}`);
  console.log(`  ratio saga p50 / (${hops.count} ${hops.what} × raw ${hops.broker} round trip p50) = ${floorRatio(run, raw).toFixed(2)} (target ≤ 3)`);
}

const floorRatio = (run: SagaRunResult, raw: Summary): number => run.toSagaEnd.p50 / (HOPS[run.mode].count * raw.p50);

/** The performance issue's figures, gathered from the sections as they run and printed together at the end. */
interface Figures {
  sagas?: { sequential: Record<SagaMode, SagaRunResult>; concurrent: Record<SagaMode, SagaRunResult>; raw: Record<SagaMode, Summary> };
  memoryMb?: Partial<Record<ServiceName, number>>;
  gatewayRatio?: number;
  openLoop?: { ratePerSecond: number; p99Ms: number };
  embedded?: { rssMb: number; ordersPerSecond: number };
}

function printFigures(figures: Figures): void {
  const rows: [string, string, string][] = [];
  const { sagas } = figures;
  if (sagas) {
    for (const mode of ['orchestration', 'choreography'] as const) {
      const run = sagas.sequential[mode];
      rows.push([`${mode} saga end p50 / (${HOPS[mode].count} × raw one-hop p50)`, `${ms(run.toSagaEnd.p50)} / (${HOPS[mode].count} × ${ms(sagas.raw[mode].p50)}) = ${floorRatio(run, sagas.raw[mode]).toFixed(1)}×`, '≤ 3×']);
    }
    rows.push(['concurrent throughput, orchestration / choreography', `${sagas.concurrent.orchestration.ordersPerSecond.toFixed(1)} / ${sagas.concurrent.choreography.ordersPerSecond.toFixed(1)} orders/s`, '≥ 120 / ≥ 120 orders/s']);
  }
  if (figures.openLoop) rows.push([`open loop at ${figures.openLoop.ratePerSecond.toFixed(1)} orders/s, POST → final p99`, ms(figures.openLoop.p99Ms), `< ${OPEN_LOOP_P99_TARGET_MS} ms`]);
  if (figures.gatewayRatio !== undefined) rows.push(['gateway ÷ direct throughput', figures.gatewayRatio.toFixed(2), '≥ 0.7']);
  if (figures.embedded) rows.push(['embedded platform RSS after the orders / its throughput', `${figures.embedded.rssMb.toFixed(0)} MB / ${figures.embedded.ordersPerSecond.toFixed(1)} orders/s`, '≤ 300 MB / ≥ 150 orders/s']);
  if (figures.memoryMb) {
    const services = ['order', 'inventory', 'payment', 'notification'] as const;
    rows.push([`per-service RSS after the sagas (${services.join(', ')})`, services.map((s) => figures.memoryMb?.[s]?.toFixed(0) ?? '?').join(', ') + ' MB', `≤ ${SERVICE_RSS_TARGET_MB} MB each`]);
  }
  if (rows.length === 0) return;
  const width = Math.max(...rows.map(([name]) => name.length));
  console.log('\nthe figures of the performance issue (docs/benchmarks.md):');
  for (const [name, value, target] of rows) console.log(`  ${name.padEnd(width)}  ${value.padEnd(34)}  target ${target}`);
}

const SECTIONS = ['saga', 'open-loop', 'gateway', 'observability', 'embedded'] as const;
type Section = (typeof SECTIONS)[number];

function selectedSections(): Set<Section> {
  const raw = process.env.BENCH_ONLY?.trim();
  if (!raw) return new Set(SECTIONS);
  const names = raw.split(',').map((name) => name.trim()).filter((name) => name.length > 0);
  const unknown = names.filter((name) => !(SECTIONS as readonly string[]).includes(name));
  // A typo must not silently run nothing (or everything).
  if (unknown.length > 0) throw new Error(`BENCH_ONLY: unknown section(s) ${unknown.join(', ')}; expected some of ${SECTIONS.join(', ')}`);
  return new Set(names as Section[]);
}

const numberFromEnv = (name: string, fallback: number): number => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a whole number above 0, got ${process.env[name]}`);
  return value;
};

/** The platform's processes (its gateway too, if it runs one), the infrastructure they share, and this process (the bench's HTTP clients). */
function platformCpuGroups(platform: Platform): CpuGroup[] {
  return [
    ...(['order', 'inventory', 'payment', 'notification', 'provider', 'gateway'] as ServiceName[]).map((name) => ({ name, pids: () => [platform.pid(name)].filter((pid) => pid !== undefined) })),
    ...infrastructureGroups,
    { name: 'bench', pids: () => [process.pid] },
  ];
}

/** Prints the saga figures and records them; returns the lower of the two modes' concurrent throughputs (orders/s), the platform's maximum. */
async function sagaSection(platform: Platform, count: number, figures: Figures): Promise<number> {
  // Loaded only for this section: its order client needs @saga/auth/testing, which the other sections don't. The
  // specifier is a variable because the swc-registered .ts file has no .js twin for node20 resolution to name.
  const sagaBench = './saga-bench';
  const { runOrders, sagaTimesOf } = (await import(sagaBench)) as typeof import('./saga-bench');
  const raw: Record<SagaMode, Summary> = {
    orchestration: await measureRabbitMqRoundTrip(platform.rabbitUrl, 300),
    choreography: await measureKafkaRoundTrip(platform.kafkaBrokers, platform.run, 300),
  };
  console.log(`\nraw RabbitMQ round trip (confirmed publish → consume, RabbitMqCommandBus, ${raw.orchestration.count} samples): p50 ${ms(raw.orchestration.p50)}  p99 ${ms(raw.orchestration.p99)}`);
  console.log(`raw Kafka round trip (publish acks=all → consume, KafkaEventLog, ${raw.choreography.count} samples): p50 ${ms(raw.choreography.p50)}  p99 ${ms(raw.choreography.p99)}`);
  const cpuGroups = platformCpuGroups(platform);
  const sequential = {} as Record<SagaMode, SagaRunResult>;
  const concurrent = {} as Record<SagaMode, SagaRunResult>;
  for (const mode of ['orchestration', 'choreography'] as const) {
    await runOrders(platform.urls.order, mode, 20, 'sequential', `bench-${platform.run}-warmup`); // connections, JIT, PostgreSQL caches
    sequential[mode] = await runOrders(platform.urls.order, mode, count, 'sequential', `bench-${platform.run}`);
    printRun(`${mode}, sequential`, sequential[mode], raw[mode]);
    // The ratio's profile: what a saga waits for, hop by hop, from the traces the processes kept of these orders.
    const traced = await sagaTimesOf((['order', 'inventory', 'payment', 'notification'] as const).map((name) => platform.urls[name]), sequential[mode].timings);
    if (traced.length > 0) printSagaTime(mode, meanSagaTime(traced), traced.length);
    else console.log('  (no traces kept of these orders: tracing is off)');
    const before = sampleCpu(cpuGroups);
    concurrent[mode] = await runOrders(platform.urls.order, mode, count, 'concurrent', `bench-${platform.run}`);
    const used = cpuBetween(before, sampleCpu(cpuGroups));
    printRun(`${mode}, concurrent`, concurrent[mode], raw[mode]);
    printCpuPerOrder('the concurrent run', used, count, availableParallelism());
  }
  figures.sagas = { sequential, concurrent, raw };
  figures.memoryMb = {};
  console.log(`\nresident memory after the runs (target ≤ ${SERVICE_RSS_TARGET_MB} MB each; the provider is the bank's, not ours):`);
  for (const service of ['order', 'inventory', 'payment', 'notification', 'provider'] as ServiceName[]) {
    const mb = rssMb(platform.pid(service));
    if (mb !== undefined) figures.memoryMb[service] = mb;
    console.log(`  ${service.padEnd(13)} ${mb === undefined ? 'not running' : `${mb.toFixed(0)} MB`}`);
  }
  return Math.min(concurrent.orchestration.ordersPerSecond, concurrent.choreography.ordersPerSecond);
}

async function main(): Promise<void> {
  const sections = selectedSections();
  const count = numberFromEnv('BENCH_ORDERS', 200);
  const figures: Figures = {};
  console.log(`saga-platform benchmark — ${new Date().toISOString()}, node ${process.version}, sections ${[...sections].join(', ')}${sections.has('saga') ? `, ${count} orders per run and mode` : ''}`);
  if (sections.has('saga') || sections.has('open-loop') || sections.has('gateway')) {
    // The open-loop run goes through the front door: the platform's own gateway, with a limit it never reaches.
    const withGateway = sections.has('open-loop')
      ? { services: ['provider', 'inventory', 'payment', 'notification', 'order', 'gateway'] as ServiceName[], env: { gateway: { RATE_LIMIT_MAX: '100000000' } } }
      : {};
    const platform = await startPlatform({ stepTimeoutMs: 30_000, ...withGateway });
    try {
      const maximum = sections.has('saga') ? await sagaSection(platform, count, figures) : undefined;
      if (sections.has('open-loop')) {
        const ratePerSecond = maximum === undefined ? numberFromEnv('BENCH_OPEN_LOOP_RATE', 10) : maximum / 2;
        const label = maximum === undefined ? 'BENCH_OPEN_LOOP_RATE' : `half the measured maximum (${maximum.toFixed(1)} orders/s)`;
        // A platform that ran no sagas yet is cold (connections, JIT, PostgreSQL's caches): its first seconds would be
        // the tail. The saga section warms it otherwise; here 5 s at the same rate do, and are not counted.
        if (maximum === undefined) await measureOpenLoop({ gatewayUrl: platform.urls.gateway, ratePerSecond, durationSeconds: 5 });
        const timeline = recordCpuTimeline(platformCpuGroups(platform), 250);
        const openLoop = await measureOpenLoop({ gatewayUrl: platform.urls.gateway, ratePerSecond, durationSeconds: numberFromEnv('BENCH_OPEN_LOOP_SECONDS', 30) });
        const cpu = timeline.stop();
        printOpenLoop(`mixed saga modes at ${label}`, openLoop);
        printOpenLoopProfile(await profileOpenLoop(platform.urls.gateway, openLoop, cpu));
        figures.openLoop = { ratePerSecond, p99Ms: openLoop.p99Ms };
      }
      if (sections.has('gateway')) {
        const options = { rounds: numberFromEnv('BENCH_GATEWAY_ROUNDS', 3), roundSeconds: numberFromEnv('BENCH_GATEWAY_SECONDS', 5), warmupSeconds: 5, connections: numberFromEnv('BENCH_GATEWAY_CONNECTIONS', 10), withFloor: true };
        const overhead = await measureGatewayOverhead(platform, options);
        printOverhead(overhead, options);
        figures.gatewayRatio = overhead.ratio;
      }
    } finally {
      await platform.stop();
    }
  }
  // Platforms of its own, one at a time: tracing and metrics off, then on, alternately.
  if (sections.has('observability')) {
    const options = {
      rounds: numberFromEnv('BENCH_OBSERVABILITY_ROUNDS', 1),
      orders: numberFromEnv('BENCH_OBSERVABILITY_ORDERS', 100),
      gateway: { rounds: 3, roundSeconds: numberFromEnv('BENCH_GATEWAY_SECONDS', 5), warmupSeconds: 5, connections: numberFromEnv('BENCH_GATEWAY_CONNECTIONS', 10) },
    };
    printObservability(await measureObservabilityOverhead(options), options);
  }
  // After the multi-process platform is gone, so its processes neither share the cores nor the memory with it.
  if (sections.has('embedded')) {
    const options = { orders: numberFromEnv('BENCH_EMBEDDED_ORDERS', 1000), concurrency: 10, settleTimeoutMs: 10 * 60_000 };
    const embedded = await measureEmbeddedMemory(options);
    printEmbedded(embedded, options);
    figures.embedded = { rssMb: embedded.rssMb, ordersPerSecond: embedded.ordersPerSecond };
  }
  printFigures(figures);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
