// PostgreSQL error codes the services branch on, read the same way from pg and PGlite errors.

/** SQLSTATE codes, https://www.postgresql.org/docs/current/errcodes-appendix.html */
export const SqlState = {
  uniqueViolation: '23505',
  serializationFailure: '40001',
  deadlockDetected: '40P01',
  inFailedTransaction: '25P02',
} as const;

/**
 * The SQLSTATE of `err`, or of the first error in its `cause` chain that has one. Both drivers
 * throw errors carrying `code` (their classes differ and PGlite's is minified, so never use
 * instanceof); looking through `cause` keeps the helpers working when callers wrap errors.
 */
export function sqlState(err: unknown): string | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 10; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code)) return code;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The constraint named by a PostgreSQL error (both drivers expose it), if any. */
export function violatedConstraint(err: unknown): string | undefined {
  for (let e = err, depth = 0; typeof e === 'object' && e !== null && depth < 10; depth++) {
    const constraint = (e as { constraint?: unknown }).constraint;
    if (typeof constraint === 'string' && constraint !== '') return constraint;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/**
 * True for a unique violation (23505), optionally only on the named constraint: a duplicate
 * idempotency key and a duplicate primary key usually mean different things to the caller.
 */
export function isUniqueViolation(err: unknown, constraint?: string): boolean {
  if (sqlState(err) !== SqlState.uniqueViolation) return false;
  return constraint === undefined || violatedConstraint(err) === constraint;
}

/** True when running the whole transaction again may succeed: serialization failure or deadlock. */
export function isRetryableTxError(err: unknown): boolean {
  const code = sqlState(err);
  return code === SqlState.serializationFailure || code === SqlState.deadlockDetected;
}

/** True when a transaction was rolled back because a statement in it had failed (25P02). */
export function isTransactionAborted(err: unknown): boolean {
  return sqlState(err) === SqlState.inFailedTransaction;
}

/**
 * Thrown by the pg driver when COMMIT answers ROLLBACK: node-postgres resolves that COMMIT
 * normally, so without this a transaction whose failed statement was caught would look committed.
 * PGlite throws its own error with the same code.
 */
export class TransactionAbortedError extends Error {
  readonly code = SqlState.inFailedTransaction;
  constructor() {
    super('Transaction was rolled back instead of committed: a statement in it failed');
    this.name = 'TransactionAbortedError';
  }
}

/**
 * The message of any thrown value. Duck-typed: drivers and sockets may throw values that are not Error
 * instances (or come from another realm, where `instanceof Error` is false).
 */
export function errorMessage(err: unknown): string {
  const message = (err as { message?: unknown } | null | undefined)?.message;
  return typeof message === 'string' && message !== '' ? message : String(err);
}
