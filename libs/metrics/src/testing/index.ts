// @saga/metrics/testing: one series' value read from a registry's text, as a scrape would see it (0 while never recorded).
import type { Metrics } from '../metrics';

/** series: the name with its labels exactly as exposed, e.g. `saga_started_total{service="order",mode="orchestration"}`. */
export async function metricValue(metrics: Metrics, series: string): Promise<number> {
  const line = (await metrics.registry.metrics()).split('\n').find((candidate) => candidate.startsWith(`${series} `));
  return line === undefined ? 0 : Number(line.slice(series.length + 1));
}
