// startTracing sets up traces and nothing else of OpenTelemetry: the metrics are prom-client's.
import { metrics, trace } from '@opentelemetry/api';
import { startTracing } from './start-tracing';

test('spans are recorded into the store, and no OpenTelemetry meter pipeline records or exports anything', async () => {
  const tracing = startTracing({ serviceName: 'start-tracing-test', env: {} });
  try {
    const span = trace.getTracer('test').startSpan('probe');
    span.end();
    expect(tracing.store.spansOfTrace(span.spanContext().traceId).map((s) => s.name)).toEqual(['probe']);
    // An SDK MeterProvider here would make every instrumented request and query record histograms for an exporter.
    expect(metrics.getMeterProvider().constructor.name).toBe('NoopMeterProvider');
  } finally {
    await tracing.shutdown();
  }
});
