// The spans of SQL run inside a traced request or message, made by the SQL port itself: one per transaction (its
// statements noted on it), one per statement outside a transaction, and none outside a trace.
import { context, SpanKind, SpanStatusCode, trace, type Attributes, type Span } from '@opentelemetry/api';

const tracer = trace.getTracer('@saga/db');

/**
 * OpenTelemetry's own switch, as the SDK's instrumentations read it: `OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg` records a
 * saga without a span per query (the bench measures what they cost).
 */
export function querySpansDisabled(env: NodeJS.ProcessEnv): boolean {
  return (env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '').split(',').some((name) => name.trim() === 'pg');
}

/** Where the statements go, on every span: database semantic conventions. */
export function databaseAttributes(connection: { database?: string; host?: string; port?: number }): Attributes {
  return {
    'db.system.name': 'postgresql',
    ...(connection.database ? { 'db.namespace': connection.database } : {}),
    ...(connection.host ? { 'server.address': connection.host } : {}),
    ...(connection.port ? { 'server.port': connection.port } : {}),
  };
}

/** The statement's first word, upper-cased: SELECT, INSERT, WITH… (what the span is named by). */
export function operationOf(sql: string): string {
  const text = sql.trimStart();
  const end = text.search(/[\s;(]/);
  return (end === -1 ? text : text.slice(0, end)).toUpperCase();
}

/** Runs one statement, traced or not. */
export type StatementSpan = <T>(sql: string, run: () => Promise<T>) => Promise<T>;

/** One traced transaction: its statements noted on a single span, which ends with the transaction. */
export interface TransactionSpan {
  /** Runs a statement of the transaction: its text and time go on the transaction's span, no span of its own. */
  statement: StatementSpan;
  /** Runs BEGIN or COMMIT, noting its time (COMMIT's is the WAL flush: the durable part of the transaction). */
  timed<T>(step: 'begin' | 'commit', run: () => Promise<T>): Promise<T>;
  /** Ends the span: an error is the transaction's, marked as the failed statement's was. */
  end(error?: unknown): void;
}

export interface QuerySpans {
  /** A statement on its own (the pool's): a client span `pg.query:<OPERATION> <database>`. */
  statement: StatementSpan;
  /** A transaction's span `pg.transaction <database>`, or undefined when nothing is traced here. */
  transaction(): TransactionSpan | undefined;
}

/** A statement run as it is: no span (tracing off, or nothing traced here). */
export const untracedStatement: StatementSpan = (_sql, run) => run();

/** Runs `run`, handing how long it took (ms) to `noteMs`, whether it succeeded or not. */
async function timed<T>(run: () => Promise<T>, noteMs: (ms: number) => void): Promise<T> {
  const started = performance.now();
  try {
    return await run();
  } finally {
    noteMs(performance.now() - started);
  }
}

/** Marks a span failed by a statement's error: the message, and PostgreSQL's SQLSTATE as error.type. */
function markFailed(span: Span, error: unknown): void {
  span.recordException(error instanceof Error ? error : String(error));
  span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string') span.setAttribute('error.type', code);
}

/** Whether a recording span is active: a traced request or message (the relay's polls and the housekeeping are not). */
const tracedHere = (): boolean => trace.getSpan(context.active())?.isRecording() === true;

/**
 * The spans of a database's statements, when a recording span is active, else none. A statement on its own gets a
 * client span; a transaction gets one client span from BEGIN to its end, which holds its statements' texts, how many
 * they were (`db.operation.batch.size`) and where its time went (`saga.db.begin_ms`, `saga.db.statements_ms`,
 * `saga.db.commit_ms`): a span per statement cost a traced saga about 3 ms, most of tracing's cost (docs/benchmarks.md).
 */
export function querySpans(database: Attributes, enabled: boolean): QuerySpans {
  const namespace = database['db.namespace'];
  const suffix = typeof namespace === 'string' ? ` ${namespace}` : '';
  const statement: StatementSpan = (sql, run) => {
    if (!tracedHere()) return run();
    const operation = operationOf(sql);
    const span = tracer.startSpan(`pg.query:${operation}${suffix}`, {
      kind: SpanKind.CLIENT,
      attributes: { ...database, 'db.operation.name': operation, 'db.query.text': sql },
    });
    return run().then(
      (result) => {
        span.end();
        return result;
      },
      (error: unknown) => {
        markFailed(span, error);
        span.end();
        throw error;
      },
    );
  };
  const transaction = (): TransactionSpan | undefined => {
    if (!tracedHere()) return undefined;
    const span = tracer.startSpan(`pg.transaction${suffix}`, { kind: SpanKind.CLIENT, attributes: { ...database, 'db.operation.name': 'TRANSACTION' } });
    const texts: string[] = [];
    let statementsMs = 0;
    let failure: unknown;
    return {
      statement: (sql, run) => {
        texts.push(sql);
        return timed(run, (ms) => (statementsMs += ms)).catch((error: unknown) => {
          failure ??= error;
          throw error;
        });
      },
      timed: (step, run) => timed(run, (ms) => span.setAttribute(`saga.db.${step}_ms`, ms)),
      end: (error) => {
        span.setAttributes({ 'db.query.text': texts.join(';\n'), 'db.operation.batch.size': texts.length, 'saga.db.statements_ms': statementsMs });
        if (error !== undefined) markFailed(span, failure ?? error);
        span.end();
      },
    };
  };
  return enabled ? { statement, transaction } : { statement: untracedStatement, transaction: () => undefined };
}
