// One prom-client registry per process (never the global one) and get-or-create helpers for the instruments on it.
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';

export interface Metrics {
  /** Shared by every view of the process: what /metrics serves. */
  readonly registry: Registry;
  /** The `service` label this view records with (the registry's default label is the process's own). */
  readonly service: string;
  /** The same registry, recording for another service: the embedded mode runs several in one process. */
  forService(service: string): Metrics;
}

export interface CreateMetricsOptions {
  service: string;
  /** Default true: process CPU, memory, event loop lag, GC (tests may turn them off for a smaller output). */
  defaultMetrics?: boolean;
}

const view = (registry: Registry, service: string): Metrics => ({
  registry,
  service,
  forService: (other) => view(registry, other),
});

export function createMetrics({ service, defaultMetrics = true }: CreateMetricsOptions): Metrics {
  // Its own registry, so several processes' worth (tests, the embedded mode) never collide in prom-client's global one.
  const registry = new Registry();
  registry.setDefaultLabels({ service });
  if (defaultMetrics) collectDefaultMetrics({ register: registry });
  return view(registry, service);
}

interface InstrumentSpec<L extends string> {
  name: string;
  help: string;
  labelNames: readonly L[];
}

// Every instrument carries an explicit `service` label (it overrides the registry's default one), and is created once
// per registry: the embedded mode's services all ask for http_requests_total, and must share one.
function instrument<T>(metrics: Metrics, name: string, create: () => T): T {
  return (metrics.registry.getSingleMetric(name) as T | undefined) ?? create();
}

export function counterOf<L extends string>(metrics: Metrics, spec: InstrumentSpec<L>): Counter<L | 'service'> {
  return instrument(metrics, spec.name, () => new Counter({ ...spec, labelNames: ['service', ...spec.labelNames], registers: [metrics.registry] }));
}

export function gaugeOf<L extends string>(metrics: Metrics, spec: InstrumentSpec<L>): Gauge<L | 'service'> {
  return instrument(metrics, spec.name, () => new Gauge({ ...spec, labelNames: ['service', ...spec.labelNames], registers: [metrics.registry] }));
}

export function histogramOf<L extends string>(metrics: Metrics, spec: InstrumentSpec<L> & { buckets: number[] }): Histogram<L | 'service'> {
  return instrument(metrics, spec.name, () => new Histogram({ ...spec, labelNames: ['service', ...spec.labelNames], registers: [metrics.registry] }));
}

/** Seconds, for request-sized durations: 5 ms to 10 s. */
export const requestBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];
