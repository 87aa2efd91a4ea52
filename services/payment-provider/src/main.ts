// Composition root of the simulated payment provider: the only place that reads the environment.
import './tracing';
import { createPgClient } from '@saga/db';
import { ConsulRegistry, registerSelf } from '@saga/discovery';
import { createMetrics, metricsSettingsShape, startMetricsServer } from '@saga/metrics';
import { createLogger, field, GracefulShutdown, loadConfig, startHttpServer, runProcess } from '@saga/platform';
import { z } from 'zod';
import { createProviderApp } from './provider-app';
import { migrateProviderDb } from './store/provider-migrations';

export const configSchema = z.object({
  PORT: field.port().default(4010),
  /** The provider's own books (charges, refunds, idempotency keys): a restart forgets nothing, as at a real PSP. */
  DATABASE_URL: field.url({ protocols: ['postgres', 'postgresql'] }),
  PROVIDER_DECLINE_ABOVE_CENTS: z.coerce.number().int().positive().default(100_000),
  PROVIDER_LATENCY_MS: field.durationMs().default(0),
  PROVIDER_UNAVAILABLE: field.boolean().default(false),
  /** Mounts GET/POST /admin/latency, for test harnesses that slow the provider down at run time. */
  PROVIDER_ADMIN_ENABLED: field.boolean().default(false),
  /** Set: register with this Consul agent on start (deregister on shutdown) and find other services through it. */
  CONSUL_URL: field.url({ protocols: ['http', 'https'] }).optional(),
  /** The address other services and Consul's health check reach this instance on (default 127.0.0.1). */
  SERVICE_ADDRESS: z.string().trim().min(1).optional(),
  LOG_LEVEL: field.logLevel().default('info'),
  // METRICS_PORT (unset: no /metrics server) / METRICS_HOST (default 127.0.0.1).
  ...metricsSettingsShape,
});

export type ProviderConfig = z.infer<typeof configSchema>;

export async function start(config: ProviderConfig = loadConfig(configSchema)) {
  const logger = createLogger({ service: 'payment-provider', level: config.LOG_LEVEL });
  const metrics = createMetrics({ service: 'payment-provider' });
  const db = await createPgClient({
    connectionString: config.DATABASE_URL,
    applicationName: 'payment-provider',
    onError: (err) => logger.error({ err }, 'database connection error'),
  });
  try {
    await migrateProviderDb(db);
  } catch (err) {
    await db.close();
    throw err;
  }
  const app = createProviderApp({
    db,
    clock: { now: () => new Date() },
    declineAboveCents: config.PROVIDER_DECLINE_ABOVE_CENTS,
    latencyMs: config.PROVIDER_LATENCY_MS,
    unavailable: config.PROVIDER_UNAVAILABLE,
    adminEnabled: config.PROVIDER_ADMIN_ENABLED,
    logger,
    ...(config.METRICS_PORT === undefined ? {} : { metrics }),
  });
  const server = await startHttpServer(app, { port: config.PORT });
  // In the order things must stop: out of the registry, no new requests (in-flight ones finish), then the pool.
  const shutdown = new GracefulShutdown({ logger });
  if (config.CONSUL_URL) {
    const registry = new ConsulRegistry({ url: config.CONSUL_URL });
    shutdown.register('consul deregistration', await registerSelf(registry, { name: 'payment-provider', port: server.port, address: config.SERVICE_ADDRESS, version: process.env.npm_package_version }));
  }
  shutdown.register('http', () => server.stop()).register('database', () => db.close());
  // Last: a scrape during the drain still answers.
  const metricsServer = config.METRICS_PORT === undefined ? undefined : await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, logger });
  if (metricsServer) shutdown.register('metrics server', () => metricsServer.stop());
  logger.info(
    { port: server.port, latencyMs: config.PROVIDER_LATENCY_MS, declineAboveCents: config.PROVIDER_DECLINE_ABOVE_CENTS, adminEnabled: config.PROVIDER_ADMIN_ENABLED },
    'payment provider listening',
  );
  return { port: server.port, logger, shutdown, stop: () => shutdown.run('stop') };
}

if (require.main === module) runProcess(() => start());
