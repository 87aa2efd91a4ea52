// SpanStore: what the trace query finds (by order, by trace), and its bounds.
import { defaultSpanStoreLimits, SpanStore, spanStoreLimitsOf } from './span-store';
import type { TraceSpan } from './trace-span';

const span = (traceId: string, spanId: string, orderId?: string): TraceSpan => ({
  traceId: traceId.padEnd(32, '0'),
  spanId: spanId.padEnd(16, '0'),
  name: `span ${spanId}`,
  kind: 'internal',
  service: 'order',
  startTimeMs: 1,
  durationMs: 1,
  status: 'unset',
  attributes: orderId ? { 'saga.order_id': orderId } : {},
});

describe('SpanStore', () => {
  it('finds every span of the traces that mention an order, including the spans that do not name it', () => {
    const store = new SpanStore();
    store.add(span('a', '1'));
    store.add(span('a', '2', 'order-1'));
    store.add(span('b', '3', 'order-2'));
    expect(store.spansOfOrder('order-1').map((s) => s.spanId.slice(0, 1))).toEqual(['1', '2']);
    expect(store.traceIdsOfOrder('order-2')).toEqual(['b'.padEnd(32, '0')]);
    expect(store.spansOfOrder('order-3')).toEqual([]);
  });

  it('keeps the newest traces only, and forgets the orders of the ones it dropped', () => {
    const store = new SpanStore({ maxTraces: 2, maxSpansPerTrace: 10 });
    store.add(span('a', '1', 'order-a'));
    store.add(span('b', '1', 'order-b'));
    store.add(span('c', '1', 'order-c'));
    expect(store.size).toBe(2);
    expect(store.spansOfOrder('order-a')).toEqual([]);
    expect(store.spansOfOrder('order-c')).toHaveLength(1);
  });

  it('caps the spans of one trace and counts the ones it dropped', () => {
    const store = new SpanStore({ maxTraces: 5, maxSpansPerTrace: 2 });
    for (const id of ['1', '2', '3', '4']) store.add(span('a', id));
    expect(store.spansOfTrace('a'.padEnd(32, '0'))).toHaveLength(2);
    expect(store.droppedOf('a'.padEnd(32, '0'))).toBe(2);
  });
});

describe('spanStoreLimitsOf', () => {
  it('reads TRACING_STORE_MAX_TRACES, defaults to 2 000 traces, and refuses anything but a whole number from 1 to 100 000', () => {
    expect(spanStoreLimitsOf({})).toEqual(defaultSpanStoreLimits);
    expect(spanStoreLimitsOf({ TRACING_STORE_MAX_TRACES: '' })).toEqual(defaultSpanStoreLimits);
    expect(spanStoreLimitsOf({ TRACING_STORE_MAX_TRACES: '50' })).toEqual({ ...defaultSpanStoreLimits, maxTraces: 50 });
    for (const bad of ['0', '-1', '2.5', '100001', 'lots']) expect(() => spanStoreLimitsOf({ TRACING_STORE_MAX_TRACES: bad })).toThrow(/TRACING_STORE_MAX_TRACES/);
  });
});
