// The JSON shape of one finished span, as GET /api/admin/traces/{orderId} returns it (and the saga console draws it).
import { SpanKind, SpanStatusCode, type Attributes, type HrTime } from '@opentelemetry/api';
import type { ReadableSpan } from '@opentelemetry/sdk-trace';
import { z } from 'zod';

/** Span attributes the platform sets itself, beside OpenTelemetry's semantic conventions. */
export const sagaAttributes = {
  /** The order a span is about: what the trace query looks spans up by. */
  orderId: 'saga.order_id',
  /** The service that recorded the span: the resource's service.name, or the inner service in the embedded platform. */
  service: 'saga.service',
  /** The message type a producer or consumer span carries (e.g. ReserveStock, PaymentSucceeded). */
  messageType: 'saga.message.type',
} as const;

export const traceSpanSchema = z.strictObject({
  traceId: z.string().regex(/^[0-9a-f]{32}$/),
  spanId: z.string().regex(/^[0-9a-f]{16}$/),
  /** Absent on the trace's root span. */
  parentSpanId: z.string().regex(/^[0-9a-f]{16}$/).optional(),
  name: z.string(),
  kind: z.enum(['internal', 'server', 'client', 'producer', 'consumer']),
  service: z.string(),
  /** Milliseconds since the epoch, with microseconds as the fraction. */
  startTimeMs: z.number(),
  durationMs: z.number().min(0),
  status: z.enum(['unset', 'ok', 'error']),
  statusMessage: z.string().optional(),
  attributes: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});

export type TraceSpan = z.infer<typeof traceSpanSchema>;

const kinds: Record<SpanKind, TraceSpan['kind']> = {
  [SpanKind.INTERNAL]: 'internal',
  [SpanKind.SERVER]: 'server',
  [SpanKind.CLIENT]: 'client',
  [SpanKind.PRODUCER]: 'producer',
  [SpanKind.CONSUMER]: 'consumer',
};

const statuses: Record<SpanStatusCode, TraceSpan['status']> = {
  [SpanStatusCode.UNSET]: 'unset',
  [SpanStatusCode.OK]: 'ok',
  [SpanStatusCode.ERROR]: 'error',
};

const toMs = ([seconds, nanos]: HrTime): number => seconds * 1_000 + nanos / 1_000_000;

/** Array attributes are joined: the view keeps scalars only, so every consumer can render it without special cases. */
function scalarAttributes(attributes: Attributes): TraceSpan['attributes'] {
  const out: TraceSpan['attributes'] = {};
  for (const [key, value] of Object.entries(attributes)) {
    if (value === undefined || value === null) continue;
    out[key] = Array.isArray(value) ? value.map(String).join(',') : (value as string | number | boolean);
  }
  return out;
}

// A process has one resource. Until its asynchronously detected attributes (host.id…) are awaited, which only an
// exporter does, every read of `resource.attributes` rebuilds them: a tenth of a traced query's CPU. service.name is
// set at start, never detected, so once found it is remembered.
const serviceNames = new WeakMap<ReadableSpan['resource'], string>();

function resourceServiceName(resource: ReadableSpan['resource']): string {
  const known = serviceNames.get(resource);
  if (known !== undefined) return known;
  const name = resource.attributes['service.name'];
  if (name === undefined) return 'unknown';
  serviceNames.set(resource, String(name));
  return String(name);
}

export function toTraceSpan(span: ReadableSpan): TraceSpan {
  const context = span.spanContext();
  const service = span.attributes[sagaAttributes.service] ?? resourceServiceName(span.resource);
  return {
    traceId: context.traceId,
    spanId: context.spanId,
    ...(span.parentSpanContext ? { parentSpanId: span.parentSpanContext.spanId } : {}),
    name: span.name,
    kind: kinds[span.kind] ?? 'internal',
    service: String(service),
    startTimeMs: toMs(span.startTime),
    durationMs: toMs(span.duration),
    status: statuses[span.status.code] ?? 'unset',
    ...(span.status.message ? { statusMessage: span.status.message } : {}),
    attributes: scalarAttributes(span.attributes),
  };
}
