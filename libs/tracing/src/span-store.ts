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

/** The variable that sets how many traces a process keeps (1…100 000; unset: 2 000). */
export const storeMaxTracesVariable = 'TRACING_STORE_MAX_TRACES';

/** The store's limits from the environment; anything but a whole number from 1 to 100 000 stops the process at start. */
export function spanStoreLimitsOf(env: NodeJS.ProcessEnv): SpanStoreLimits {
  const raw = env[storeMaxTracesVariable];
  if (raw === undefined || raw.trim() === '') return defaultSpanStoreLimits;
  const maxTraces = Number(raw);
  if (!Number.isInteger(maxTraces) || maxTraces < 1 || maxTraces > 100_000) throw new Error(`${storeMaxTracesVariable} must be a whole number from 1 to 100000, got "${raw}"`);
  return { ...defaultSpanStoreLimits, maxTraces };
}

interface StoredTrace {
  /** Each span as its JSON text: see onEnd. */
  spans: string[];
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
   * Kept as its JSON text, one string a span, parsed again when read. A string is one object the garbage collector
   * never looks into, where a record is a score of them (itself, its attributes, their values): with 2 000 traces of
   * 60–80 spans kept as records, every saga on a traced platform was slower, traced or not (its untraced sagas 58–63
   * ms against 45–58 ms on platforms with nothing traced; 45–49 ms with 10 traces kept; 40–45 ms kept as strings:
   * docs/benchmarks.md). Kept as the SDK's own span objects before the records, it was worse still.
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
    return (this.traces.get(traceId)?.spans ?? []).map((text) => JSON.parse(text) as TraceSpan);
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
    trace.spans.push(JSON.stringify(span));
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
