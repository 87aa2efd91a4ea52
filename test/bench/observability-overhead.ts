// What tracing and metrics cost: the same platform started with both off and with both on, alternately, measured
// by the saga's p50 (POST → last step) and the gateway's throughput ratio to the inventory direct; and on each platform,
// traced sagas against untraced ones run back to back, which platform-to-platform noise does not blur.
import type { SagaMode } from '@saga/contracts';
import { startPlatform, type ServiceName } from '../e2e/support/platform-processes';
import { measureGatewayOverhead, type OverheadOptions } from './gateway-overhead';
import { fetchOrderSpans } from './saga-time';
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
  /** Saga end p50 per mode, in ms (the median over the rounds): the orders placed as every client places them. */
  sagaP50: Record<SagaMode, number>;
  /** The lowest and highest of those platforms' p50s: how far platforms of one setting differ on their own. */
  sagaP50Range: Record<SagaMode, { min: number; max: number }>;
  /** The same of the orders placed with an unsampled traceparent on the same platforms (off: no different). */
  untracedSagaP50: Record<SagaMode, number>;
  /** Median over the rounds of each platform's median (traced − untraced) saga end of back-to-back pairs, in ms. */
  pairedDifference: Record<SagaMode, number>;
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
  // TRACING_READ_SAMPLE_RATIO=1 with every read traced, OTEL_TRACES_SAMPLER=always_off the SDK with nothing sampled,
  // TRACING_STORE_MAX_TRACES=10 with few traces kept.
  const passed = ['OTEL_NODE_DISABLED_INSTRUMENTATIONS', 'TRACING_READ_SAMPLE_RATIO', 'OTEL_TRACES_SAMPLER', 'TRACING_STORE_MAX_TRACES'].flatMap((name) => (process.env[name] ? [[name, process.env[name] as string]] : []));
  // BENCH_OBSERVABILITY_ON=tracing or =metrics turns on one of the two, to tell their costs apart.
  const only = process.env.BENCH_OBSERVABILITY_ON;
  if (only !== undefined && only !== 'tracing' && only !== 'metrics') throw new Error(`BENCH_OBSERVABILITY_ON must be tracing or metrics, got "${only}"`);
  return { ...(only === 'tracing' ? {} : { METRICS_PORT: '0' }), ...(only === 'metrics' ? { OTEL_SDK_DISABLED: 'true' } : {}), ...Object.fromEntries(passed) };
};

/** Whether "on" traces a saga: not with metrics alone, nor with a sampler that samples nothing. */
const tracesSagas = () => process.env.BENCH_OBSERVABILITY_ON !== 'metrics' && process.env.OTEL_TRACES_SAMPLER !== 'always_off';

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
};

export async function measureObservabilityOverhead(options: ObservabilityOptions): Promise<Record<Setting, SettingResult>> {
  // Loaded here, as run-bench does: its order client needs @saga/auth/testing.
  const sagaBench = './saga-bench';
  const { runOrders, runPairedSequentialOrders } = (await import(sagaBench)) as typeof import('./saga-bench');
  const perMode = (): Record<SagaMode, number[]> => ({ orchestration: [], choreography: [] });
  const emptySamples = () => ({ saga: perMode(), untraced: perMode(), paired: perMode(), ratio: [] as number[], gateway: [] as number[], direct: [] as number[] });
  const samples: Record<Setting, ReturnType<typeof emptySamples>> = { off: emptySamples(), on: emptySamples() };
  for (let round = 1; round <= options.rounds; round += 1) {
    for (const setting of ['off', 'on'] as const) {
      const env = Object.fromEntries(processes.map((name) => [name, envFor(setting)]));
      const platform = await startPlatform({ stepTimeoutMs: 30_000, env });
      try {
        for (const mode of ['orchestration', 'choreography'] as const) {
          await runOrders(platform.urls.order, mode, 20, 'sequential', `bench-${platform.run}-warmup`);
          const run = await runPairedSequentialOrders(platform.urls.order, mode, options.orders, `bench-${platform.run}`);
          await expectTraced(platform.urls, run.sample, setting === 'on' && tracesSagas());
          samples[setting].saga[mode].push(run.traced.p50);
          samples[setting].untraced[mode].push(run.untraced.p50);
          samples[setting].paired[mode].push(run.pairedDifference);
        }
        // The bench's own gateway gets the setting too: its environment holds nothing of ours otherwise.
        const overhead = await measureGatewayOverhead(platform, options.gateway, envFor(setting));
        samples[setting].ratio.push(overhead.ratio);
        samples[setting].gateway.push(overhead.gateway.okPerSecond);
        samples[setting].direct.push(overhead.direct.okPerSecond);
        const last = (mode: SagaMode) => `${ms(samples[setting].saga[mode].at(-1)!)} (untraced ${ms(samples[setting].untraced[mode].at(-1)!)}, paired difference ${ms(samples[setting].paired[mode].at(-1)!)})`;
        console.log(`  round ${round}, ${setting.padEnd(3)}: saga p50 orchestration ${last('orchestration')}, choreography ${last('choreography')}, gateway ${Math.round(overhead.gateway.okPerSecond)} req/s, direct ${Math.round(overhead.direct.okPerSecond)} req/s, ratio ${overhead.ratio.toFixed(2)}`);
      } finally {
        await platform.stop();
      }
    }
  }
  const summary = (setting: Setting): SettingResult => ({
    setting,
    sagaP50: { orchestration: median(samples[setting].saga.orchestration), choreography: median(samples[setting].saga.choreography) },
    sagaP50Range: { orchestration: rangeOf(samples[setting].saga.orchestration), choreography: rangeOf(samples[setting].saga.choreography) },
    untracedSagaP50: { orchestration: median(samples[setting].untraced.orchestration), choreography: median(samples[setting].untraced.choreography) },
    pairedDifference: { orchestration: median(samples[setting].paired.orchestration), choreography: median(samples[setting].paired.choreography) },
    gatewayRatio: median(samples[setting].ratio),
    gatewayPerSecond: median(samples[setting].gateway),
    directPerSecond: median(samples[setting].direct),
  });
  return { off: summary('off'), on: summary('on') };
}

const rangeOf = (values: readonly number[]) => ({ min: Math.min(...values), max: Math.max(...values) });

/**
 * The comparison means something only if "traced" orders were traced and "untraced" ones were not, in every service
 * of the saga: each process's span store is asked for both (on: spans of the traced order in all four, none of the
 * untraced one; off: none at all).
 */
async function expectTraced(urls: Record<ServiceName, string>, sample: { traced: string; untraced: string }, tracing: boolean): Promise<void> {
  const { adminBearer } = await import('@saga/auth/testing');
  for (const service of ['order', 'inventory', 'payment', 'notification'] as const) {
    // Without tracing a service still answers, with no spans (fetchOrderSpans throws on anything but a 200).
    const spansOf = async (orderId: string) => (await fetchOrderSpans([urls[service]], orderId, adminBearer())).length;
    const [traced, untraced] = [await spansOf(sample.traced), await spansOf(sample.untraced)];
    if (untraced !== 0 || (tracing ? traced === 0 : traced !== 0)) {
      throw new Error(`tracing ${tracing ? 'on' : 'off'}: ${service} kept ${traced} span(s) of traced order ${sample.traced} and ${untraced} of untraced order ${sample.untraced}`);
    }
  }
}

export function printObservability(result: Record<Setting, SettingResult>, options: ObservabilityOptions): void {
  const pct = (on: number, off: number, higherIsWorse: boolean) => `${(((higherIsWorse ? on / off : off / on) - 1) * 100).toFixed(1)} %`;
  console.log(`\ntracing and metrics: off vs on (on: ${process.env.BENCH_OBSERVABILITY_ON ?? 'both'}; ${options.rounds} platform(s) each, alternated; ${options.orders} sequential orders per mode; medians):`);
  for (const mode of ['orchestration', 'choreography'] as const) {
    // Platforms of one setting differ by more than tracing costs: their range says how much this comparison can resolve.
    const spread = (setting: Setting) => `${result[setting].sagaP50Range[mode].min.toFixed(0)}–${result[setting].sagaP50Range[mode].max.toFixed(0)}`;
    console.log(
      `  saga end p50, ${mode.padEnd(13)} off ${ms(result.off.sagaP50[mode])}  on ${ms(result.on.sagaP50[mode])}  overhead ${pct(result.on.sagaP50[mode], result.off.sagaP50[mode], true)} (target < 10 %; ` +
        `the platforms ranged ${spread('off')} ms off, ${spread('on')} ms on)`,
    );
  }
  // The paired figure: on one platform, a traced saga against an untraced one run just before or after it.
  for (const mode of ['orchestration', 'choreography'] as const) {
    const { on, off } = result;
    console.log(
      `  traced vs untraced sagas on one platform, ${mode.padEnd(13)} on: ${ms(on.sagaP50[mode])} vs ${ms(on.untracedSagaP50[mode])}, paired difference ${ms(on.pairedDifference[mode])} (${((on.pairedDifference[mode] / on.untracedSagaP50[mode]) * 100).toFixed(1)} % of untraced); off, the control: ${ms(off.pairedDifference[mode])}`,
    );
  }
  // The ratio divides two traced paths: tracing slows the direct one too, so the ratio alone hides the cost.
  console.log(`  gateway throughput           off ${Math.round(result.off.gatewayPerSecond)} req/s  on ${Math.round(result.on.gatewayPerSecond)} req/s  overhead ${pct(result.on.gatewayPerSecond, result.off.gatewayPerSecond, false)} (target < 10 %)`);
  console.log(`  direct throughput            off ${Math.round(result.off.directPerSecond)} req/s  on ${Math.round(result.on.directPerSecond)} req/s  overhead ${pct(result.on.directPerSecond, result.off.directPerSecond, false)}`);
  console.log(`  gateway / direct ratio       off ${result.off.gatewayRatio.toFixed(2)}  on ${result.on.gatewayRatio.toFixed(2)}`);
}
