// SqlClient on node-postgres: a pg.Pool for statements and transactions, one extra connection for LISTEN.

import { Pool, TypeOverrides, type ClientConfig, type QueryConfig, type QueryResult } from 'pg';
import { PgListener } from './pg-listener';
import { databaseAttributes, querySpans, querySpansDisabled, untracedStatement, type StatementSpan } from './query-spans';
import type { SqlClient, SqlExecutor, SqlValue, TransactionOptions } from './sql-client';
import { errorMessage, TransactionAbortedError } from './sql-errors';
import { assertChannelName } from './sql-names';
import { guardTransaction, ISOLATION_SQL } from './transaction-guard';

export interface PgClientOptions {
  connectionString: string;
  /** Pool size; defaults to 10. */
  max?: number;
  /** Shown in pg_stat_activity; the LISTEN connection gets a `:listen` suffix. */
  applicationName?: string;
  /** Server-side limit per statement; none by default. */
  statementTimeoutMs?: number;
  /**
   * Client-side limit per query: the only one that fires when the server stopped answering (a network partition, a
   * frozen host), where statement_timeout cannot. Set it above statementTimeoutMs so the server normally cancels first.
   */
  queryTimeoutMs?: number;
  /** How long to wait for a connection (pool exhausted, server down); defaults to 10 s, pg's own default is forever. */
  connectionTimeoutMs?: number;
  /** Connection errors outside any statement (idle pool clients, the LISTEN connection); defaults to console.error. */
  onError?: (err: unknown) => void;
}

// pg parses date into a Date at local midnight, which shifts the day across time zones.
const DATE = 1082;

type RunQuery = (config: QueryConfig) => Promise<QueryResult>;

function pgExecutor(run: RunQuery, traced: StatementSpan): SqlExecutor {
  const executor: SqlExecutor = {
    async query<Row>(sql: string, params?: readonly SqlValue[]) {
      // Extended protocol even without params, so a multi-statement string fails as it does on PGlite.
      const config: QueryConfig & { queryMode: 'extended' } = { text: sql, values: [...(params ?? [])], queryMode: 'extended' };
      const result = await traced(sql, () => run(config));
      return { rows: result.rows as Row[], rowCount: result.rowCount ?? 0 };
    },
    async exec(script: string) {
      // Simple protocol (no values): several statements allowed, results ignored.
      await traced(script, () => run({ text: script }));
    },
    async notify(channel: string, payload: string) {
      await executor.query('SELECT pg_notify($1, $2)', [assertChannelName(channel), payload]);
    },
  };
  return executor;
}

/** Database, host and port of a connection string, for the query spans (nothing when it does not parse). */
function connectionOf(connectionString: string): { database?: string; host?: string; port?: number } {
  try {
    const url = new URL(connectionString);
    return { database: decodeURIComponent(url.pathname.slice(1)) || undefined, host: url.hostname || undefined, port: Number(url.port) || 5432 };
  } catch {
    return {};
  }
}

/** The URL without its password, for error messages. */
function redact(connectionString: string): string {
  try {
    const url = new URL(connectionString);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '(unparsable connection string)';
  }
}

/** Connects and checks the server answers, so a wrong URL fails at start-up rather than on the first request. */
export async function createPgClient(opts: PgClientOptions): Promise<SqlClient> {
  const onError = opts.onError ?? ((err: unknown) => console.error('[@saga/db] PostgreSQL connection error', err));
  const types = new TypeOverrides();
  types.setTypeParser(DATE, (text: string) => text);
  const config: ClientConfig = {
    connectionString: opts.connectionString,
    application_name: opts.applicationName,
    statement_timeout: opts.statementTimeoutMs ?? false,
    ...(opts.queryTimeoutMs === undefined ? {} : { query_timeout: opts.queryTimeoutMs }),
    connectionTimeoutMillis: opts.connectionTimeoutMs ?? 10_000,
    types,
  };
  const pool = new Pool({ ...config, max: opts.max ?? 10 });
  // An idle client whose connection drops emits 'error' on the pool; unhandled, it kills the process.
  pool.on('error', onError);
  const listener = new PgListener({ ...config, application_name: `${opts.applicationName ?? 'saga-db'}:listen` }, onError);
  try {
    await pool.query('SELECT 1');
  } catch (err) {
    await pool.end().catch(() => undefined);
    throw new Error(`Cannot connect to PostgreSQL at ${redact(opts.connectionString)}: ${errorMessage(err)}`, { cause: err });
  }
  const spans = querySpans(databaseAttributes(connectionOf(opts.connectionString)), !querySpansDisabled(process.env));
  const base = pgExecutor((q) => pool.query(q), spans.statement);
  let closing: Promise<void> | undefined;

  return {
    dialect: 'postgresql',
    driver: 'pg',
    query: base.query,
    exec: base.exec,
    notify: base.notify,
    async transaction<T>(work: (tx: SqlExecutor) => Promise<T>, txOpts?: TransactionOptions): Promise<T> {
      const conn = await pool.connect();
      // A checked-out client has no pool 'error' listener: a drop between statements would crash the process.
      conn.on('error', onError);
      let broken: Error | undefined;
      // Traced, the transaction is one span (query-spans.ts): its statements, BEGIN and COMMIT are noted on it.
      const span = spans.transaction();
      const timed = <R>(step: 'begin' | 'commit', run: () => Promise<R>) => (span ? span.timed(step, run) : run());
      try {
        await timed('begin', () => conn.query(txOpts?.isolation ? `BEGIN ${ISOLATION_SQL[txOpts.isolation]}` : 'BEGIN'));
        const guard = guardTransaction(pgExecutor((q) => conn.query(q), span?.statement ?? untracedStatement));
        let result: T;
        try {
          result = await work(guard.tx);
        } finally {
          guard.finish();
        }
        // node-postgres resolves a COMMIT that the server turned into ROLLBACK (a statement had failed).
        const commit = await timed('commit', () => conn.query('COMMIT'));
        if (commit.command === 'ROLLBACK') throw new TransactionAbortedError();
        span?.end();
        return result;
      } catch (err) {
        span?.end(err);
        // After a failed COMMIT there is nothing left to roll back, and ROLLBACK is harmless.
        await conn.query('ROLLBACK').catch((rollbackErr: Error) => {
          broken = rollbackErr;
        });
        throw err;
      } finally {
        conn.off('error', onError);
        // A connection whose ROLLBACK failed is in an unknown state: destroy it instead of pooling it.
        conn.release(broken);
      }
    },
    listen: (channel, onNotify) => listener.listen(channel, onNotify),
    close() {
      closing ??= Promise.all([listener.close(), pool.end()]).then(() => undefined);
      return closing;
    },
  };
}
