// `npm run bench`: starts the platform as separate processes on the real brokers and prints what it measures. Never asserts.
import { readFileSync } from 'node:fs';
import { startPlatform, type ServiceName } from '../e2e/support/platform-processes';
import { runOrders, type SagaRunResult } from './orchestration-bench';
import { measureRabbitMqRoundTrip } from './raw-rabbitmq-round-trip';
import { ms } from './stats';

/** Remote steps of the orchestrated happy path: T2 reserve, T3 charge, T4 notify (T1 is local to the order service). */
const SAGA_STEPS = 3;

function rssMb(pid: number | undefined): string {
  if (pid === undefined) return 'not running';
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((row) => row.startsWith('VmRSS:'));
  return line ? `${(Number(line.replace(/\D+/g, '')) / 1024).toFixed(0)} MB` : 'unknown';
}

function printRun(label: string, run: SagaRunResult, rawP50: number): void {
  console.log(`\n${label}: ${run.orders} orders in ${(run.wallMs / 1000).toFixed(1)} s = ${run.ordersPerSecond.toFixed(1)} orders/s`);
  console.log(`  POST → order APPROVED   p50 ${ms(run.toFinalStatus.p50)}  p99 ${ms(run.toFinalStatus.p99)}`);
  console.log(`  POST → saga ended (T4)  p50 ${ms(run.toSagaEnd.p50)}  p99 ${ms(run.toSagaEnd.p99)}`);
  console.log(`  ratio saga p50 / (${SAGA_STEPS} steps × raw round trip p50) = ${(run.toSagaEnd.p50 / (SAGA_STEPS * rawP50)).toFixed(2)} (target ≤ 3)`);
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_ORDERS ?? 200);
  console.log(`saga-platform benchmark — ${new Date().toISOString()}, node ${process.version}, ${count} orders per run`);
  const platform = await startPlatform({ stepTimeoutMs: 30_000 });
  try {
    const raw = await measureRabbitMqRoundTrip(platform.rabbitUrl, 300);
    console.log(`\nraw RabbitMQ round trip (confirmed publish → consume, RabbitMqCommandBus, ${raw.count} samples): p50 ${ms(raw.p50)}  p99 ${ms(raw.p99)}`);
    await runOrders(platform.urls.order, 20, 'sequential'); // warm-up: connections, JIT, PostgreSQL caches
    printRun('orchestration, sequential', await runOrders(platform.urls.order, count, 'sequential'), raw.p50);
    printRun('orchestration, concurrent', await runOrders(platform.urls.order, count, 'concurrent'), raw.p50);
    console.log('\nresident memory after the runs (target ≤ 120 MB each):');
    for (const service of ['order', 'inventory', 'payment', 'notification', 'provider'] as ServiceName[]) console.log(`  ${service.padEnd(13)} ${rssMb(platform.pid(service))}`);
  } finally {
    await platform.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
