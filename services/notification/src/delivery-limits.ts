// The notification service's delivery limits: its pool size, derived, and the start-up check of its retry schedules.
import { consumerGroups, EVENT_TOPIC_PARTITIONS, queues } from '@saga/contracts';
import {
  assertDeliveryBounds,
  databaseAttemptIo,
  DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY,
  derivePoolSize,
  type DeliverySettings,
  type PoolSize,
} from '@saga/messaging';
import { NOTIFICATION_PREFETCH, notificationRetryPolicy } from './messaging/send-notification.command-handler';

interface LimitsConfig extends DeliverySettings {
  KAFKA_BROKERS: string[];
  NOTIFICATION_WEBHOOK_URL?: string | undefined;
  NOTIFICATION_WEBHOOK_TIMEOUT_MS: number;
}

/** SendNotification in flight, the orders.events.v1 partitions handled at once, the outbox relay, and HTTP. */
export function notificationPoolSize(config: LimitsConfig): PoolSize {
  return derivePoolSize({
    rabbitPrefetch: [NOTIFICATION_PREFETCH],
    kafka: config.KAFKA_BROKERS.length === 0 ? [] : [{ concurrency: DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY, partitions: EVENT_TOPIC_PARTITIONS }],
    outboxRelays: 1,
    background: 0,
    httpHeadroom: config.DB_POOL_HTTP_HEADROOM,
  });
}

/** Throws a ConfigError when a retry schedule could outlive consumer_timeout, or the I/O of one attempt its bound. */
export function checkNotificationDeliveryLimits(config: LimitsConfig): void {
  assertDeliveryBounds({
    consumers: [
      { name: queues.notificationCommands, transport: 'rabbitmq', policy: notificationRetryPolicy },
      { name: consumerGroups.notification, transport: 'kafka', policy: notificationRetryPolicy },
    ],
    consumerTimeoutMs: config.RABBITMQ_CONSUMER_TIMEOUT_MS,
    attemptIo: {
      ...databaseAttemptIo(config),
      ...(config.NOTIFICATION_WEBHOOK_URL ? { NOTIFICATION_WEBHOOK_TIMEOUT_MS: config.NOTIFICATION_WEBHOOK_TIMEOUT_MS } : {}),
    },
  });
}
