// The payment service's delivery limits: its pool size, derived, and the start-up check of its consumers' retry schedules.
import { consumerGroups, EVENT_TOPIC_PARTITIONS, queues } from '@saga/contracts';
import { assertDeliveryBounds, databaseAttemptIo, DEFAULT_PREFETCH, derivePoolSize, type DeliverySettings, type PoolSize } from '@saga/messaging';
import { paymentRetryPolicy } from './payment-service';

/**
 * Payment reads two topics; a StockReserved retrying while its OrderCreated is not recorded must not hold the
 * orders.events.v1 partitions back (kafkajs hands each partition of a fetch to one of this many workers).
 */
export const PAYMENT_EVENT_CONCURRENCY = 2 * EVENT_TOPIC_PARTITIONS;

interface LimitsConfig extends DeliverySettings {
  KAFKA_BROKERS: string[];
  PROVIDER_TIMEOUT_MS: number;
}

/** Commands in flight, the partitions of orders.events.v1 and inventory.events.v1, the relay, reconciliation, HTTP. */
export function paymentPoolSize(config: LimitsConfig): PoolSize {
  return derivePoolSize({
    rabbitPrefetch: [DEFAULT_PREFETCH],
    kafka: config.KAFKA_BROKERS.length === 0 ? [] : [{ concurrency: PAYMENT_EVENT_CONCURRENCY, partitions: 2 * EVENT_TOPIC_PARTITIONS }],
    outboxRelays: 1,
    // The reconciliation scheduler.
    background: 1,
    httpHeadroom: config.DB_POOL_HTTP_HEADROOM,
  });
}

/** Throws a ConfigError when a retry schedule could outlive consumer_timeout, or one attempt's I/O (provider included) its bound. */
export function checkPaymentDeliveryLimits(config: LimitsConfig): void {
  assertDeliveryBounds({
    consumers: [
      { name: queues.paymentCommands, transport: 'rabbitmq', policy: paymentRetryPolicy },
      { name: consumerGroups.payment, transport: 'kafka', policy: paymentRetryPolicy },
    ],
    consumerTimeoutMs: config.RABBITMQ_CONSUMER_TIMEOUT_MS,
    attemptIo: { ...databaseAttemptIo(config), PROVIDER_TIMEOUT_MS: config.PROVIDER_TIMEOUT_MS },
  });
}
