// The start-up check: a schedule that could outlive consumer_timeout, or an attempt its I/O cannot fit in, stops the service.
import { ConfigError } from '@saga/platform';
import { assertDeliveryBounds, deliveryBoundProblems, type DeliveryBoundsInput } from './delivery-bounds';
import { defaultRetryPolicy } from './retry-policy';

const fits: DeliveryBoundsInput = {
  consumers: [
    { name: 'payment.commands', transport: 'rabbitmq', policy: defaultRetryPolicy },
    { name: 'payment-service', transport: 'kafka', policy: defaultRetryPolicy },
  ],
  consumerTimeoutMs: 600_000,
  attemptIo: { DB_CONNECT_TIMEOUT_MS: 5_000, DB_STATEMENT_TIMEOUT_MS: 5_000, PROVIDER_TIMEOUT_MS: 2_000 },
};

describe('deliveryBoundProblems', () => {
  it('accepts the defaults under a 10 min consumer_timeout', () => {
    expect(deliveryBoundProblems(fits)).toEqual([]);
    expect(() => assertDeliveryBounds(fits)).not.toThrow();
  });

  it('refuses a RabbitMQ consumer whose worst case reaches consumer_timeout, naming the numbers', () => {
    const problems = deliveryBoundProblems({ ...fits, consumerTimeoutMs: 300_000 });
    expect(problems).toEqual([
      { variable: 'RABBITMQ_CONSUMER_TIMEOUT_MS', message: expect.stringMatching(/^payment\.commands may hold a message 375\.1 s .* consumer_timeout of 300 s$/) },
    ]);
  });

  it('refuses I/O timeouts that one attempt cannot fit', () => {
    const [problem] = deliveryBoundProblems({ ...fits, attemptIo: { ...fits.attemptIo, PROVIDER_TIMEOUT_MS: 20_000 } });
    expect(problem).toEqual({
      variable: 'DB_CONNECT_TIMEOUT_MS, DB_STATEMENT_TIMEOUT_MS, PROVIDER_TIMEOUT_MS',
      message: 'one payment.commands attempt may wait DB_CONNECT_TIMEOUT_MS 5 s + DB_STATEMENT_TIMEOUT_MS 5 s + PROVIDER_TIMEOUT_MS 20 s = 30 s, more than its 15 s bound',
    });
  });

  it('refuses a Kafka attempt bound at or over the rebalance timeout, and an endless budget', () => {
    const slow = { ...defaultRetryPolicy, attemptTimeoutMs: 60_000 };
    expect(deliveryBoundProblems({ ...fits, attemptIo: {}, consumers: [{ name: 'g', transport: 'kafka', policy: slow }] })).toEqual([
      { variable: 'g', message: 'one attempt may take 60 s, not below the Kafka rebalance timeout of 60 s' },
    ]);
    const endless = { ...defaultRetryPolicy, maxAttempts: Number.POSITIVE_INFINITY };
    expect(deliveryBoundProblems({ ...fits, consumers: [{ name: 'q', transport: 'rabbitmq', policy: endless }] })).toEqual([
      { variable: 'q', message: 'retries must be bounded (finite maxAttempts and attempt timeout)' },
    ]);
  });

  it('throws a ConfigError, the same failure as a bad variable', () => {
    expect(() => assertDeliveryBounds({ ...fits, consumerTimeoutMs: 60_000 })).toThrow(ConfigError);
  });
});
