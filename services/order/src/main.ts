// Composition root of the order service: reads the environment, wires pg, RabbitMQ and inventory, serves, stops in order.
import './tracing';
import { hostname } from 'node:os';
import { createTokenVerifier } from '@saga/auth';
import { createPgClient } from '@saga/db';
import { boundedPgOptions, KafkaEventLog, RabbitMqCommandBus, relayInstanceId } from '@saga/messaging';
import { ConsulRegistry, discoverUpstream, registerSelf } from '@saga/discovery';
import { breakerMetrics, createMetrics, faultMetrics, startMetricsServer } from '@saga/metrics';
import { GracefulShutdown, createLogger, loadConfig, runProcess, startHttpServer, type StartedProcess } from '@saga/platform';
import { orderConfigSchema } from './config';
import { checkOrderDeliveryLimits, ORDER_EVENT_CONCURRENCY, orderPoolSize } from './delivery-limits';
import { createOrderFaults } from './faults';
import { HttpPriceCatalog } from './inventory/http-price-catalog';
import { createOrderService } from './order-service';
import { migrateOrderDb } from './store/order-migrations';

/** The outbox relay's identity: this host and port, so a restarted process takes its lanes back at once. */
const instanceOf = (port: number): { instanceId?: string } => {
  const instanceId = relayInstanceId(hostname(), port);
  return instanceId === undefined ? {} : { instanceId };
};


async function start(): Promise<StartedProcess> {
  const config = loadConfig(orderConfigSchema, process.env);
  const logger = createLogger({ service: 'order', level: config.LOG_LEVEL });
  const shutdown = new GracefulShutdown({ logger });
  const metrics = createMetrics({ service: 'order' });
  // Before anything opens: a retry schedule that cannot fit under the broker's consumer_timeout is a configuration error.
  checkOrderDeliveryLimits(config);
  // Before any connection or migration: a service without a key source fails on its configuration, not later.
  const verifyToken = createTokenVerifier(config);
  const pool = orderPoolSize(config);
  logger.info({ max: pool.max, ...pool.parts }, 'database pool sized from prefetch, partitions, relay lanes and headroom');
  const db = await createPgClient({ connectionString: config.DATABASE_URL, applicationName: 'order', max: pool.max, ...boundedPgOptions(config), onError: (err) => logger.error({ err }, 'PostgreSQL connection error') });
  logger.info({ applied: await migrateOrderDb(db) }, 'migrations applied');
  const commandBus = await RabbitMqCommandBus.connect({ url: config.RABBITMQ_URL, connectionName: 'order', log: (level, message, extra) => logger[level](extra, message) });
  const eventLog = await KafkaEventLog.connect({
    brokers: config.KAFKA_BROKERS,
    clientId: 'order',
    // Two topics, so no partition of one holds the other's back (why: ORDER_EVENT_CONCURRENCY); the pool counts them.
    partitionsConsumedConcurrently: ORDER_EVENT_CONCURRENCY,
    log: (level, message, extra) => logger[level](extra, message),
  });
  // CONSUL_URL set: inventory is a healthy instance from Consul, round robin per call (none -> the catalog's
  // breaker and cached prices); unset: INVENTORY_URL.
  const registry = config.CONSUL_URL ? new ConsulRegistry({ url: config.CONSUL_URL }) : undefined;
  const inventory = registry && discoverUpstream(registry, 'inventory');
  const inventoryUrl = inventory
    ? () => inventory.next() ?? Promise.reject(new Error('no healthy inventory instance in the registry'))
    : () => config.INVENTORY_URL;
  // One injector for the process: the catalog's price lookup and the service's consumers read the same rules.
  const faults = createOrderFaults({ logger, enabled: config.FAULTS_ENABLED, onTrigger: faultMetrics(metrics).fired });
  const breakers = breakerMetrics(metrics);
  const prices = new HttpPriceCatalog({
    inventoryUrl,
    db,
    faults,
    onStateChange: (state) => {
      logger.warn({ dependency: 'inventory', state }, 'circuit breaker changed state');
      breakers.transition('inventory', state);
    },
  });
  const service = createOrderService({ verifyToken, ...instanceOf(config.PORT),
    db,
    commandBus,
    eventLog,
    prices,
    faults,
    ...(config.METRICS_PORT === undefined ? {} : { metrics }),
    logger,
    runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: config.ORDER_STEP_TIMEOUT_MS, maxCompensationAttempts: config.ORDER_MAX_COMPENSATION_ATTEMPTS } },
    defaultSagaMode: config.DEFAULT_SAGA_MODE,
    stream: { maxDurationMs: config.ORDER_STREAM_MAX_MS },
    breakers: () => [prices.breakerStats()],
    choreographyDeadlineMs: config.CHOREOGRAPHY_DEADLINE_MS,
    choreographyReapIntervalMs: config.CHOREOGRAPHY_REAP_INTERVAL_MS,
    isShuttingDown: shutdown.isShuttingDown,
  });
  await service.start();
  const http = await startHttpServer(service.app, { port: config.PORT });
  // Registered in stop order: leave the registry, stop taking requests, stop the saga machinery, then the broker and the database.
  if (registry) shutdown.register('consul deregistration', await registerSelf(registry, { name: 'order', port: http.port, address: config.SERVICE_ADDRESS, version: process.env.npm_package_version }));
  if (inventory) shutdown.register('inventory discovery', async () => inventory.stop());
  shutdown
    // Live streams never finish by themselves: end them first, so the drain waits only for ordinary requests.
    .register('order streams', () => service.closeStreams())
    .register('http', () => http.stop())
    .register('saga consumer, deadlines and outbox relay', () => service.stop())
    .register('rabbitmq', () => commandBus.close())
    .register('kafka', () => eventLog.close())
    .register('price catalog breaker', async () => prices.shutdown())
    .register('database', () => db.close());
  // Last: a scrape during the drain still answers.
  const metricsServer = config.METRICS_PORT === undefined ? undefined : await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, logger });
  if (metricsServer) shutdown.register('metrics server', () => metricsServer.stop());
  logger.info({ port: http.port, inventory: inventory ? 'consul' : config.INVENTORY_URL }, 'order service listening');
  return { shutdown, logger };
}

if (require.main === module) runProcess(start);
