// Composition root of the notification service: reads the environment, wires real adapters, stops gracefully on SIGTERM.
import './tracing';
import { hostname } from 'node:os';
import { createTokenVerifier, jwtSettingsShape } from '@saga/auth';
import { ConsulRegistry, registerSelf } from '@saga/discovery';
import { faultSettingsShape } from '@saga/faults';
import { createMetrics, faultMetrics, metricsSettingsShape, startMetricsServer } from '@saga/metrics';
import { createPgClient } from '@saga/db';
import { boundedPgOptions, deliverySettingsShape, KafkaEventLog, RabbitMqCommandBus, relayInstanceId } from '@saga/messaging';
import {
  createLogger,
  field,
  GracefulShutdown,
  runProcess,
  type StartedProcess,
  loadConfig,
  startHttpServer,
  type Env,
  type Logger,
} from '@saga/platform';
import { z } from 'zod';
import { LogChannel } from './channels/log.channel';
import type { NotificationChannel } from './channels/notification-channel.port';
import { WebhookChannel } from './channels/webhook.channel';
import { checkNotificationDeliveryLimits, notificationPoolSize } from './delivery-limits';
import { createNotificationFaults } from './faults';
import { createNotificationService } from './notification-service';

/** The outbox relay's identity: this host and port, so a restarted process takes its lanes back at once. */
const instanceOf = (port: number): { instanceId?: string } => {
  const instanceId = relayInstanceId(hostname(), port);
  return instanceId === undefined ? {} : { instanceId };
};


export const configSchema = z.object({
  PORT: field.port().default(3004),
  DATABASE_URL: field.url({ protocols: ['postgres', 'postgresql'] }),
  RABBITMQ_URL: field.url({ protocols: ['amqp', 'amqps'] }),
  /** Comma-separated host:port list. An empty list (possible from code only) runs the orchestrated saga alone. */
  KAFKA_BROKERS: field.list().default(['127.0.0.1:9092']),
  /** When set, notifications are POSTed there instead of being logged. */
  NOTIFICATION_WEBHOOK_URL: field.url({ protocols: ['http', 'https'] }).optional(),
  NOTIFICATION_WEBHOOK_TIMEOUT_MS: field.durationMs().default(5_000),
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

export type NotificationConfig = z.infer<typeof configSchema>;

export interface RunningNotificationService {
  port: number;
  /** Stops HTTP, then consumers and relay, then RabbitMQ and Kafka, then the pool; main() wires it to SIGTERM/SIGINT. */
  shutdown: GracefulShutdown;
}

function channelsFor(config: NotificationConfig, logger: Logger): NotificationChannel[] {
  if (!config.NOTIFICATION_WEBHOOK_URL) return [new LogChannel(logger)];
  return [new WebhookChannel({ url: config.NOTIFICATION_WEBHOOK_URL, timeoutMs: config.NOTIFICATION_WEBHOOK_TIMEOUT_MS })];
}

export async function start(config: NotificationConfig, logger: Logger): Promise<RunningNotificationService> {
  // What is open so far, closed in reverse if a later step fails (a half-started process must not linger).
  const opened: (() => Promise<void>)[] = [];
  const metrics = createMetrics({ service: 'notification' });
  // Before anything opens: a retry schedule that cannot fit under the broker's consumer_timeout is a configuration error.
  checkNotificationDeliveryLimits(config);
  // Before any connection or migration: a service without a key source fails on its configuration, not later.
  const verifyToken = createTokenVerifier(config);
  const pool = notificationPoolSize(config);
  logger.info({ max: pool.max, ...pool.parts }, 'database pool sized from prefetch, partitions, relay lanes and headroom');
  try {
    const db = await createPgClient({
      connectionString: config.DATABASE_URL,
      applicationName: 'notification',
      max: pool.max,
      ...boundedPgOptions(config),
      onError: (err) => logger.error({ err }, 'database connection error'),
    });
    opened.push(() => db.close());
    const commandBus = await RabbitMqCommandBus.connect({
      url: config.RABBITMQ_URL,
      connectionName: 'notification',
      log: (level, message, extra) => logger[level](extra, message),
    });
    opened.push(() => commandBus.close());
    const eventLog = config.KAFKA_BROKERS.length === 0 ? undefined : await KafkaEventLog.connect({
      brokers: config.KAFKA_BROKERS,
      clientId: 'notification',
      log: (level, message, extra) => logger[level](extra, message),
    });
    if (eventLog) opened.push(() => eventLog.close());
    const service = createNotificationService({ verifyToken, db, commandBus, ...(eventLog ? { eventLog } : {}), channels: channelsFor(config, logger), logger, faults: createNotificationFaults({ logger, enabled: config.FAULTS_ENABLED, onTrigger: faultMetrics(metrics).fired }), ...(config.METRICS_PORT === undefined ? {} : { metrics }), ...instanceOf(config.PORT) });
    await service.start();
    opened.push(() => service.stop());
    const http = await startHttpServer(service.app, { port: config.PORT });
    opened.push(() => http.stop());
    const registry = config.CONSUL_URL ? new ConsulRegistry({ url: config.CONSUL_URL }) : undefined;
    const deregister = registry && (await registerSelf(registry, { name: 'notification', port: http.port, address: config.SERVICE_ADDRESS, version: process.env.npm_package_version }));
    // Stop order: out of the registry, no new requests, no new commands (in-flight ones finish), then the brokers, then the pool.
    const shutdown = new GracefulShutdown({ logger });
    if (deregister) shutdown.register('consul deregistration', deregister);
    shutdown
      .register('http', () => http.stop())
      .register('notification', () => service.stop())
      .register('rabbitmq', () => commandBus.close())
      .register('kafka', async () => eventLog?.close())
      .register('database', () => db.close());
    // Last: a scrape during the drain still answers.
    const metricsServer = config.METRICS_PORT === undefined ? undefined : await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, logger });
    if (metricsServer) shutdown.register('metrics server', () => metricsServer.stop());
    logger.info({ port: http.port, channel: config.NOTIFICATION_WEBHOOK_URL ? 'webhook' : 'log' }, 'notification service listening');
    return { port: http.port, shutdown };
  } catch (err) {
    for (const close of opened.reverse()) await close().catch(() => undefined);
    throw err;
  }
}

export async function main(env: Env = process.env): Promise<StartedProcess> {
  const config = loadConfig(configSchema, env);
  const logger = createLogger({ service: 'notification', level: config.LOG_LEVEL });
  try {
    const { shutdown } = await start(config, logger);
    return { shutdown, logger };
  } catch (err) {
    logger.fatal({ err }, 'notification service failed to start');
    throw err;
  }
}

if (require.main === module) runProcess(() => main());
