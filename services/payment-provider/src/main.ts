// Composition root of the simulated payment provider: the only place that reads the environment.
import { createLogger, field, GracefulShutdown, loadConfig, startHttpServer, runProcess } from '@saga/platform';
import { z } from 'zod';
import { createProviderApp } from './provider-app';

const configSchema = z.object({
  PORT: field.port().default(4010),
  PROVIDER_DECLINE_ABOVE_CENTS: z.coerce.number().int().positive().default(100_000),
  PROVIDER_LATENCY_MS: field.durationMs().default(0),
  PROVIDER_UNAVAILABLE: field.boolean().default(false),
  LOG_LEVEL: field.logLevel().default('info'),
});

export type ProviderConfig = z.infer<typeof configSchema>;

export async function start(config: ProviderConfig = loadConfig(configSchema)) {
  const logger = createLogger({ service: 'payment-provider', level: config.LOG_LEVEL });
  const app = createProviderApp({
    clock: { now: () => new Date() },
    declineAboveCents: config.PROVIDER_DECLINE_ABOVE_CENTS,
    latencyMs: config.PROVIDER_LATENCY_MS,
    unavailable: config.PROVIDER_UNAVAILABLE,
    logger,
  });
  const server = await startHttpServer(app, { port: config.PORT });
  const shutdown = new GracefulShutdown({ logger }).register('http', () => server.stop());
  logger.info({ port: server.port, latencyMs: config.PROVIDER_LATENCY_MS, declineAboveCents: config.PROVIDER_DECLINE_ABOVE_CENTS }, 'payment provider listening');
  return { port: server.port, logger, shutdown, stop: () => shutdown.run('stop') };
}

if (require.main === module) runProcess(() => start());
