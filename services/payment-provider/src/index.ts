// Public surface of @saga/payment-provider-service: the provider's express app over a migrated SqlClient (for the
// embedded platform and other services' tests) and its migrations.
export { createProviderApp, migrateProviderDb } from './provider-app';
export type { ProviderAppOptions } from './provider-app';
