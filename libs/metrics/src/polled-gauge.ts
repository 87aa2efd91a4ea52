// Gauges read at scrape time from any number of sources: the embedded platform's services each add their own.
import type { Gauge } from 'prom-client';
import { gaugeOf, type Metrics } from './metrics';

/** Sets this source's values on the gauge (labelled with its own `service`); a throw leaves its series out this scrape. */
export type GaugeSource<L extends string> = (gauge: Gauge<L | 'service'>) => Promise<void> | void;

const sourcesOf = new WeakMap<object, Set<GaugeSource<string>>>();

/**
 * A gauge whose value is read when Prometheus scrapes (a database count, a broker's offsets), from every source added
 * to it; returns the function that removes this source (a stopped service must not be read any more).
 */
export function addGaugeSource<L extends string>(metrics: Metrics, spec: { name: string; help: string; labelNames: readonly L[] }, source: GaugeSource<L>): () => void {
  const gauge = gaugeOf(metrics, spec);
  let sources = sourcesOf.get(gauge);
  if (!sources) {
    const created = new Set<GaugeSource<string>>();
    sources = created;
    sourcesOf.set(gauge, created);
    // prom-client calls collect() on each scrape, before reading the values.
    (gauge as unknown as { collect: () => Promise<void> }).collect = async () => {
      gauge.reset();
      await Promise.all([...created].map(async (read) => {
        try {
          await read(gauge as Gauge<string>);
        } catch {
          // A source that cannot be read (its database restarting) is absent from this scrape, not an error.
        }
      }));
    };
  }
  sources.add(source as GaugeSource<string>);
  return () => void sources.delete(source as GaugeSource<string>);
}
