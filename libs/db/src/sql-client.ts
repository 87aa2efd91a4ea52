// The SQL port: what repositories, migrations and the outbox relay depend on, whichever driver runs below.

/** A value bound to a $n placeholder. Both drivers speak PostgreSQL, so placeholders are always $1, $2, ... */
export type SqlScalar = string | number | bigint | boolean | Date | Uint8Array | null;

/**
 * A parameter value. Plain objects are sent as JSON (for json/jsonb columns) by both drivers.
 * Arrays of scalars are PostgreSQL arrays (`= ANY($1::int[])`). To store a JSON *array* in a jsonb
 * column, pass `JSON.stringify(array)`: pg turns a JS array into a PostgreSQL array literal whatever
 * the column type, while PGlite picks the encoding from the column type, so only a string is
 * portable. `object` (rather than a JSON index signature) lets typed interfaces be passed as-is.
 */
export type SqlValue = SqlScalar | readonly SqlScalar[] | object;

/**
 * A statement's result. Types come back the same from both drivers: int8 and numeric as strings
 * (they may not fit a JS number), date as 'YYYY-MM-DD' strings, timestamptz as Date, json/jsonb
 * parsed, bytea as Uint8Array (pg gives a Buffer, which is one).
 */
export interface SqlResult<Row> {
  rows: Row[];
  /** Rows returned (SELECT, RETURNING) or changed (INSERT, UPDATE, DELETE); 0 for DDL. */
  rowCount: number;
}

/**
 * The query-only part of a connection: what repositories take, so the same repository code runs
 * on the client (autocommit) or on the `tx` handed to `transaction()`.
 */
export interface SqlExecutor {
  /** One statement, with parameters. Several statements in one string are rejected by both drivers. */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly SqlValue[]): Promise<SqlResult<Row>>;
  /** A script of several statements without parameters (migrations, DDL). Returns no rows. */
  exec(script: string): Promise<void>;
  /**
   * `pg_notify(channel, payload)`. On a `tx` it is delivered only if and when the transaction
   * commits, which is what the transactional outbox wants: wake the relay after the rows exist.
   */
  notify(channel: string, payload: string): Promise<void>;
}

export type IsolationLevel = 'read committed' | 'repeatable read' | 'serializable';

export interface TransactionOptions {
  /** Defaults to the server's default (read committed). */
  isolation?: IsolationLevel;
}

/** Stops a `listen()` subscription. */
export type Unlisten = () => Promise<void>;

export interface SqlClient extends SqlExecutor {
  readonly dialect: 'postgresql';
  readonly driver: 'pg' | 'pglite';
  /**
   * Runs `work` in one transaction: commits when it resolves, rolls back and rethrows when it
   * throws. `tx` must not be used after `work` settles (it throws). A statement error that `work`
   * catches still aborts the transaction: COMMIT then fails with SQLSTATE 25P02 (see
   * `isTransactionAborted`).
   */
  transaction<T>(work: (tx: SqlExecutor) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /**
   * LISTEN on `channel` (lower-case letters, digits, underscores). A wake-up hint, not a delivery
   * guarantee: notifications sent while a connection is being re-established are lost, so a
   * consumer such as the outbox relay must still poll.
   */
  listen(channel: string, onNotify: (payload: string) => void): Promise<Unlisten>;
  /** Waits for statements in flight, then releases every connection. Idempotent. */
  close(): Promise<void>;
}
