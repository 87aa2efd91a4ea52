// Public surface of @saga/messaging: the two ports, their real adapters and their in-memory twins.
export * from './ports/delivery.types';
export * from './ports/event-log.port';
export * from './ports/command-bus.port';
export {
  DEFAULT_ATTEMPT_TIMEOUT_MS,
  defaultRetryPolicy,
  isBounded,
  resolvePolicy,
  retryWindow,
  transientRetryBudget,
  worstCaseDeliveryMs,
  type RetryOverrides,
} from './retry-policy';
export { isTransientInfrastructureError } from './transient-errors';
export { assertDeliveryBounds, deliveryBoundProblems, DEFAULT_KAFKA_REBALANCE_TIMEOUT_MS, type ConsumerBounds, type DeliveryBoundsInput } from './delivery-bounds';
export { boundedPgOptions, databaseAttemptIo, DEFAULT_RABBITMQ_CONSUMER_TIMEOUT_MS, defaultDeliverySettings, deliverySettingsShape, type DeliverySettings } from './delivery-settings';
export { DEFAULT_PARTITIONS_CONSUMED_CONCURRENTLY, DEFAULT_PREFETCH, derivePoolSize, OUTBOX_RELAY_CONNECTIONS, type PoolDemand, type PoolSize } from './pool-size';
export { KafkaEventLog, type KafkaEventLogOptions } from './kafka/kafka-event-log';
export { RabbitMqCommandBus, type RabbitMqCommandBusOptions } from './rabbitmq/rabbitmq-command-bus';
export { InMemoryEventLog } from './in-memory/in-memory-event-log';
export { InMemoryCommandBus } from './in-memory/in-memory-command-bus';
export * from './outbox';
export * from './inbox';
export * from './dead-letters';
export { assertConsumersRunning } from './consumers-running';
export { instrumentMessaging, instrumentServiceMessaging, type MessagingMetricsOptions } from './messaging-metrics';
export { messagingSignals, onMessagingSignals, type DeadLettered, type DuplicateDropped, type MessagingListener } from './messaging-signals';
