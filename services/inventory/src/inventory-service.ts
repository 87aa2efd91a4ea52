// Builds the inventory service from adapters chosen by the caller: pg + RabbitMQ (+ Kafka) in main.ts, PGlite + in-memory twins embedded.
import { routeGuards, type TokenVerifier } from '@saga/auth';
import { consumerGroups, queueBindings, eventTopicSpecs, queues as queueNames } from '@saga/contracts';
import type { SqlClient, SqlExecutor } from '@saga/db';
import { faultRoutes, serviceFaults, type FaultInjector } from '@saga/faults';
import { assertConsumersRunning, createDeadLetterAdmin, instrumentServiceMessaging, deadLetterAdminRoutes, OutboxRelay, outboxAdminRoutes, type CommandBus, type EventLog, type RetryPolicy, type Subscription } from '@saga/messaging';
import type { Metrics } from '@saga/metrics';
import { breakerAdminRoutes, createHttpApp, createReadiness, traceAdminRoutes, type Logger } from '@saga/platform';
import type { Express } from 'express';
import { createInventory, type Inventory } from './app/inventory';
import { systemClock, type Clock } from './domain/clock';
import { inventoryFaultOperations } from './faults';
import { inventoryRoutes } from './http/inventory.routes';
import { inventoryCommandConsumer } from './messaging/inventory-commands.handler';
import { inventoryEventSubscription } from './messaging/inventory-events.handler';
import { SqlInventoryStore, createSqlTransactions } from './store/sql-inventory-store';

export interface InventoryServiceOptions {
  /** Verifies the Bearer token of every non-health route (built from the JWT_* settings by main.ts). */
  verifyToken: TokenVerifier;
  /** Already migrated with inventoryMigrations. Owned by the caller, who closes it. */
  db: SqlClient;
  /** Owned by the caller, who closes it after stop(). */
  commandBus: CommandBus;
  /** Choreography (Kafka). Absent: the service takes part in orchestrated sagas only. Owned by the caller, who closes it after stop(). */
  eventLog?: EventLog;
  /** Retries of a failing event handler before the event is dead-lettered (tests use short delays). */
  eventRetry?: Partial<RetryPolicy>;
  logger: Logger;
  clock?: Clock;
  /** Readiness turns not-ready as soon as this says so (pass GracefulShutdown.isShuttingDown). */
  isShuttingDown?: () => boolean;
  /** Queue names; tests that share a real broker with running services pass private ones. */
  queues?: { commands?: string; replies?: string };
  relayPollIntervalMs?: number;
  /** Who this process is for the outbox lanes' lease (host:port): a restart takes its lanes back at once. */
  instanceId?: string;
  /** Runtime fault injection (/admin/faults); default: an empty injector over inventoryFaultOperations. */
  faults?: FaultInjector;
  /** The process's metrics (HTTP RED per route); absent: none recorded. */
  metrics?: Metrics;
}

export interface InventoryService {
  /** The express app: mount it on a server (startHttpServer) or hand it to supertest. */
  app: Express;
  inventory: Inventory;
  /** The fault rules this instance applies, for tests and the embedded platform (the HTTP face is /admin/faults). */
  faults: FaultInjector;
  /** Declares the reply queue (and the event topics), starts the outbox relay, then consumes commands (and events). */
  start(): Promise<void>;
  /** Stops consuming (in-flight messages finish), then stops the relay. Leaves the bus, the event log and the db open. */
  stop(): Promise<void>;
}

export function createInventoryService(options: InventoryServiceOptions): InventoryService {
  const { db, commandBus, eventLog, logger, clock = systemClock } = options;
  const commandsQueue = options.queues?.commands ?? queueNames.inventoryCommands;
  const repliesQueue = options.queues?.replies ?? queueNames.orderSagaReplies;
  const faults =
    options.faults ?? serviceFaults('inventory', inventoryFaultOperations, logger);
  const inventory = createInventory({ transactions: createSqlTransactions(db), clock, faults });
  const relay = new OutboxRelay({
    db,
    service: 'inventory',
    commandBus,
    ...(eventLog ? { eventLog } : {}),
    log: (level, message, extra) => logger[level](extra, message),
    ...(options.relayPollIntervalMs === undefined ? {} : { pollIntervalMs: options.relayPollIntervalMs }),
    ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
  });
  let subscription: Subscription | undefined;
  let eventSubscription: Subscription | undefined;
  let state: 'new' | 'starting' | 'running' | 'stopped' = 'new';

  const readiness = createReadiness({
    checks: {
      database: () => db.query('SELECT 1'),
      // The bus port has no health probe; RabbitMqCommandBus reconnects by itself, so "consuming" is what we can vouch for.
      messaging: async () => {
        if (state !== 'running') throw new Error(`command consumer is ${state}`);
        assertConsumersRunning({ commands: subscription, events: eventSubscription });
      },
    },
    ...(options.isShuttingDown ? { isShuttingDown: options.isShuttingDown } : {}),
  });
  const guards = routeGuards(options.verifyToken);
  // Its share of the dead letters: its command queue in the shared dead-letter queue, its group's dead-letter topic.
  const deadLetters = createDeadLetterAdmin({ service: 'inventory', commandBus, queues: [commandsQueue], eventLog, groups: [consumerGroups.inventory] });
  // No breaker: inventory calls no other service over HTTP (GET /admin/breakers lists none, like every service's).
  const routes = [inventoryRoutes(inventory, guards), faultRoutes(faults, guards.admin), outboxAdminRoutes(db, guards.admin), deadLetterAdminRoutes(deadLetters, guards.admin), traceAdminRoutes(guards.admin), breakerAdminRoutes(guards.admin)];
  // Outbox backlog, inbox duplicates, dead letters, consumer status and Kafka lag on /metrics (while it runs).
  let stopMessagingMetrics: (() => void) | undefined;
  const recordMessaging = () => {
    stopMessagingMetrics = instrumentServiceMessaging(options.metrics, { db, consumers: () => ({ commands: subscription, events: eventSubscription }), ...(eventLog ? { eventLog } : {}), groupId: consumerGroups.inventory });
  };
  const app = createHttpApp({ service: 'inventory', logger, ...(options.metrics && { metrics: options.metrics }), readiness, routes: (http) => routes.forEach((mount) => mount(http)) });

  return {
    app,
    inventory,
    faults,
    async start() {
      if (state !== 'new') throw new Error(`inventory service cannot start: it is ${state}`);
      state = 'starting';
      // Replies must be routable even if the order service (which consumes them) starts after us.
      await commandBus.ensureQueue({ queue: repliesQueue, bindings: queueBindings.orderSagaReplies.bindings });
      // Every topic with its partition count, before the relay publishes to one (auto-creation would pick its own count).
      await eventLog?.ensureTopics(eventTopicSpecs());
      await relay.start();
      const storeOn = (tx: SqlExecutor) => new SqlInventoryStore(tx);
      // Every consumer goes through the `consumer` fault operation: the handler commits its inbox transaction before it
      // resolves and the adapter acks after, so crash-after-commit falls in between and duplicate is a true redelivery.
      const commands = inventoryCommandConsumer({ db, inventory, storeOn, logger, clock, queue: commandsQueue });
      subscription = await commandBus.consume({ ...commands, handle: faults.wrapHandler('consumer', commands.handle) });
      if (eventLog) {
        const events = inventoryEventSubscription({ db, inventory, storeOn, logger, clock, ...(options.eventRetry ? { retry: options.eventRetry } : {}) });
        eventSubscription = await eventLog.subscribe({ ...events, handle: faults.wrapHandler('consumer', events.handle) });
      }
      state = 'running';
      recordMessaging();
      logger.info({ queue: commandsQueue, events: eventLog ? 'consuming' : 'off' }, 'inventory consuming commands');
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      stopMessagingMetrics?.();
      // Consumers first: a handler finishing now still enqueues its reply, which the relay then gets to publish.
      await subscription?.close();
      await eventSubscription?.close();
      await relay.stop();
    },
  };
}
