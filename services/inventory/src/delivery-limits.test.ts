// The inventory's limits: the default schedules fit under consumer_timeout, and its pool is derived, not guessed.
import { loadConfig } from '@saga/platform';
import { inventoryConfigSchema } from './config';
import { checkInventoryDeliveryLimits, inventoryPoolSize } from './delivery-limits';

const config = loadConfig(inventoryConfigSchema, { DATABASE_URL: 'postgres://saga:saga@localhost:5432/inventory_db', RABBITMQ_URL: 'amqp://guest:guest@localhost:5672' });

describe('inventory delivery limits', () => {
  it('start with the defaults, and not with a consumer_timeout the worst case (375 s) reaches', () => {
    expect(() => checkInventoryDeliveryLimits(config)).not.toThrow();
    expect(() => checkInventoryDeliveryLimits({ ...config, RABBITMQ_CONSUMER_TIMEOUT_MS: 120_000 })).toThrow(/inventory\.commands may hold a message 375\.1 s/);
  });

  it('sizes the pool from prefetch, the partitions handled at once, the relay and headroom', () => {
    expect(inventoryPoolSize(config)).toEqual({ max: 21, parts: { rabbitmq: 10, kafka: 3, outbox: 3, background: 0, http: 5 } });
    expect(inventoryPoolSize({ ...config, DB_POOL_HTTP_HEADROOM: 10 }).max).toBe(26);
  });
});
