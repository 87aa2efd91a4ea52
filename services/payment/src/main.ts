// Composition root of the payment service: the only place that reads the environment and picks the adapters.
import './tracing';
import { hostname } from 'node:os';
import { createTokenVerifier, jwtSettingsShape } from '@saga/auth';
import { ConsulRegistry, discoverUpstream, registerSelf } from '@saga/discovery';
import { faultSettingsShape, serviceFaults } from '@saga/faults';
import { metricsSettingsShape, breakerMetrics, createMetrics, faultMetrics, startMetricsServer } from '@saga/metrics';
import { createPgClient } from '@saga/db';
import { boundedPgOptions, deliverySettingsShape, KafkaEventLog, RabbitMqCommandBus, relayInstanceId } from '@saga/messaging';
import { createLogger, field, GracefulShutdown, loadConfig, startHttpServer, runProcess } from '@saga/platform';
import { z } from 'zod';
import { checkPaymentDeliveryLimits, PAYMENT_EVENT_CONCURRENCY, paymentPoolSize } from './delivery-limits';
import { paymentFaultOperations } from './faults';
import { createPaymentService } from './payment-service';
import { createHttpPaymentProvider } from './provider/http-payment-provider';

/** The outbox relay's identity: this host and port, so a restarted process takes its lanes back at once. */
const instanceOf = (port: number): { instanceId?: string } => {
  const instanceId = relayInstanceId(hostname(), port);
  return instanceId === undefined ? {} : { instanceId };
};


const configSchema = z.object({
  PORT: field.port().default(3003),
  DATABASE_URL: field.url({ protocols: ['postgres', 'postgresql'] }),
  RABBITMQ_URL: field.url({ protocols: ['amqp', 'amqps'] }),
  /** Comma-separated host:port list. An empty list (possible from code only) runs the orchestrated saga alone. */
  KAFKA_BROKERS: field.list().default(['127.0.0.1:9092']),
  PAYMENT_PROVIDER_URL: field.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:4010'),
  PROVIDER_TIMEOUT_MS: field.durationMs().default(2000),
  OUTBOX_POLL_MS: field.durationMs().default(1000),
  /** Reconciliation with the provider's books: a pass this often (0: only on POST /admin/reconcile)… */
  RECONCILE_INTERVAL_MS: field.durationMs().default(15_000),
  /** …over payments settled at least this long (the saga's own compensations go first). */
  RECONCILE_GRACE_MS: field.durationMs().default(30_000),
  /** Set: register with this Consul agent on start (deregister on shutdown) and find other services through it. */
  CONSUL_URL: field.url({ protocols: ['http', 'https'] }).optional(),
  /** The address other services and Consul's health check reach this instance on (default 127.0.0.1). */
  SERVICE_ADDRESS: z.string().trim().min(1).optional(),
  LOG_LEVEL: field.logLevel().default('info'),
  // RABBITMQ_CONSUMER_TIMEOUT_MS / DB_CONNECT_TIMEOUT_MS / DB_STATEMENT_TIMEOUT_MS / DB_POOL_HTTP_HEADROOM: delivery bounds.
  ...deliverySettingsShape,
  // JWT_SECRET / JWT_ISSUER / JWT_AUDIENCE / JWT_JWKS_URL / JWT_ALGORITHMS: the same settings the gateway verifies with.
  ...jwtSettingsShape,
  // FAULTS_ENABLED: the /admin/faults switch (off unless a deployment turns it on).
  ...faultSettingsShape,
  // METRICS_PORT (unset: no /metrics server) / METRICS_HOST (default 127.0.0.1).
  ...metricsSettingsShape,
});

export type PaymentConfig = z.infer<typeof configSchema>;

export async function start(config: PaymentConfig = loadConfig(configSchema)) {
  const logger = createLogger({ service: 'payment', level: config.LOG_LEVEL });
  const metrics = createMetrics({ service: 'payment' });
  const breakers = breakerMetrics(metrics);
  // Before anything opens: a retry schedule that cannot fit under the broker's consumer_timeout is a configuration error.
  checkPaymentDeliveryLimits(config);
  // Before any connection or migration: a service without a key source fails on its configuration, not later.
  const verifyToken = createTokenVerifier(config);
  const pool = paymentPoolSize(config);
  logger.info({ max: pool.max, ...pool.parts }, 'database pool sized from prefetch, partitions, relay lanes and headroom');
  const db = await createPgClient({
    connectionString: config.DATABASE_URL,
    applicationName: 'payment',
    max: pool.max,
    ...boundedPgOptions(config),
    onError: (err) => logger.error({ err }, 'database connection error'),
  });
  const commandBus = await RabbitMqCommandBus.connect({
    url: config.RABBITMQ_URL,
    connectionName: 'payment',
    log: (level, message, extra) => logger[level](extra, message),
  });
  const eventLog = config.KAFKA_BROKERS.length === 0 ? undefined : await KafkaEventLog.connect({
    brokers: config.KAFKA_BROKERS,
    clientId: 'payment',
    // Two topics, so no partition of one holds the other's back (why: PAYMENT_EVENT_CONCURRENCY); the pool counts them.
    partitionsConsumedConcurrently: PAYMENT_EVENT_CONCURRENCY,
    log: (level, message, extra) => logger[level](extra, message),
  });
  // CONSUL_URL set: the provider is a healthy payment-provider instance from Consul, round robin per call (none ->
  // PROVIDER_UNAVAILABLE through the breaker); unset: PAYMENT_PROVIDER_URL.
  const registry = config.CONSUL_URL ? new ConsulRegistry({ url: config.CONSUL_URL }) : undefined;
  const providers = registry && discoverUpstream(registry, 'payment-provider');
  const provider = createHttpPaymentProvider({
    baseUrl: providers ? () => providers.next() : config.PAYMENT_PROVIDER_URL,
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    breaker: {
      onStateChange: (state, name) => {
        logger.warn({ breaker: name, state }, 'circuit breaker changed state');
        breakers.transition(name, state);
      },
    },
  });
  const service = createPaymentService({ verifyToken, db, commandBus, ...(eventLog ? { eventLog } : {}), provider, logger, faults: serviceFaults('payment', paymentFaultOperations, logger, { enabled: config.FAULTS_ENABLED, onTrigger: faultMetrics(metrics).fired }), ...(config.METRICS_PORT === undefined ? {} : { metrics }), outboxPollIntervalMs: config.OUTBOX_POLL_MS, ...instanceOf(config.PORT),
    reconciliation: { intervalMs: config.RECONCILE_INTERVAL_MS, graceMs: config.RECONCILE_GRACE_MS },
    breakers: () => [provider.breakerStats()],
  });
  await service.start();
  const server = await startHttpServer(service.app, { port: config.PORT });

  // In the order things must stop: out of the registry, no new requests, no new commands (in-flight ones finish), then the connections.
  const shutdown = new GracefulShutdown({ logger });
  if (registry) shutdown.register('consul deregistration', await registerSelf(registry, { name: 'payment', port: server.port, address: config.SERVICE_ADDRESS, version: process.env.npm_package_version }));
  if (providers) shutdown.register('payment-provider discovery', async () => providers.stop());
  shutdown
    .register('http', () => server.stop())
    .register('payment service', () => service.stop())
    .register('rabbitmq', () => commandBus.close())
    .register('kafka', async () => eventLog?.close())
    .register('payment provider breaker', () => provider.shutdown())
    .register('database', () => db.close());
  // Last: a scrape during the drain still answers.
  const metricsServer = config.METRICS_PORT === undefined ? undefined : await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, logger });
  if (metricsServer) shutdown.register('metrics server', () => metricsServer.stop());
  logger.info({ port: server.port, provider: providers ? 'consul' : config.PAYMENT_PROVIDER_URL }, 'payment service listening');
  return { port: server.port, logger, shutdown };
}

if (require.main === module) runProcess(() => start());
