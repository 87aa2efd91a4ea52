// The in-process span store: the recent traces of this process, kept in memory, looked up by trace id or by order id.
import type { Context } from '@opentelemetry/api';
import type { ReadableSpan, Span, SpanProcessor } from '@opentelemetry/sdk-trace';
import { sagaAttributes, toTraceSpan, type TraceSpan } from './trace-span';

export interface SpanStoreLimits {
  /** Traces kept; the oldest (by first span seen) is dropped beyond it. */
  maxTraces: number;
  /** Spans kept per trace; later ones are counted as dropped, so one runaway trace cannot take the memory. */
  maxSpansPerTrace: number;
}

export const defaultSpanStoreLimits: SpanStoreLimits = { maxTraces: 2_000, maxSpansPerTrace: 1_000 };

interface StoredTrace {
  spans: TraceSpan[];
  orderIds: Set<string>;
  dropped: number;
}

/**
 * A span processor that keeps every finished span of the last `maxTraces` traces. Finished spans only: a trace is
 * complete in the store once each of its spans has ended. Bounded both ways, so a busy process holds at most
 * maxTraces × maxSpansPerTrace spans (about 2 M at the defaults' worst; a saga's trace is 40 to 120 spans).
 */
export class SpanStore implements SpanProcessor {
  private readonly traces = new Map<string, StoredTrace>();
  private readonly byOrder = new Map<string, Set<string>>();

  constructor(private readonly limits: SpanStoreLimits = defaultSpanStoreLimits) {}

  onStart(_span: Span, _parentContext: Context): void {}

  /**
   * Converted as it ends, to a plain record. Kept as the SDK's span object (converted when read), each span held a
   * graph of objects: with 2 000 traces kept, every garbage collection had about five times as many objects to trace,
   * and a saga's CPU with tracing on was 54–56 ms against 46–53 ms with 50 traces kept (40–42 ms off).
   */
  onEnd(span: ReadableSpan): void {
    const record = toTraceSpan(span);
    this.file(record.traceId, record, record.attributes[sagaAttributes.orderId]);
  }

  add(span: TraceSpan): void {
    this.file(span.traceId, span, span.attributes[sagaAttributes.orderId]);
  }

  /** Every kept span of the trace, in the order they ended. */
  spansOfTrace(traceId: string): TraceSpan[] {
    return [...(this.traces.get(traceId)?.spans ?? [])];
  }

  /** The ids of the kept traces that have at least one span about this order. */
  traceIdsOfOrder(orderId: string): string[] {
    return [...(this.byOrder.get(orderId) ?? [])];
  }

  /** Every span of every kept trace about this order (an order's saga is one trace; a re-driven message may add one). */
  spansOfOrder(orderId: string): TraceSpan[] {
    return this.traceIdsOfOrder(orderId).flatMap((traceId) => this.spansOfTrace(traceId));
  }

  /** Spans a full trace could not keep (maxSpansPerTrace). */
  droppedOf(traceId: string): number {
    return this.traces.get(traceId)?.dropped ?? 0;
  }

  get size(): number {
    return this.traces.size;
  }

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }

  private file(traceId: string, span: TraceSpan, orderId: unknown): void {
    let trace = this.traces.get(traceId);
    if (!trace) {
      trace = { spans: [], orderIds: new Set(), dropped: 0 };
      this.traces.set(traceId, trace);
      this.evictOldest();
    }
    if (trace.spans.length >= this.limits.maxSpansPerTrace) {
      trace.dropped += 1;
      return;
    }
    trace.spans.push(span);
    if (typeof orderId === 'string' && !trace.orderIds.has(orderId)) {
      trace.orderIds.add(orderId);
      const traces = this.byOrder.get(orderId) ?? new Set<string>();
      traces.add(traceId);
      this.byOrder.set(orderId, traces);
    }
  }

  private evictOldest(): void {
    while (this.traces.size > this.limits.maxTraces) {
      const [oldestId, oldest] = this.traces.entries().next().value as [string, StoredTrace];
      this.traces.delete(oldestId);
      for (const orderId of oldest.orderIds) {
        const traces = this.byOrder.get(orderId);
        traces?.delete(oldestId);
        if (traces?.size === 0) this.byOrder.delete(orderId);
      }
    }
  }
}
