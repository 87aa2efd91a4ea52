// Started first, before express, http and pg are loaded, so that OpenTelemetry instruments them (main.ts imports this first).
import { startTracing } from '@saga/tracing/start';

// The edge: a client's traceparent is continued, but whether its request is traced is the gateway's decision.
startTracing({ serviceName: 'gateway', edge: true });
