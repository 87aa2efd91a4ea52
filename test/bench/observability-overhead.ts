// What tracing and metrics cost: the same platform started with both off and with both on, alternately, measured
// by the saga's p50 (POST → last step) and the gateway's throughput ratio to the inventory direct.
import type { SagaMode } from '@saga/contracts';
import { startPlatform, type ServiceName } from '../e2e/support/platform-processes';
import { measureGatewayOverhead, type OverheadOptions } from './gateway-overhead';
import { ms } from './stats';

export interface ObservabilityOptions {
  /** Platforms started per setting (off, on, off, on…): alternating spreads the machine's other work over both. */
  rounds: number;
  orders: number;
  gateway: OverheadOptions;
}

type Setting = 'off' | 'on';

export interface SettingResult {
  setting: Setting;
  /** Saga end p50 per mode, in ms (the median over the rounds). */
  sagaP50: Record<SagaMode, number>;
  /** Gateway ÷ direct throughput (the median over the rounds). */
  gatewayRatio: number;
  /** 2xx answers per second through the gateway and from the inventory directly (medians): both are traced when on. */
  gatewayPerSecond: number;
  directPerSecond: number;
}

const processes: ServiceName[] = ['provider', 'inventory', 'payment', 'notification', 'order', 'gateway'];

/**
 * off: OTEL_SDK_DISABLED=true and no METRICS_PORT (nothing traced, no metric recorded: nobody could scrape them);
 * on: tracing as every process runs it (spans kept in the store) and METRICS_PORT=0 (every metric recorded, served).
 */
const envFor = (setting: Setting): Record<string, string> => {
  if (setting === 'off') return { OTEL_SDK_DISABLED: 'true' };
  // Passed on to "on" only: e.g. OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg measures tracing without a span per query,
  // TRACING_READ_SAMPLE_RATIO=1 with every read traced.
  const passed = ['OTEL_NODE_DISABLED_INSTRUMENTATIONS', 'TRACING_READ_SAMPLE_RATIO'].flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : []));
  // BENCH_OBSERVABILITY_ON=tracing or =metrics turns on one of the two, to tell their costs apart.
  const only = process.env.BENCH_OBSERVABILITY_ON;
  if (only !== undefined && only !== 'tracing' && only !== 'metrics') throw new Error(`BENCH_OBSERVABILITY_ON must be tracing or metrics, got "${only}"`);
  return { ...(only === 'tracing' ? {} : { METRICS_PORT: '0' }), ...(only === 'metrics' ? { OTEL_SDK_DISABLED: 'true' } : {}), ...Object.fromEntries(passed) };
};

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export async function measureObservabilityOverhead(options: ObservabilityOptions): Promise<Record<Setting, SettingResult>> {
  // Loaded here, as run-bench does: its order client needs @saga/auth/testing.
  const sagaBench = './saga-bench';
  const { runOrders } = (await import(sagaBench)) as typeof import('./saga-bench');
  const samples: Record<Setting, { saga: Record<SagaMode, number[]>; ratio: number[]; gateway: number[]; direct: number[] }> = {
    off: { saga: { orchestration: [], choreography: [] }, ratio: [], gateway: [], direct: [] },
    on: { saga: { orchestration: [], choreography: [] }, ratio: [], gateway: [], direct: [] },
  };
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const setting of ['off', 'on'] as const) {
      const env = Object.fromEntries(processes.map((name) => [name, envFor(setting)]));
      const platform = await startPlatform({ stepTimeoutMs: 30_000, env });
      try {
        for (const mode of ['orchestration', 'choreography'] as const) {
          await runOrders(platform.urls.order, mode, 20, 'sequential', `bench-${platform.run}-warmup`);
          const run = await runOrders(platform.urls.order, mode, options.orders, 'sequential', `bench-${platform.run}`);
          samples[setting].saga[mode].push(run.toSagaEnd.p50);
        }
        // The bench's own gateway gets the setting too: its environment holds nothing of ours otherwise.
        const overhead = await measureGatewayOverhead(platform, options.gateway, envFor(setting));
        samples[setting].ratio.push(overhead.ratio);
        samples[setting].gateway.push(overhead.gateway.okPerSecond);
        samples[setting].direct.push(overhead.direct.okPerSecond);
        console.log(`  round ${round}, ${setting.padEnd(3)}: saga p50 orchestration ${ms(samples[setting].saga.orchestration.at(-1)!)}, choreography ${ms(samples[setting].saga.choreography.at(-1)!)}, gateway ${Math.round(overhead.gateway.okPerSecond)} req/s, direct ${Math.round(overhead.direct.okPerSecond)} req/s, ratio ${overhead.ratio.toFixed(2)}`);
      } finally {
        await platform.stop();
      }
    }
  }
  const summary = (setting: Setting): SettingResult => ({
    setting,
    sagaP50: { orchestration: median(samples[setting].saga.orchestration), choreography: median(samples[setting].saga.choreography) },
    gatewayRatio: median(samples[setting].ratio),
    gatewayPerSecond: median(samples[setting].gateway),
    directPerSecond: median(samples[setting].direct),
  });
  return { off: summary('off'), on: summary('on') };
}

export function printObservability(result: Record<Setting, SettingResult>, options: ObservabilityOptions): void {
  const pct = (on: number, off: number, higherIsWorse: boolean) => `${(((higherIsWorse ? on / off : off / on) - 1) * 100).toFixed(1)} %`;
  console.log(`\ntracing and metrics: off vs on (on: ${process.env.BENCH_OBSERVABILITY_ON ?? 'both'}; ${options.rounds} platform(s) each, alternated; ${options.orders} sequential orders per mode; medians):`);
  for (const mode of ['orchestration', 'choreography'] as const) {
    console.log(`  saga end p50, ${mode.padEnd(13)} off ${ms(result.off.sagaP50[mode])}  on ${ms(result.on.sagaP50[mode])}  overhead ${pct(result.on.sagaP50[mode], result.off.sagaP50[mode], true)} (target < 10 %)`);
  }
  // The ratio divides two traced paths: tracing slows the direct one too, so the ratio alone hides the cost.
  console.log(`  gateway throughput           off ${Math.round(result.off.gatewayPerSecond)} req/s  on ${Math.round(result.on.gatewayPerSecond)} req/s  overhead ${pct(result.on.gatewayPerSecond, result.off.gatewayPerSecond, false)} (target < 10 %)`);
  console.log(`  direct throughput            off ${Math.round(result.off.directPerSecond)} req/s  on ${Math.round(result.on.directPerSecond)} req/s  overhead ${pct(result.on.directPerSecond, result.off.directPerSecond, false)}`);
  console.log(`  gateway / direct ratio       off ${result.off.gatewayRatio.toFixed(2)}  on ${result.on.gatewayRatio.toFixed(2)}`);
}
