// Public surface of @saga/messaging: the two ports, their real adapters and their in-memory twins.
export * from './ports/delivery.types';
export * from './ports/event-log.port';
export * from './ports/command-bus.port';
export { defaultRetryPolicy } from './delivery';
export { KafkaEventLog, type KafkaEventLogOptions } from './kafka/kafka-event-log';
export { RabbitMqCommandBus, type RabbitMqCommandBusOptions } from './rabbitmq/rabbitmq-command-bus';
export { InMemoryEventLog } from './in-memory/in-memory-event-log';
export { InMemoryCommandBus } from './in-memory/in-memory-command-bus';
export * from './outbox';
export * from './inbox';
export { assertConsumersRunning } from './consumers-running';
