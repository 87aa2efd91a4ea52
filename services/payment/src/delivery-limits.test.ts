// The payment service's limits: its retry schedule fits under consumer_timeout with the provider's timeout, its pool is derived.
import { defaultDeliverySettings, worstCaseDeliveryMs } from '@saga/messaging';
import { checkPaymentDeliveryLimits, paymentPoolSize } from './delivery-limits';
import { paymentRetryPolicy } from './payment-service';

const config = { ...defaultDeliverySettings(), KAFKA_BROKERS: ['127.0.0.1:9092'], PROVIDER_TIMEOUT_MS: 2_000 };

describe('payment delivery limits', () => {
  it('fits its worst case (460 s) under the default consumer_timeout', () => {
    expect(worstCaseDeliveryMs(paymentRetryPolicy)).toBe(24 * 15_000 + 36_200 + 63_750);
    expect(() => checkPaymentDeliveryLimits(config)).not.toThrow();
  });

  it('refuses to start with a provider timeout one attempt cannot fit', () => {
    expect(() => checkPaymentDeliveryLimits({ ...config, PROVIDER_TIMEOUT_MS: 10_000 })).toThrow(/PROVIDER_TIMEOUT_MS 10 s = 20 s, more than its 15 s bound/);
  });

  it('sizes its pool from prefetch, both topics\' partitions, the relay, reconciliation and headroom', () => {
    expect(paymentPoolSize(config)).toEqual({ max: 25, parts: { rabbitmq: 10, kafka: 6, outbox: 3, background: 1, http: 5 } });
  });
});
