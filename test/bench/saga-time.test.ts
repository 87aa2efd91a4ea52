// sagaTimeOf on a hand-built trace: an orchestrated step's hops, with times chosen so each share is known.
import type { TraceSpan } from '@saga/tracing';
import { meanSagaTime, sagaTimeOf, sagaTimeShares } from './saga-time';

let nextId = 1;
const span = (fields: Partial<TraceSpan> & Pick<TraceSpan, 'name' | 'kind' | 'service' | 'startTimeMs' | 'durationMs'>): TraceSpan => ({
  traceId: 'a'.repeat(32),
  spanId: (nextId++).toString(16).padStart(16, '0'),
  status: 'unset',
  attributes: {},
  ...fields,
});

// t = 0 the client sends POST /orders; the order service's server span starts at 2.
const post = span({ name: 'POST /orders', kind: 'server', service: 'order', startTimeMs: 2, durationMs: 10 });
const insert = span({ name: 'pg.query:INSERT order_db', kind: 'client', service: 'order', parentSpanId: post.spanId, startTimeMs: 4, durationMs: 3 });
const price = span({ name: 'GET', kind: 'client', service: 'order', parentSpanId: post.spanId, startTimeMs: 7, durationMs: 2 });
// Its relay publishes the command 5 ms after the POST ended (12 → 17), confirmed at 18.
const send = span({ name: 'send saga.inventory', kind: 'producer', service: 'order', parentSpanId: post.spanId, startTimeMs: 17, durationMs: 1 });
// The inventory consumes it at 20 (2 ms of delivery); its transaction runs 21–25 (BEGIN 0.5 ms, statements 2.5 ms,
// COMMIT 1 ms, its own code between them the rest); its handler ends at 30.
const consume = span({ name: 'process ReserveStock', kind: 'consumer', service: 'inventory', parentSpanId: send.spanId, startTimeMs: 20, durationMs: 10 });
const update = span({
  name: 'pg.transaction inventory_db',
  kind: 'client',
  service: 'inventory',
  parentSpanId: consume.spanId,
  startTimeMs: 21,
  durationMs: 4,
  attributes: { 'db.operation.batch.size': 2, 'saga.db.begin_ms': 0.5, 'saga.db.statements_ms': 2.5, 'saga.db.commit_ms': 1 },
});
// Work elsewhere in the trace, off the path: the timeline's consumer of another hop.
const offPath = span({ name: 'process OrderCreated', kind: 'consumer', service: 'order', parentSpanId: send.spanId, startTimeMs: 19, durationMs: 30 });
const trace = [post, insert, price, send, consume, update, offPath];

it('splits the time from the POST to the last step along the causal chain', () => {
  // The last step was recorded at 28, inside the inventory's handler.
  const time = sagaTimeOf(trace, 0, 28)!;
  expect(time['before the first span (client, network, accept)']).toBeCloseTo(2);
  expect(time['PostgreSQL queries']).toBeCloseTo(3 + 2.5);
  expect(time['PostgreSQL BEGIN and COMMIT']).toBeCloseTo(0.5 + 1);
  expect(time['HTTP calls to other services']).toBeCloseTo(2);
  // POST: 10 − 3 − 2 = 5; the consumer until 28: 8 − 2.5 − 1.5 = 4.
  expect(time['handler code, pool waits']).toBeCloseTo(5 + 4);
  expect(time['outbox wait (commit → relay publishes)']).toBeCloseTo(5);
  expect(time['publish (until the broker confirms)']).toBeCloseTo(1);
  expect(time['broker delivery (publish → consumer)']).toBeCloseTo(2);
  expect(time['gateway (auth, rate limit, proxy)']).toBe(0);
  expect(sagaTimeShares.reduce((sum, share) => sum + time[share], 0)).toBeCloseTo(28);
});

it('counts a handler that outlives the span that enqueued as the handler, not as the outbox', () => {
  const handler = span({ name: 'process ReserveStockReply', kind: 'consumer', service: 'order', startTimeMs: 0, durationMs: 10 });
  const step = span({ name: 'saga step', kind: 'internal', service: 'order', parentSpanId: handler.spanId, startTimeMs: 1, durationMs: 5 });
  // Enqueued inside `step`, committed by the handler at 10; the relay publishes at 12.
  const publish = span({ name: 'send saga.payment', kind: 'producer', service: 'order', parentSpanId: step.spanId, startTimeMs: 12, durationMs: 1 });
  const charge = span({ name: 'process ChargePayment', kind: 'consumer', service: 'payment', parentSpanId: publish.spanId, startTimeMs: 14, durationMs: 4 });
  const time = sagaTimeOf([handler, step, publish, charge], 0, 16)!;
  expect(time['handler code, pool waits']).toBeCloseTo(1 + 5 + 4 + 2);
  expect(time['outbox wait (commit → relay publishes)']).toBeCloseTo(2);
  expect(time['broker delivery (publish → consumer)']).toBeCloseTo(1);
  expect(sagaTimeShares.reduce((sum, share) => sum + time[share], 0)).toBeCloseTo(16);
});

it('answers undefined when no handler span holds the last step', () => {
  expect(sagaTimeOf(trace, 0, 500)).toBeUndefined();
  expect(sagaTimeOf([], 0, 10)).toBeUndefined();
});

it('averages each share', () => {
  const one = sagaTimeOf(trace, 0, 28)!;
  const mean = meanSagaTime([one, { ...one, 'PostgreSQL queries': one['PostgreSQL queries'] + 2 }]);
  expect(mean['PostgreSQL queries']).toBeCloseTo(6.5);
  expect(mean['broker delivery (publish → consumer)']).toBeCloseTo(2);
});
