// Rate-limit instrument: requests refused with 429, per limiter (never per user or address: unbounded cardinality).
import { counterOf, type Metrics } from './metrics';

export interface RateLimitMetrics {
  rejected(limiter: string): void;
}

export function rateLimitMetrics(metrics: Metrics): RateLimitMetrics {
  const rejections = counterOf(metrics, { name: 'rate_limit_rejections_total', help: 'Requests refused by a rate limiter (429), by limiter.', labelNames: ['limiter'] });
  return { rejected: (limiter) => rejections.inc({ service: metrics.service, limiter }) };
}
