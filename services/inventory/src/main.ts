// Composition root: reads the environment, connects PostgreSQL, RabbitMQ and Kafka, migrates, serves, and shuts down in order.
import './tracing';
import { hostname } from 'node:os';
import { createTokenVerifier } from '@saga/auth';
import { serviceFaults } from '@saga/faults';
import { createMetrics, faultMetrics, startMetricsServer } from '@saga/metrics';
import { ConsulRegistry, registerSelf } from '@saga/discovery';
import { createPgClient } from '@saga/db';
import { boundedPgOptions, KafkaEventLog, RabbitMqCommandBus, relayInstanceId } from '@saga/messaging';
import { GracefulShutdown, createLogger, installShutdownSignals, loadConfig, startHttpServer, type Logger } from '@saga/platform';
import { inventoryConfigSchema, type InventoryConfig } from './config';
import { checkInventoryDeliveryLimits, inventoryPoolSize } from './delivery-limits';
import { inventoryFaultOperations } from './faults';
import { systemClock } from './domain/clock';
import { createInventoryService } from './inventory-service';
import { migrateInventoryDb } from './store/inventory-migrations';

/** The outbox relay's identity: this host and port, so a restarted process takes its lanes back at once. */
const instanceOf = (port: number): { instanceId?: string } => {
  const instanceId = relayInstanceId(hostname(), port);
  return instanceId === undefined ? {} : { instanceId };
};


interface Opened {
  name: string;
  close: () => Promise<void>;
}

/** Starts everything; `opened` collects what must be closed, newest first, so a failed start-up closes exactly that. */
async function start(config: InventoryConfig, logger: Logger, shutdown: GracefulShutdown, opened: Opened[]): Promise<void> {
  // Before anything opens: a retry schedule that cannot fit under the broker's consumer_timeout is a configuration error.
  checkInventoryDeliveryLimits(config);
  // Before any connection or migration: a service without a key source fails on its configuration, not later.
  const verifyToken = createTokenVerifier(config);
  const pool = inventoryPoolSize(config);
  logger.info({ max: pool.max, ...pool.parts }, 'database pool sized from prefetch, partitions, relay lanes and headroom');
  const db = await createPgClient({
    connectionString: config.DATABASE_URL,
    applicationName: 'inventory',
    max: pool.max,
    ...boundedPgOptions(config),
    onError: (err) => logger.error({ err }, 'PostgreSQL connection error'),
  });
  opened.unshift({ name: 'database', close: () => db.close() });
  logger.info({ applied: await migrateInventoryDb(db) }, 'migrations applied');

  const commandBus = await RabbitMqCommandBus.connect({
    url: config.RABBITMQ_URL,
    connectionName: 'inventory',
    log: (level, message, extra) => logger[level](extra, message),
  });
  opened.unshift({ name: 'rabbitmq', close: () => commandBus.close() });

  const eventLog = await KafkaEventLog.connect({
    brokers: config.KAFKA_BROKERS,
    clientId: 'inventory',
    log: (level, message, extra) => logger[level](extra, message),
  });
  opened.unshift({ name: 'kafka', close: () => eventLog.close() });

  const metrics = createMetrics({ service: 'inventory' });
  const faults = serviceFaults('inventory', inventoryFaultOperations, logger, { enabled: config.FAULTS_ENABLED, onTrigger: faultMetrics(metrics).fired });
  const service = createInventoryService({ verifyToken, db, commandBus, eventLog, logger, faults, ...(config.METRICS_PORT === undefined ? {} : { metrics }), clock: systemClock, isShuttingDown: shutdown.isShuttingDown, ...instanceOf(config.PORT) });
  opened.unshift({ name: 'consumers and outbox relay', close: () => service.stop() });
  await service.start();

  if (config.METRICS_PORT !== undefined) {
    const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, logger });
    // Pushed, not unshifted: closed last, so a scrape during the drain still answers.
    opened.push({ name: 'metrics server', close: () => metricsServer.stop() });
  }
  const http = await startHttpServer(service.app, { port: config.PORT });
  opened.unshift({ name: 'http', close: () => http.stop() });
  if (config.CONSUL_URL) {
    const registry = new ConsulRegistry({ url: config.CONSUL_URL });
    // First on shutdown (newest first): out of the registry before HTTP stops.
    opened.unshift({ name: 'consul deregistration', close: await registerSelf(registry, { name: 'inventory', port: http.port, address: config.SERVICE_ADDRESS, version: process.env.npm_package_version }) });
  }
  logger.info({ port: http.port }, 'inventory service listening');
}

async function main(): Promise<void> {
  const config = loadConfig(inventoryConfigSchema, process.env);
  const logger = createLogger({ service: 'inventory', level: config.LOG_LEVEL });
  const shutdown = new GracefulShutdown({ logger });
  const opened: Opened[] = [];
  try {
    await start(config, logger, shutdown, opened);
  } catch (err) {
    logger.fatal({ err }, 'inventory service failed to start');
    for (const { name, close } of opened) await close().catch((error: unknown) => logger.error({ err: error, resource: name }, 'close failed'));
    process.exit(1);
  }
  // Newest first: consul deregistration (when registered), HTTP, then consumers and relay, then the brokers, then the database.
  for (const { name, close } of opened) shutdown.register(name, close);
  installShutdownSignals(shutdown, { logger });
}

main().catch((err: unknown) => {
  // Only configuration errors get here (no logger yet): they list every bad variable.
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
