// Started first, before express, http and pg are loaded, so that OpenTelemetry instruments them (main.ts imports this first).
import { startTracing } from '@saga/tracing/start';

startTracing({ serviceName: 'payment-provider' });
