// Test helper: records this process's spans in a SpanStore with the SDK's tracer (no instrumentations), so a test
// can assert the spans that libraries start through @opentelemetry/api.
import { context, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { TracerProvider } from '@opentelemetry/sdk-trace';
import { SpanStore } from '../span-store';

let recording: SpanStore | undefined;

/** Installs a global tracer provider that keeps every span in the returned store (once per test file). */
export function recordSpans(): SpanStore {
  if (recording) return recording;
  const store = new SpanStore({ maxTraces: 10_000, maxSpansPerTrace: 1_000 });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(new TracerProvider({ spanProcessors: [store] }));
  recording = store;
  return store;
}

/** A made-up parent: a traceparent in a fresh trace, as an upstream producer span would send. */
export function fakeTraceparent(): { traceparent: string; traceId: string; spanId: string } {
  const hex = (bytes: number) => [...crypto.getRandomValues(new Uint8Array(bytes))].map((b) => b.toString(16).padStart(2, '0')).join('');
  const traceId = hex(16);
  const spanId = hex(8);
  return { traceparent: `00-${traceId}-${spanId}-01`, traceId, spanId };
}
