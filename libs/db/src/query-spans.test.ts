// What a query span is named by and carries; the spans themselves are tested with the SDK in @saga/tracing.
import { databaseAttributes, operationOf, querySpansDisabled } from './query-spans';

test('a statement is named by its first word, upper-cased, whatever follows it', () => {
  expect(operationOf('select 1')).toBe('SELECT');
  expect(operationOf('\n  INSERT INTO outbox (id) VALUES ($1)')).toBe('INSERT');
  expect(operationOf('WITH inserted AS (INSERT INTO t VALUES (1)) SELECT 1')).toBe('WITH');
  expect(operationOf('COMMIT;')).toBe('COMMIT');
  expect(operationOf('(SELECT 1) UNION (SELECT 2)')).toBe('');
});

test('the database attributes name what the connection string does, and nothing it does not', () => {
  expect(databaseAttributes({ database: 'order_db', host: '127.0.0.1', port: 5432 })).toEqual({
    'db.system.name': 'postgresql',
    'db.namespace': 'order_db',
    'server.address': '127.0.0.1',
    'server.port': 5432,
  });
  expect(databaseAttributes({})).toEqual({ 'db.system.name': 'postgresql' });
});

test('OTEL_NODE_DISABLED_INSTRUMENTATIONS=pg turns the query spans off, as it did the instrumentation', () => {
  expect(querySpansDisabled({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'http, pg' })).toBe(true);
  expect(querySpansDisabled({ OTEL_NODE_DISABLED_INSTRUMENTATIONS: 'pglite' })).toBe(false);
  expect(querySpansDisabled({})).toBe(false);
});
