// SqlClient on PGlite: PostgreSQL compiled to WASM, embedded in this process, in memory or in a folder.

import { AsyncLocalStorage } from 'node:async_hooks';
import type { Transaction } from '@electric-sql/pglite';
import { unopenableDataDirError } from './pglite-data-dirs';
import { loadPglite } from './pglite-loader';
import { PGLITE_PARSERS } from './pglite-values';
import type { SqlClient, SqlExecutor, SqlValue } from './sql-client';
import { assertChannelName } from './sql-names';
import { guardTransaction, ISOLATION_SQL } from './transaction-guard';

export interface PgliteClientOptions {
  /** A folder keeps the data across restarts; without one the database lives in memory. */
  dataDir?: string;
  /** Receives errors thrown by listen() callbacks; defaults to console.error. */
  onError?: (err: unknown) => void;
  /**
   * Small buffers (shared_buffers 8 MB instead of 128 MB, and the like): for several databases in one process,
   * as in the embedded mode, where each PGlite is a whole PostgreSQL in WebAssembly memory.
   */
  smallFootprint?: boolean;
}

/** PostgreSQL settings for smallFootprint, on top of PGlite's own start parameters. */
const SMALL_FOOTPRINT_SETTINGS = ['shared_buffers=8MB', 'work_mem=1MB', 'maintenance_work_mem=4MB', 'wal_buffers=256kB', 'temp_buffers=1MB'];

type PgliteTarget = Pick<Transaction, 'query' | 'exec'>;

function pgliteExecutor(target: PgliteTarget): SqlExecutor {
  const executor: SqlExecutor = {
    async query<Row>(sql: string, params?: readonly SqlValue[]) {
      const result = await target.query<Row>(sql, params ? [...params] : undefined);
      return { rows: result.rows, rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string) {
      await target.exec(script);
    },
    async notify(channel: string, payload: string) {
      await executor.query('SELECT pg_notify($1, $2)', [assertChannelName(channel), payload]);
    },
  };
  return executor;
}

/**
 * PGlite is one connection. Its own mutex queues every query and transaction behind an open
 * transaction, so statements from other callers never land inside it; this driver relies on that
 * rather than queueing again. Isolation levels are accepted and set, but with one connection there
 * is never a concurrent transaction, so serialization failures and deadlocks cannot happen here.
 */
export async function createPgliteClient(opts: PgliteClientOptions = {}): Promise<SqlClient> {
  const { PGlite } = loadPglite();
  const startParams = opts.smallFootprint ? [...PGlite.defaultStartParams, ...SMALL_FOOTPRINT_SETTINGS.flatMap((setting) => ['-c', setting])] : undefined;
  const db = await PGlite.create({ dataDir: opts.dataDir, parsers: PGLITE_PARSERS, ...(startParams && { startParams }) }).catch((err: unknown) => {
    throw (opts.dataDir !== undefined && unopenableDataDirError(opts.dataDir, err)) || err;
  });
  const base = pgliteExecutor(db);
  // Marks the async context of a transaction's `work`: a statement sent there on the client
  // (instead of on `tx`) would wait for the mutex its own transaction holds, forever.
  const insideTransaction = new AsyncLocalStorage<{ open: boolean }>();
  const refuseInsideTransaction = (what: string): void => {
    if (insideTransaction.getStore()?.open) {
      throw new Error(`${what} on the PGlite client inside its own transaction would wait forever (one connection, held by that transaction): use the tx executor`);
    }
  };
  let closing: Promise<void> | undefined;

  return {
    dialect: 'postgresql',
    driver: 'pglite',
    async query<Row>(sql: string, params?: readonly SqlValue[]) {
      refuseInsideTransaction('query()');
      return base.query<Row>(sql, params);
    },
    async exec(script: string) {
      refuseInsideTransaction('exec()');
      return base.exec(script);
    },
    async notify(channel: string, payload: string) {
      refuseInsideTransaction('notify()');
      return base.notify(channel, payload);
    },
    async transaction(work, txOpts) {
      refuseInsideTransaction('transaction()');
      // PGlite's transaction() holds its mutex, commits on resolve, rolls back and rethrows on throw.
      return db.transaction(async (raw) => {
        if (txOpts?.isolation) await raw.exec(`SET TRANSACTION ${ISOLATION_SQL[txOpts.isolation]}`);
        const scope = { open: true };
        const guard = guardTransaction(pgliteExecutor(raw));
        try {
          return await insideTransaction.run(scope, () => work(guard.tx));
        } finally {
          scope.open = false;
          guard.finish();
        }
      });
    },
    async listen(channel: string, onNotify: (payload: string) => void) {
      refuseInsideTransaction('listen()');
      // PGlite calls listeners in a microtask: a throwing callback would be an uncaught exception.
      const onError = opts.onError ?? ((err: unknown) => console.error('[@saga/db] listen callback failed', err));
      const deliver = (payload: string): void => {
        try {
          onNotify(payload);
        } catch (err) {
          onError(err);
        }
      };
      const unlisten = await db.listen(assertChannelName(channel), deliver);
      return async () => {
        if (!db.closed) await unlisten();
      };
    },
    close() {
      closing ??= db.closed ? Promise.resolve() : db.close();
      return closing;
    },
  };
}
