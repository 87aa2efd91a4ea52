// A client span per SQL statement run inside a traced request or message, made by the SQL port itself: the spans the
// pg instrumentation recorded (same names and attributes), for a fraction of its CPU, and none outside a trace.
import { context, SpanKind, SpanStatusCode, trace, type Attributes } from '@opentelemetry/api';

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

export type QuerySpans = <T>(sql: string, run: () => Promise<T>) => Promise<T>;

/**
 * Runs `run` under a client span named `pg.query:<OPERATION> <database>` when a recording span is active (a traced
 * request or message), else as a plain call: the relay's polls and the housekeeping start no trace of their own.
 */
export function querySpans(database: Attributes, enabled: boolean): QuerySpans {
  const namespace = database['db.namespace'];
  const suffix = typeof namespace === 'string' ? ` ${namespace}` : '';
  return (sql, run) => {
    if (!enabled) return run();
    const parent = context.active();
    if (!trace.getSpan(parent)?.isRecording()) return run();
    const operation = operationOf(sql);
    const span = tracer.startSpan(`pg.query:${operation}${suffix}`, {
      kind: SpanKind.CLIENT,
      attributes: { ...database, 'db.operation.name': operation, 'db.query.text': sql },
    }, parent);
    return run().then(
      (result) => {
        span.end();
        return result;
      },
      (error: unknown) => {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
        const code = (error as { code?: unknown } | null)?.code;
        if (typeof code === 'string') span.setAttribute('error.type', code);
        span.end();
        throw error;
      },
    );
  };
}
