// Starts OpenTelemetry in this process (call it before express or http are loaded): HTTP and fetch instrumented (the
// span per SQL statement is @saga/db's own), server spans named by their route template, W3C propagation, spans kept
// in the in-process store and, when OTEL_EXPORTER_OTLP_ENDPOINT is set, exported over OTLP/HTTP too.
import type { IncomingMessage } from 'node:http';
import { context, trace, type Context } from '@opentelemetry/api';
import { isTracingSuppressed } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { UndiciInstrumentation } from '@opentelemetry/instrumentation-undici';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { BatchSpanProcessor, type ReadableSpan, type Span, type SpanProcessor } from '@opentelemetry/sdk-trace';
import { ATTR_HTTP_ROUTE } from '@opentelemetry/semantic-conventions';
import { routeTemplateOf, UNMATCHED_ROUTE } from '@saga/metrics';
import { installSpanStore } from './current-store';
import { leavesReadUntraced, readSampleRatioOf, sagaFirstSampler } from './read-sampler';
import { skipUntracedRequests } from './untraced-requests';
import { serviceOfPort } from './service-ports';
import { SpanStore, spanStoreLimitsOf } from './span-store';
import { sagaAttributes } from './trace-span';

export interface TracingOptions {
  /** service.name of every span this process records (the embedded platform: "saga-platform"). */
  serviceName: string;
  env?: NodeJS.ProcessEnv;
  /** The process clients reach (the gateway): it decides sampling itself instead of obeying a caller's traceparent. */
  edge?: boolean;
}

export interface Tracing {
  /** False when OTEL_SDK_DISABLED=true: no spans are recorded and the store stays empty. */
  enabled: boolean;
  store: SpanStore;
  /** Where spans are exported besides the store, if anywhere. */
  otlpEndpoint?: string;
  shutdown(): Promise<void>;
}

let current: Tracing | undefined;

/** Paths no trace should start from: probes and scrapes would bury the sagas' traces in noise. */
const untraced = /^\/(health\/|metrics\b|favicon)/;

export function startTracing(options: TracingOptions): Tracing {
  if (current) return current;
  const env = options.env ?? process.env;
  const store = installSpanStore(new SpanStore(spanStoreLimitsOf(env)));
  if (env.OTEL_SDK_DISABLED === 'true') {
    current = { enabled: false, store, shutdown: () => Promise.resolve() };
    return current;
  }
  const otlpEndpoint = env.OTEL_EXPORTER_OTLP_ENDPOINT || env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT || undefined;
  const processors: SpanProcessor[] = [new ServiceAttribution(), store];
  if (otlpEndpoint) processors.push(new BatchSpanProcessor({ exporter: new OTLPTraceExporter() }));
  // OpenTelemetry's own switch, as its auto-instrumentations read it: e.g. OTEL_NODE_DISABLED_INSTRUMENTATIONS=http,undici
  // (the bench measures what each costs). Its `pg` is read from the process's environment by @saga/db, which makes the
  // query spans itself (a span per query dropped, the HTTP and message spans of a saga kept).
  const disabled = new Set((env.OTEL_NODE_DISABLED_INSTRUMENTATIONS ?? '').split(',').map((name) => name.trim()).filter(Boolean));
  const enabled = <T>(name: string, make: () => T): T[] => (disabled.has(name) ? [] : [make()]);
  // Every saga whole, reads at TRACING_READ_SAMPLE_RATIO (read-sampler.ts); OpenTelemetry's own OTEL_TRACES_SAMPLER,
  // when set, replaces the sampler (reads are still left untraced at the ratio).
  const edge = options.edge ?? false;
  const reads = { ratio: readSampleRatioOf(env), edge };
  const sampler = env.OTEL_TRACES_SAMPLER ? undefined : sagaFirstSampler({ edge });
  const sdk = new NodeSDK({
    serviceName: options.serviceName,
    spanProcessors: processors,
    ...(sampler ? { sampler } : {}),
    // Traces only. Left unset, the SDK builds an OTLP metrics pipeline and an OTLP logs pipeline from the environment
    // (their default exporter is "otlp"): every instrumented request and query would also record OpenTelemetry
    // histograms nobody reads (prom-client serves the metrics), and each minute an export would go to the collector
    // or, without one, fail against localhost:4318.
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations: [
      ...enabled('http', () => {
        const http = new HttpInstrumentation({
          // Registry watches, heartbeats and scrapes happen outside any request: they would each be a trace of their own.
          requireParentforOutgoingSpans: true,
          // Skipped before any work, not just left without a span: outside a trace, or inside a request the sampler left
          // untraced, the instrumentation would still build the attributes of a span nobody records and bind the request's
          // emitters. (A call under an unsampled span is still seen, to carry its "-00".)
          ignoreOutgoingRequestHook: () => isTracingSuppressed(context.active()) || trace.getSpan(context.active()) === undefined,
          // The server span is named by the route template express matched ("GET /orders/:id"), as the HTTP metrics
          // label it. No Express instrumentation: it wraps every layer of every app and runs on every request, traced or
          // not (a tenth of the gateway's CPU per untraced GET), for handler spans that repeat the server span.
          applyCustomAttributesOnSpan: (span, request, response) => {
            const route = routeTemplateOf(request as never, response as never);
            if (route === UNMATCHED_ROUTE) return;
            span.setAttribute(ATTR_HTTP_ROUTE, route);
            span.updateName(`${(request as IncomingMessage).method ?? 'GET'} ${route}`);
          },
          startIncomingSpanHook: (request) => {
            const service = serviceOfPort((request as IncomingMessage).socket?.localPort);
            return service ? { [sagaAttributes.service]: service } : {};
          },
        });
        // Probes, scrapes and the reads the sampler leaves out never reach the instrumentation.
        skipUntracedRequests(http, (request) => untraced.test(request.url ?? '') || leavesReadUntraced(request, reads));
        return http;
      }),
      // No pg instrumentation: @saga/db makes the query spans itself (query-spans.ts), the same spans for a fraction of
      // the CPU (it also parsed every statement's operation, counted every pool checkout for metrics nobody reads here,
      // and bound every callback): the whole of tracing's cost in a saga was the pg instrumentation (docs/benchmarks.md).
      ...enabled('undici', () => new UndiciInstrumentation({ requireParentforSpans: true })),
    ],
  });
  sdk.start();
  current = { enabled: true, store, ...(otlpEndpoint ? { otlpEndpoint } : {}), shutdown: () => sdk.shutdown() };
  return current;
}

/** Gives every span the service of its parent when it names none itself (the embedded platform's inner services). */
class ServiceAttribution implements SpanProcessor {
  onStart(span: Span, parentContext: Context): void {
    if (span.attributes[sagaAttributes.service] !== undefined) return;
    const parent = spanOf(parentContext);
    const inherited = parent?.attributes?.[sagaAttributes.service];
    if (inherited !== undefined) span.setAttribute(sagaAttributes.service, inherited as string);
  }

  onEnd(_span: ReadableSpan): void {}

  forceFlush(): Promise<void> {
    return Promise.resolve();
  }

  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

/** The SDK span a context holds (its attributes are readable), if any. */
function spanOf(parentContext: Context): { attributes?: Record<string, unknown> } | undefined {
  return trace.getSpan(parentContext) as { attributes?: Record<string, unknown> } | undefined;
}
