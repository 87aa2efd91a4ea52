// This process's span store, apart from the SDK: the trace routes read it without loading OpenTelemetry's SDK.
import { SpanStore } from './span-store';

let installed: SpanStore | undefined;
const empty = new SpanStore({ maxTraces: 0, maxSpansPerTrace: 0 });

/** The store startTracing() fills; an always-empty one when tracing was not started (tests, OTEL_SDK_DISABLED). */
export function spanStore(): SpanStore {
  return installed ?? empty;
}

export function installSpanStore(store: SpanStore): SpanStore {
  installed = store;
  return store;
}
