// Public surface of @saga/metrics: the process registry, HTTP RED, domain instruments and the /metrics server.
export { counterOf, createMetrics, gaugeOf, requestBuckets } from './metrics';
export type { CreateMetricsOptions, Metrics } from './metrics';
export { httpMetrics, labelRoute, routeTemplateOf, UNMATCHED_ROUTE } from './http-metrics';
export { startMetricsServer } from './metrics-server';
export type { MetricsServer, MetricsServerOptions } from './metrics-server';
export { sagaMetrics } from './saga-metrics';
export type { SagaMetrics, SagaOutcome } from './saga-metrics';
export { breakerMetrics } from './breaker-metrics';
export type { BreakerMetrics, BreakerStateName, ObservableBreaker } from './breaker-metrics';
export { rateLimitMetrics } from './rate-limit-metrics';
export type { RateLimitMetrics } from './rate-limit-metrics';
export { faultMetrics } from './fault-metrics';
export type { FaultMetrics, FiredRule } from './fault-metrics';
export { metricsSettingsShape } from './metrics-settings';
export { addGaugeSource } from './polled-gauge';
export type { GaugeSource } from './polled-gauge';
