// W3C trace context across the brokers: the traceparent a message carries (in its headers, and in its envelope through
// the outbox), and the producer and consumer spans that continue an order's trace on each side of a hop.
import { context, propagation, ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Attributes, type Context, type Span } from '@opentelemetry/api';

const tracer = () => trace.getTracer('@saga/messaging');

/** The traceparent of the active span, or undefined when nothing is being traced (no SDK, or no active span). */
export function activeTraceparent(from: Context = context.active()): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(from, carrier);
  return carrier.traceparent;
}

/** The context a traceparent names, on top of the root context: a hop's span never inherits the caller's. */
export function contextOfTraceparent(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(ROOT_CONTEXT, { traceparent }) : ROOT_CONTEXT;
}

export interface MessageSpanOptions {
  kind: 'producer' | 'consumer';
  /** e.g. "send saga.inventory.reserve-stock", "process ReserveStock" (OpenTelemetry: "<operation> <destination>"). */
  name: string;
  /** The trace this hop continues: the message's traceparent (headers first, then its envelope). */
  parent?: string;
  attributes?: Attributes;
}

export interface MessageSpan {
  span: Span;
  /** The context with this span active: run the hop's work in it. */
  context: Context;
  /** This span's own traceparent: what the next hop carries (undefined when nothing is traced). */
  traceparent: string | undefined;
  /** Ends the span, marked failed when given an error. */
  end(error?: unknown): void;
}

/** Starts a producer or consumer span as a child of the message's trace context. */
export function startMessageSpan(options: MessageSpanOptions): MessageSpan {
  const span = tracer().startSpan(
    options.name,
    { kind: options.kind === 'producer' ? SpanKind.PRODUCER : SpanKind.CONSUMER, ...(options.attributes ? { attributes: options.attributes } : {}) },
    contextOfTraceparent(options.parent),
  );
  const spanContext = trace.setSpan(contextOfTraceparent(options.parent), span);
  return {
    span,
    context: spanContext,
    traceparent: activeTraceparent(spanContext),
    end(error?: unknown) {
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: error instanceof Error ? error.message : String(error) });
      }
      span.end();
    },
  };
}

/** Runs `work` inside a new message span, which ends (failed, if `work` throws) when `work` settles. */
export async function withMessageSpan<T>(options: MessageSpanOptions, work: (span: MessageSpan) => Promise<T>): Promise<T> {
  const messageSpan = startMessageSpan(options);
  try {
    const result = await context.with(messageSpan.context, () => work(messageSpan));
    messageSpan.end();
    return result;
  } catch (error) {
    messageSpan.end(error);
    throw error;
  }
}

/** `traceId` and `spanId` of the active span, for log lines; empty when nothing is being traced. */
export function activeTraceIds(): { traceId?: string; spanId?: string } {
  const spanContext = trace.getActiveSpan()?.spanContext();
  if (!spanContext || !trace.isSpanContextValid(spanContext)) return {};
  return { traceId: spanContext.traceId, spanId: spanContext.spanId };
}
