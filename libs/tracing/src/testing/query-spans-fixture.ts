// Child process of query-spans.int.test.ts: tracing started before pg is loaded, as a service does; a committed
// transaction of two statements, one rolled back by a failing statement and a lone query run inside a traced span, one
// query outside any, and the client spans recorded under the span, with the number of traces kept, are printed as JSON.
import { context, trace } from '@opentelemetry/api';
import { startTracing } from '../start-tracing';

const tracing = startTracing({ serviceName: 'fixture', env: {} });
// Loaded after startTracing, as in a service's main.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { createPgClient } = require('@saga/db') as typeof import('@saga/db');

async function main(): Promise<void> {
  const db = await createPgClient({ connectionString: process.env.DATABASE_URL ?? 'postgres://saga:saga@127.0.0.1:5432/saga_test' });
  await db.query('SELECT 0 AS outside_any_trace');
  const root = trace.getTracer('fixture').startSpan('process SomeMessage');
  await context.with(trace.setSpan(context.active(), root), async () => {
    await db.transaction(async (tx) => {
      await tx.query('SELECT 1 AS committed');
      await tx.query('SELECT 11 AS also_committed');
    });
    await db.transaction(async (tx) => {
      await tx.query('SELECT 2 FROM no_such_table');
    }).catch(() => undefined);
    await db.query('SELECT 3 AS alone');
  });
  root.end();
  const spans = tracing.store.spansOfTrace(root.spanContext().traceId);
  const queries = spans
    .filter((span) => span.kind === 'client')
    .sort((a, b) => a.startTimeMs - b.startTimeMs)
    .map((span) => ({
      name: span.name,
      text: span.attributes['db.query.text'],
      status: span.status,
      statements: span.attributes['db.operation.batch.size'],
      timings: ['saga.db.begin_ms', 'saga.db.statements_ms', 'saga.db.commit_ms'].filter((key) => typeof span.attributes[key] === 'number' && (span.attributes[key] as number) >= 0),
    }));
  await db.close();
  await tracing.shutdown();
  process.stdout.write(`${JSON.stringify({ queries, traces: tracing.store.size })}\n`);
}

void main();
