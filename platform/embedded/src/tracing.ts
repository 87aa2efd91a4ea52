// Started first, before express, http and pg are loaded, so that OpenTelemetry instruments them (main.ts imports this first).
// One process runs every service: spans are attributed to each inner service by the port its request arrived on.
import { startTracing } from '@saga/tracing/start';

startTracing({ serviceName: 'saga-platform' });
