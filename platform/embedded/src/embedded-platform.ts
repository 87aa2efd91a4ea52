// The whole platform in one process: the four services and the payment provider on PGlite and the in-memory twins
// of Kafka, RabbitMQ and the service registry (each service registers itself, and the others find it there).
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { TokenVerifier } from '@saga/auth';
import { type SagaMode } from '@saga/contracts';
import { createPgliteClient, initPgliteDataDirs, PgliteDataDirError, type SqlClient } from '@saga/db';
import { StaticRegistry, discoverUpstream, registerSelf, type ServiceRegistry } from '@saga/discovery';
import { serviceFaults, type OperationSpec } from '@saga/faults';
import { InMemoryCommandBus, InMemoryEventLog } from '@saga/messaging';
import { breakerMetrics, faultMetrics, type Metrics } from '@saga/metrics';
import { startHttpServer, type HttpServerHandle, type Logger } from '@saga/platform';
import { attributeServicePort } from '@saga/tracing';
import { createInventoryService, inventoryFaultOperations, migrateInventoryDb } from '@saga/inventory-service';
import { createNotificationService, LogChannel, notificationFaultOperations } from '@saga/notification-service';
import { createOrderService, HttpPriceCatalog, migrateOrderDb, orderFaultOperations } from '@saga/order-service';
import { createProviderApp, migrateProviderDb } from '@saga/payment-provider-service';
import { createHttpPaymentProvider, createPaymentService, paymentFaultOperations } from '@saga/payment-service';

export interface EmbeddedOptions {
  /** PGlite keeps each service's database in a folder here, so a restart keeps the orders. Absent: in memory. */
  dataDir?: string;
  ports: { order: number; inventory: number; payment: number; notification: number; provider: number };
  host: string;
  logger: Logger;
  stepTimeoutMs: number;
  defaultSagaMode: SagaMode;
  /** Every service verifies tokens itself, with the same settings as the gateway in front of them. */
  verifyToken: TokenVerifier;
  /** The fault API (/admin/faults, FAULTS_ENABLED). Default on: npm start is a loopback developer mode, breaking it is the point. */
  faultsEnabled?: boolean;
  /** The process's one registry: each service records under its own `service` label (metrics.forService). */
  metrics?: Metrics;
  /** How long one GET /orders/stream lasts before the client reconnects (ORDER_STREAM_MAX_MS; default 10 min). */
  streamMaxDurationMs?: number;
}

export interface EmbeddedPlatform {
  urls: Record<keyof EmbeddedOptions['ports'], string>;
  /** The in-memory registry every service registered with: what the gateway discovers its upstreams from. */
  registry: ServiceRegistry;
  /** Ends every live order stream (GET /orders/stream): first at shutdown, so no server waits for one to finish. */
  closeStreams(): Promise<void>;
  stop(): Promise<void>;
}

/**
 * crash-after-commit here: one process is the whole platform, so SIGKILL (the default) would take every service down.
 * Throwing instead leaves the message unacknowledged: the in-memory twins' deliver() (libs/messaging delivery.ts) treats a
 * thrown handler error like any failure and hands the same message to the handler again (RabbitMQ twin: the next attempt,
 * or a redelivery at the head of the queue if the consumer stopped; Kafka twin: the offset is committed only after the
 * handler succeeded), which is what a restarted consumer would see. The inbox then skips the already committed work.
 */
const simulatedCrash = (): never => {
  throw new Error('simulated crash after commit');
};

export async function startEmbeddedPlatform(options: EmbeddedOptions): Promise<EmbeddedPlatform> {
  const { logger, host } = options;
  const stops: (() => Promise<void>)[] = [];
  const database = async (name: string): Promise<SqlClient> => {
    const dataDir = options.dataDir ? join(options.dataDir, name) : undefined;
    // Five PostgreSQLs in one process: small buffers keep the platform's memory in bounds.
    const db = await createPgliteClient({ smallFootprint: true, ...(dataDir && { dataDir }) }).catch((err: unknown) => {
      // E.g. folders of PGlite 0.5 (PostgreSQL 18), which 0.6 (PostgreSQL 19) cannot open: say what to do with them.
      if (!(err instanceof PgliteDataDirError) || !options.dataDir) throw err;
      throw new Error(
        `${err.message}\nThe embedded mode's databases in ${options.dataDir} hold demo data: delete that folder (rm -rf ${options.dataDir}) or set SAGA_DATA_DIR to a new one, and start again; the databases are created afresh.`,
        { cause: err },
      );
    });
    stops.unshift(() => db.close());
    return db;
  };
  const registry = new StaticRegistry();
  // As in every deployment: listen, then register (deregister first when stopping, before the server closes).
  const serve = async (name: string, app: Parameters<typeof startHttpServer>[0], port: number): Promise<HttpServerHandle> => {
    const server = await startHttpServer(app, { port, host });
    attributeServicePort(server.port, name);
    stops.unshift(() => server.stop(2_000));
    const deregister = await registerSelf(registry, { name, port: server.port, address: host === '0.0.0.0' ? '127.0.0.1' : host, hostname: 'embedded' });
    stops.unshift(deregister);
    logger.info({ service: name, port: server.port }, 'listening');
    return server;
  };
  const child = (service: string) => logger.child({ service });
  const { metrics } = options;
  const metricsOf = (service: string) => (metrics ? { metrics: metrics.forService(service) } : {});
  const fired = metrics && faultMetrics(metrics).fired;
  const breakerOf = (service: string) => metrics && breakerMetrics(metrics.forService(service));
  // One injector per service, each with its own operations and the in-process crash.
  const faultsFor = (service: string, operations: readonly OperationSpec[]) =>
    serviceFaults(service, operations, child(service), { crash: simulatedCrash, enabled: options.faultsEnabled ?? true, ...(fired && { onTrigger: fired }) });

  try {
    // One broker twin of each kind, shared by every service, as Kafka and RabbitMQ would be.
    const commandBus = new InMemoryCommandBus();
    const eventLog = new InMemoryEventLog();
    stops.unshift(async () => {
      await commandBus.close();
      await eventLog.close();
    });
    const databases = ['order', 'inventory', 'payment', 'notification', 'provider'];
    if (options.dataDir) {
      const dataDir = options.dataDir;
      for (const name of databases) mkdirSync(join(dataDir, name), { recursive: true });
      // First start: initdb runs in a child process that exits, so this one never holds initdb's ~400 MB.
      const created = await initPgliteDataDirs(databases.map((name) => join(dataDir, name)));
      if (created.length > 0) logger.info({ created }, 'created the PGlite databases');
    }
    const [orderDb, inventoryDb, paymentDb, notificationDb, providerDb] = await Promise.all(databases.map(database));

    await migrateInventoryDb(inventoryDb!);
    const inventory = createInventoryService({ verifyToken: options.verifyToken, db: inventoryDb!, commandBus, eventLog, logger: child('inventory'), faults: faultsFor('inventory', inventoryFaultOperations), ...metricsOf('inventory') });
    await migrateProviderDb(providerDb!);
    const provider = await serve('payment-provider', createProviderApp({ db: providerDb!, clock: { now: () => new Date() }, ...metricsOf('payment-provider') }), options.ports.provider);
    const providers = discoverUpstream(registry, 'payment-provider');
    stops.unshift(async () => providers.stop());
    const paymentBreaker = breakerOf('payment');
    const paymentProvider = createHttpPaymentProvider({ baseUrl: () => providers.next(), timeoutMs: 2_000, ...(paymentBreaker && { breaker: { onStateChange: (state, name) => paymentBreaker.transition(name, state) } }) });
    const payment = createPaymentService({ verifyToken: options.verifyToken, db: paymentDb!, commandBus, eventLog, provider: paymentProvider, logger: child('payment'), faults: faultsFor('payment', paymentFaultOperations), ...metricsOf('payment'), breakers: () => [paymentProvider.breakerStats()] });
    const notification = createNotificationService({
      verifyToken: options.verifyToken,
      db: notificationDb!,
      commandBus,
      eventLog,
      channels: [new LogChannel(child('notification'))],
      logger: child('notification'),
      faults: faultsFor('notification', notificationFaultOperations),
      ...metricsOf('notification'),
    });
    const inventoryServer = await serve('inventory', inventory.app, options.ports.inventory);
    await migrateOrderDb(orderDb!);
    const inventories = discoverUpstream(registry, 'inventory');
    stops.unshift(async () => inventories.stop());
    // One injector per service, as one per process in a deployment: the price catalog and the order service share it.
    const orderFaults = faultsFor('order', orderFaultOperations);
    const orderBreaker = breakerOf('order');
    const prices = new HttpPriceCatalog({ inventoryUrl: () => inventories.next() ?? Promise.reject(new Error('no inventory instance registered')), db: orderDb!, faults: orderFaults, ...(orderBreaker && { onStateChange: (state) => orderBreaker.transition('inventory', state) }) });
    const order = createOrderService({
      verifyToken: options.verifyToken,
      db: orderDb!,
      commandBus,
      eventLog,
      prices,
      faults: orderFaults,
      ...metricsOf('order'),
      logger: child('order'),
      defaultSagaMode: options.defaultSagaMode,
      runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: options.stepTimeoutMs, maxCompensationAttempts: 20 } },
      ...(options.streamMaxDurationMs === undefined ? {} : { stream: { maxDurationMs: options.streamMaxDurationMs } }),
      breakers: () => [prices.breakerStats()],
    });
    stops.unshift(async () => {
      prices.shutdown();
      paymentProvider.shutdown();
    });
    for (const service of [inventory, payment, notification, order]) {
      await service.start();
      stops.unshift(() => service.stop());
    }
    const servers = {
      order: await serve('order', order.app, options.ports.order),
      inventory: inventoryServer,
      payment: await serve('payment', payment.app, options.ports.payment),
      notification: await serve('notification', notification.app, options.ports.notification),
      provider,
    };
    const urls = Object.fromEntries(Object.entries(servers).map(([name, server]) => [name, `http://${host === '0.0.0.0' ? '127.0.0.1' : host}:${server.port}`])) as EmbeddedPlatform['urls'];
    return { urls, registry, closeStreams: () => order.closeStreams(), stop: () => runAll(stops, logger) };
  } catch (error) {
    await runAll(stops, logger);
    throw error;
  }
}

/** Stops in reverse start order: HTTP first, then consumers and relays, then brokers, then databases. */
async function runAll(stops: (() => Promise<void>)[], logger: Logger): Promise<void> {
  for (const stop of stops.splice(0)) await stop().catch((err: unknown) => logger.error({ err }, 'stop failed'));
}
