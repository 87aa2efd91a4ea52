// Breaker metrics from a real opossum breaker (through @saga/resilience): closed -> open -> half-open -> closed.
import { createBreaker } from '@saga/resilience';
import { breakerMetrics } from './breaker-metrics';
import { createMetrics } from './metrics';

const series = (text: string, name: string) => text.split('\n').filter((line) => line.startsWith(name + '{'));

describe('breakerMetrics', () => {
  it('records the state gauge and each transition of a real breaker', async () => {
    const metrics = createMetrics({ service: 'payment', defaultMetrics: false });
    let failing = true;
    const breaker = createBreaker(async () => {
      if (failing) throw new Error('down');
      return 'ok';
    }, { name: 'payment-provider', volumeThreshold: 1, errorThresholdPercentage: 1, resetTimeoutMs: 50 });
    const unwatch = breakerMetrics(metrics).watch(breaker);
    try {
      expect(series(await metrics.registry.metrics(), 'circuit_breaker_state')).toEqual(['circuit_breaker_state{service="payment",breaker="payment-provider"} 0']);

      await expect(breaker.fire()).rejects.toThrow('down');
      expect(breaker.state()).toBe('open');
      expect(series(await metrics.registry.metrics(), 'circuit_breaker_state')).toEqual(['circuit_breaker_state{service="payment",breaker="payment-provider"} 2']);

      await new Promise((resolve) => setTimeout(resolve, 80));
      expect(breaker.state()).toBe('half-open');
      failing = false;
      await breaker.fire();
      const text = await metrics.registry.metrics();
      expect(series(text, 'circuit_breaker_state')).toEqual(['circuit_breaker_state{service="payment",breaker="payment-provider"} 0']);
      expect(series(text, 'circuit_breaker_transitions_total').sort()).toEqual([
        'circuit_breaker_transitions_total{service="payment",breaker="payment-provider",to="closed"} 1',
        'circuit_breaker_transitions_total{service="payment",breaker="payment-provider",to="half-open"} 1',
        'circuit_breaker_transitions_total{service="payment",breaker="payment-provider",to="open"} 1',
      ]);
    } finally {
      unwatch();
      breaker.shutdown();
    }
  });
});
