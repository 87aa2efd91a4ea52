// The order service's limits: the default schedules fit under consumer_timeout, and its pool is derived, not guessed.
import { loadConfig } from '@saga/platform';
import { orderConfigSchema } from './config';
import { checkOrderDeliveryLimits, orderPoolSize } from './delivery-limits';

const config = loadConfig(orderConfigSchema, { DATABASE_URL: 'postgres://saga:saga@localhost:5432/order_db', RABBITMQ_URL: 'amqp://guest:guest@localhost:5672' });

describe('order delivery limits', () => {
  it('start with the defaults, and not when one attempt\'s database waits exceed its bound', () => {
    expect(() => checkOrderDeliveryLimits(config)).not.toThrow();
    expect(() => checkOrderDeliveryLimits({ ...config, DB_STATEMENT_TIMEOUT_MS: 30_000 })).toThrow(/DB_STATEMENT_TIMEOUT_MS 30 s = 35 s, more than its 15 s bound/);
  });

  it('sizes the pool from reply prefetch, choreography and timeline partitions, the relay, two timers and headroom', () => {
    expect(orderPoolSize(config)).toEqual({ max: 42, parts: { rabbitmq: 20, kafka: 12, outbox: 3, background: 2, http: 5 } });
  });
});
