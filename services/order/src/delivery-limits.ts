// The order service's delivery limits: its pool size, derived, and the start-up check of its consumers' retry schedules.
import { consumerGroups, EVENT_TOPIC_PARTITIONS, queues, topics } from '@saga/contracts';
import { assertDeliveryBounds, databaseAttemptIo, defaultRetryPolicy, derivePoolSize, type DeliverySettings, type PoolSize } from '@saga/messaging';
import { SAGA_REPLIES_PREFETCH } from './messaging/saga-replies.handler';

/**
 * Partitions the order's Kafka consumers work on at once: it reads inventory's and payment's topics, and a slow
 * partition of one must not hold the other's back (a lagging payments.events.v1 would stall the StockReleased that
 * settles a declined order).
 */
export const ORDER_EVENT_CONCURRENCY = 2 * EVENT_TOPIC_PARTITIONS;

interface LimitsConfig extends DeliverySettings {
  KAFKA_BROKERS: string[];
}

/** Saga replies in flight, the choreography's and the timeline's partitions, the relay, two timers, and HTTP. */
export function orderPoolSize(config: LimitsConfig): PoolSize {
  const kafka = config.KAFKA_BROKERS.length === 0 ? [] : [
    // Choreography: inventory.events.v1 and payments.events.v1.
    { concurrency: ORDER_EVENT_CONCURRENCY, partitions: 2 * EVENT_TOPIC_PARTITIONS },
    // The timeline read model: every event topic.
    { concurrency: ORDER_EVENT_CONCURRENCY, partitions: Object.keys(topics).length * EVENT_TOPIC_PARTITIONS },
  ];
  return derivePoolSize({
    rabbitPrefetch: [SAGA_REPLIES_PREFETCH],
    kafka,
    outboxRelays: 1,
    // The saga step deadline scanner and the choreography reaper.
    background: 2,
    httpHeadroom: config.DB_POOL_HTTP_HEADROOM,
  });
}

/** Throws a ConfigError when a retry schedule could outlive consumer_timeout, or the I/O of one attempt its bound. */
export function checkOrderDeliveryLimits(config: LimitsConfig): void {
  assertDeliveryBounds({
    consumers: [
      { name: queues.orderSagaReplies, transport: 'rabbitmq', policy: defaultRetryPolicy },
      { name: consumerGroups.order, transport: 'kafka', policy: defaultRetryPolicy },
      { name: consumerGroups.orderTimeline, transport: 'kafka', policy: defaultRetryPolicy },
    ],
    consumerTimeoutMs: config.RABBITMQ_CONSUMER_TIMEOUT_MS,
    attemptIo: databaseAttemptIo(config),
  });
}
