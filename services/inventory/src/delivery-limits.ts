// The inventory's delivery limits: its pool size, derived, and the start-up check of its consumers' retry schedules.
import { consumerGroups, EVENT_TOPIC_PARTITIONS, queues } from '@saga/contracts';
import {
  assertDeliveryBounds,
  databaseAttemptIo,
  DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY,
  DEFAULT_PREFETCH,
  defaultRetryPolicy,
  derivePoolSize,
  type DeliverySettings,
  type PoolSize,
} from '@saga/messaging';

/** Commands in flight, the partitions of orders.events.v1 and payments.events.v1 handled at once, the relay, HTTP. */
export function inventoryPoolSize(config: DeliverySettings): PoolSize {
  return derivePoolSize({
    rabbitPrefetch: [DEFAULT_PREFETCH],
    kafka: [{ concurrency: DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY, partitions: 2 * EVENT_TOPIC_PARTITIONS }],
    outboxRelays: 1,
    background: 0,
    httpHeadroom: config.DB_POOL_HTTP_HEADROOM,
  });
}

/** Throws a ConfigError when a retry schedule could outlive consumer_timeout, or the I/O of one attempt its bound. */
export function checkInventoryDeliveryLimits(config: DeliverySettings): void {
  assertDeliveryBounds({
    consumers: [
      { name: queues.inventoryCommands, transport: 'rabbitmq', policy: defaultRetryPolicy },
      { name: consumerGroups.inventory, transport: 'kafka', policy: defaultRetryPolicy },
    ],
    consumerTimeoutMs: config.RABBITMQ_CONSUMER_TIMEOUT_MS,
    attemptIo: databaseAttemptIo(config),
  });
}
