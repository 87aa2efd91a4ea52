// `npm run bench`: starts the platform as separate processes on the real brokers and prints what it measures, for
// both saga modes on the same platform. Never asserts.
import { readFileSync } from 'node:fs';
import type { SagaMode } from '../e2e/support/order-client';
import { startPlatform, type ServiceName } from '../e2e/support/platform-processes';
import { measureKafkaRoundTrip } from './raw-kafka-round-trip';
import { measureRabbitMqRoundTrip } from './raw-rabbitmq-round-trip';
import { runOrders, type SagaRunResult } from './saga-bench';
import { ms, type Summary } from './stats';

/**
 * What one unit of the ratio's denominator is, per mode, on the happy path:
 * - orchestration: the remote steps T2 reserve, T3 charge, T4 notify (T1 is local to the order service); each step
 *   is a command and a reply over RabbitMQ, and the ratio counts it as one raw round trip, as it always has;
 * - choreography: the Kafka hops after T1's commit — OrderCreated → inventory, StockReserved → payment,
 *   PaymentCompleted → order, OrderApproved → notification. Each is one publish (through the producer's outbox
 *   relay) → consume, i.e. one raw round trip. NotificationSent is published too, but the saga's end is when it
 *   was created (its occurredAt is the NOTIFY_CONFIRMED time), so its delivery is not on the path.
 */
const HOPS: Record<SagaMode, { count: number; what: string; broker: 'RabbitMQ' | 'Kafka' }> = {
  orchestration: { count: 3, what: 'steps', broker: 'RabbitMQ' },
  choreography: { count: 4, what: 'Kafka hops', broker: 'Kafka' },
};

function rssMb(pid: number | undefined): string {
  if (pid === undefined) return 'not running';
  const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((row) => row.startsWith('VmRSS:'));
  return line ? `${(Number(line.replace(/\D+/g, '')) / 1024).toFixed(0)} MB` : 'unknown';
}

function printRun(label: string, run: SagaRunResult, raw: Summary): void {
  const hops = HOPS[run.mode];
  console.log(`\n${label}: ${run.orders} orders in ${(run.wallMs / 1000).toFixed(1)} s = ${run.ordersPerSecond.toFixed(1)} orders/s`);
  console.log(`  POST → order APPROVED   p50 ${ms(run.toFinalStatus.p50)}  p99 ${ms(run.toFinalStatus.p99)}`);
  console.log(`  POST → saga ended (T4)  p50 ${ms(run.toSagaEnd.p50)}  p99 ${ms(run.toSagaEnd.p99)}`);
  console.log(`  ratio saga p50 / (${hops.count} ${hops.what} × raw ${hops.broker} round trip p50) = ${(run.toSagaEnd.p50 / (hops.count * raw.p50)).toFixed(2)} (target ≤ 3)`);
}

async function main(): Promise<void> {
  const count = Number(process.env.BENCH_ORDERS ?? 200);
  console.log(`saga-platform benchmark — ${new Date().toISOString()}, node ${process.version}, ${count} orders per run and mode`);
  const platform = await startPlatform({ stepTimeoutMs: 30_000 });
  try {
    const raw: Record<SagaMode, Summary> = {
      orchestration: await measureRabbitMqRoundTrip(platform.rabbitUrl, 300),
      choreography: await measureKafkaRoundTrip(platform.kafkaBrokers, platform.run, 300),
    };
    console.log(`\nraw RabbitMQ round trip (confirmed publish → consume, RabbitMqCommandBus, ${raw.orchestration.count} samples): p50 ${ms(raw.orchestration.p50)}  p99 ${ms(raw.orchestration.p99)}`);
    console.log(`raw Kafka round trip (publish acks=all → consume, KafkaEventLog, ${raw.choreography.count} samples): p50 ${ms(raw.choreography.p50)}  p99 ${ms(raw.choreography.p99)}`);
    for (const mode of ['orchestration', 'choreography'] as const) {
      await runOrders(platform.urls.order, mode, 20, 'sequential', `bench-${platform.run}-warmup`); // connections, JIT, PostgreSQL caches
      printRun(`${mode}, sequential`, await runOrders(platform.urls.order, mode, count, 'sequential', `bench-${platform.run}`), raw[mode]);
      printRun(`${mode}, concurrent`, await runOrders(platform.urls.order, mode, count, 'concurrent', `bench-${platform.run}`), raw[mode]);
    }
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
