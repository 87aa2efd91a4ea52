// @saga/tracing: trace context through the brokers and the in-process span store (the SDK itself: @saga/tracing/start).
export { activeTraceIds, activeTraceparent, contextOfTraceparent, startMessageSpan, withMessageSpan, type MessageSpan, type MessageSpanOptions } from './message-spans';
export { defaultSpanStoreLimits, SpanStore, spanStoreLimitsOf, storeMaxTracesVariable, type SpanStoreLimits } from './span-store';
export { spanStore } from './current-store';
export { attributeServicePort } from './service-ports';
export { sagaAttributes, toTraceSpan, traceSpanSchema, type TraceSpan } from './trace-span';
export { parseTraceparent, type Traceparent } from './traceparent';
export { wasLeftUntraced } from './untraced-requests';
