// Public surface of the transactional outbox (enqueue + relay) (the idempotent inbox lives in ../inbox).
export { messagingMigrations, migrateMessaging } from './outbox-migrations';
export { enqueueOutbox, type OutboxMessage } from './enqueue-outbox';
export { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
export { relayInstanceId } from './outbox-relay-options';
export { isMessageRefusal } from './outbox-publisher';
export { listOutbox, redriveOutboxRow, type OutboxRowState, type OutboxRowView } from './outbox-admin';
export { outboxAdminRoutes, outboxListQuery, outboxListSchema, outboxRedrivenSchema } from './outbox-admin.routes';
