// The error helpers read SQLSTATE and constraint from any error shape, wrapped or not.

import { isRetryableTxError, isTransactionAborted, isUniqueViolation, sqlState, TransactionAbortedError, violatedConstraint } from './sql-errors';

const pgError = (code: string, constraint?: string) => Object.assign(new Error('db'), { code, constraint });

describe('sql error helpers', () => {
  it('reads the SQLSTATE through a chain of causes', () => {
    const root = pgError('23505', 'orders_idempotency_key_key');
    const wrapped = new Error('outer', { cause: new Error('middle', { cause: root }) });
    expect(sqlState(wrapped)).toBe('23505');
    expect(violatedConstraint(wrapped)).toBe('orders_idempotency_key_key');
    expect(isUniqueViolation(wrapped, 'orders_idempotency_key_key')).toBe(true);
    expect(isUniqueViolation(wrapped, 'orders_pkey')).toBe(false);
  });

  it('ignores codes that are not SQLSTATEs (e.g. ECONNREFUSED) and non-errors', () => {
    expect(sqlState(Object.assign(new Error('x'), { code: 'ECONNREFUSED' }))).toBeUndefined();
    expect(sqlState('23505')).toBeUndefined();
    expect(sqlState(null)).toBeUndefined();
    expect(isUniqueViolation(undefined)).toBe(false);
  });

  it('classifies retryable and aborted transactions', () => {
    expect(isRetryableTxError(pgError('40001'))).toBe(true);
    expect(isRetryableTxError(pgError('40P01'))).toBe(true);
    expect(isRetryableTxError(pgError('23505'))).toBe(false);
    expect(isTransactionAborted(new TransactionAbortedError())).toBe(true);
  });

  it('stops on a cyclic cause chain', () => {
    const a: Error & { cause?: unknown } = new Error('a');
    a.cause = a;
    expect(sqlState(a)).toBeUndefined();
  });
});
