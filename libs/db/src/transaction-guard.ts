// Wraps a transaction's executor so a statement sent after the transaction settled fails loudly.

import type { SqlExecutor, SqlValue } from './sql-client';

/**
 * After commit or rollback a pg connection goes back to the pool, where a late statement from a
 * forgotten `await` would run in someone else's transaction. Both drivers refuse it instead.
 */
export function guardTransaction(inner: SqlExecutor): { tx: SqlExecutor; finish(): void } {
  let finished = false;
  const check = (): void => {
    if (finished) throw new Error('Transaction already finished: a statement was sent on its executor after commit or rollback (missing await?)');
  };
  const tx: SqlExecutor = {
    async query<Row>(sql: string, params?: readonly SqlValue[]) {
      check();
      return inner.query<Row>(sql, params);
    },
    async exec(script: string) {
      check();
      return inner.exec(script);
    },
    async notify(channel: string, payload: string) {
      check();
      return inner.notify(channel, payload);
    },
  };
  return { tx, finish: () => { finished = true; } };
}

/** `BEGIN` clause for an isolation level; a fixed map so no caller text reaches SQL. */
export const ISOLATION_SQL = {
  'read committed': 'ISOLATION LEVEL READ COMMITTED',
  'repeatable read': 'ISOLATION LEVEL REPEATABLE READ',
  serializable: 'ISOLATION LEVEL SERIALIZABLE',
} as const;
