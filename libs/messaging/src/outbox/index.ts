// Public surface of the transactional outbox (enqueue + relay) and the idempotent inbox (markProcessed + handleOnce).
export { messagingMigrations, migrateMessaging } from './outbox-migrations';
export { enqueueOutbox, type OutboxMessage } from './enqueue-outbox';
export { handleOnce, markProcessed } from './idempotent-inbox';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
