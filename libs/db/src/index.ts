// @saga/db public surface: the SQL port, its pg and PGlite drivers, migrations and error helpers.

export type {
  IsolationLevel,
  SqlClient,
  SqlExecutor,
  SqlResult,
  SqlScalar,
  SqlValue,
  TransactionOptions,
  Unlisten,
} from './sql-client';
export { createPgClient, type PgClientOptions } from './pg-client';
export { createPgliteClient, type PgliteClientOptions } from './pglite-client';
export { initPgliteDataDirs, PgliteDataDirError } from './pglite-data-dirs';
export { migrate, type MigrateOptions } from './migrate';
export { MigrationHistoryError, type Migration } from './migration-plan';
export {
  isRetryableTxError,
  isTransactionAborted,
  isUniqueViolation,
  sqlState,
  SqlState,
  TransactionAbortedError,
  violatedConstraint,
} from './sql-errors';
