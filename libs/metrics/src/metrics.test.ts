// The process registry and the domain instruments: the text a scrape returns after recording.
import { createMetrics } from './metrics';
import { faultMetrics } from './fault-metrics';
import { rateLimitMetrics } from './rate-limit-metrics';
import { sagaMetrics } from './saga-metrics';

describe('createMetrics', () => {
  it('holds its own registry with the default process metrics, labelled with the service', async () => {
    const a = createMetrics({ service: 'order' });
    const b = createMetrics({ service: 'payment' });
    expect(a.registry).not.toBe(b.registry);
    const text = await a.registry.metrics();
    expect(text).toMatch(/process_cpu_user_seconds_total\{service="order"\} \d/);
    expect(text).toContain('nodejs_eventloop_lag_seconds{service="order"}');
  });

  it('records saga starts, outcomes with their reason, durations, steps and compensations', async () => {
    const metrics = createMetrics({ service: 'order', defaultMetrics: false });
    const saga = sagaMetrics(metrics);
    saga.started('orchestration');
    saga.completed('orchestration', 'APPROVED', 0.4);
    saga.completed('choreography', 'CANCELLED', 1.2, 'PAYMENT_DECLINED');
    saga.step('reserve-stock', 'ok', 0.02);
    saga.compensation('reserve-stock');
    const text = await metrics.registry.metrics();
    expect(text).toContain('saga_started_total{service="order",mode="orchestration"} 1');
    expect(text).toContain('saga_completed_total{service="order",mode="orchestration",outcome="APPROVED",reason="none"} 1');
    expect(text).toContain('saga_completed_total{service="order",mode="choreography",outcome="CANCELLED",reason="PAYMENT_DECLINED"} 1');
    expect(text).toContain('saga_duration_seconds_bucket{le="0.5",service="order",mode="orchestration",outcome="APPROVED"} 1');
    expect(text).toContain('saga_step_duration_seconds_count{service="order",step="reserve-stock",result="ok"} 1');
    expect(text).toContain('saga_compensations_total{service="order",step="reserve-stock"} 1');
  });

  it('counts rate-limit rejections per limiter and fired fault rules per service, operation and effect', async () => {
    const metrics = createMetrics({ service: 'gateway', defaultMetrics: false });
    rateLimitMetrics(metrics).rejected('auth');
    rateLimitMetrics(metrics).rejected('auth');
    faultMetrics(metrics).fired({ service: 'payment', operation: 'step:charge', effect: 'error' });
    const text = await metrics.registry.metrics();
    expect(text).toContain('rate_limit_rejections_total{service="gateway",limiter="auth"} 2');
    expect(text).toContain('fault_rules_fired_total{service="payment",operation="step:charge",effect="error"} 1');
  });
});
