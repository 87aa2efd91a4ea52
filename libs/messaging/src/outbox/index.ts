// Public surface of the transactional outbox (enqueue + relay) and the idempotent inbox (markProcessed, wasProcessed, handleOnce).
export { messagingMigrations, migrateMessaging } from './outbox-migrations';
export { enqueueOutbox, type OutboxMessage } from './enqueue-outbox';
export { handleOnce, markProcessed, wasProcessed } from './idempotent-inbox';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
export { relayInstanceId } from './outbox-relay-options';
export { isMessageRefusal } from './outbox-publisher';
export { listOutbox, redriveOutboxRow, type OutboxRowState, type OutboxRowView } from './outbox-admin';
export { outboxAdminRoutes } from './outbox-admin.routes';
