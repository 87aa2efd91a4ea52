// For the order service's component tests: the order service and the three participants (real services) in this
// process, on PGlite and one in-memory command bus; the payment provider and inventory on loopback ports.
import { testTokenVerifier } from '@saga/auth/testing';
import { createPgliteClient, type SqlClient } from '@saga/db';
import type { FaultInjector } from '@saga/faults';
import { InMemoryCommandBus } from '@saga/messaging';
import type { Metrics } from '@saga/metrics';
import { startHttpServer, type HttpServerHandle, type Logger } from '@saga/platform';
import { createInventoryService } from '@saga/inventory-service/inventory-service';
import { migrateInventoryDb } from '@saga/inventory-service/store/inventory-migrations';
import { LogChannel } from '@saga/notification-service/channels/log.channel';
import { createNotificationService } from '@saga/notification-service/notification-service';
import { createProviderApp, migrateProviderDb } from '@saga/payment-provider-service/provider-app';
import { createPaymentService } from '@saga/payment-service/payment-service';
import { createHttpPaymentProvider } from '@saga/payment-service/provider/http-payment-provider';
import type { Express } from 'express';
import { HttpPriceCatalog } from '../inventory/http-price-catalog';
import { createOrderService, type OrderService } from '../order-service';
import { migrateOrderDb } from '../store/order-migrations';

export interface InProcessPlatformOptions {
  logger: Logger;
  /** The order service's own logger (e.g. one a test reads); default `logger`. */
  orderLogger?: Logger;
  /** As main.ts does: one injector for the price catalog (http:inventory) and the order service. */
  orderFaults?: FaultInjector;
  stepTimeoutMs: number;
  /** The order service's metrics, for a test that reads the saga instruments. */
  orderMetrics?: Metrics;
}

export interface InProcessPlatform {
  order: OrderService;
  inventoryUrl: string;
  paymentApp: Express;
  notificationApp: Express;
  stop(): Promise<void>;
}

export async function startInProcessPlatform(options: InProcessPlatformOptions): Promise<InProcessPlatform> {
  const { logger } = options;
  const verifyToken = testTokenVerifier();
  const bus = new InMemoryCommandBus();
  const databases: SqlClient[] = await Promise.all([0, 1, 2, 3, 4].map(() => createPgliteClient()));
  const [orderDb, inventoryDb, paymentDb, notificationDb, providerDb] = databases as [SqlClient, SqlClient, SqlClient, SqlClient, SqlClient];
  const servers: HttpServerHandle[] = [];
  const stops: (() => Promise<void>)[] = [];

  await migrateInventoryDb(inventoryDb);
  const inventory = createInventoryService({ verifyToken, db: inventoryDb, commandBus: bus, logger });
  const inventoryServer = await startHttpServer(inventory.app, { port: 0, host: '127.0.0.1' });
  const inventoryUrl = `http://127.0.0.1:${inventoryServer.port}`;
  // The provider keeps its books (charges, refunds, idempotency keys) in its own database, as in production.
  await migrateProviderDb(providerDb);
  const provider = await startHttpServer(createProviderApp({ db: providerDb, clock: { now: () => new Date() } }), { port: 0, host: '127.0.0.1' });
  servers.push(inventoryServer, provider);
  const payment = createPaymentService({ verifyToken, db: paymentDb, commandBus: bus, logger, provider: createHttpPaymentProvider({ baseUrl: `http://127.0.0.1:${provider.port}`, timeoutMs: 2_000 }) });
  const notification = createNotificationService({ verifyToken, db: notificationDb, commandBus: bus, logger, channels: [new LogChannel(logger)] });

  await migrateOrderDb(orderDb);
  const faults = options.orderFaults;
  const prices = new HttpPriceCatalog({ inventoryUrl: () => inventoryUrl, db: orderDb, ...(faults && { faults }) });
  const order = createOrderService({
    verifyToken,
    db: orderDb,
    commandBus: bus,
    prices,
    ...(faults && { faults }),
    ...(options.orderMetrics && { metrics: options.orderMetrics }),
    logger: options.orderLogger ?? logger,
    runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: options.stepTimeoutMs, maxCompensationAttempts: 5 } },
    breakers: () => [prices.breakerStats()],
  });
  for (const service of [inventory, payment, notification, order]) {
    await service.start();
    stops.unshift(() => service.stop());
  }
  stops.push(async () => prices.shutdown());

  return {
    order,
    inventoryUrl,
    paymentApp: payment.app,
    notificationApp: notification.app,
    stop: async () => {
      for (const stop of stops) await stop();
      await bus.close();
      for (const server of servers) await server.stop(100);
      for (const db of databases) await db.close();
    },
  };
}
