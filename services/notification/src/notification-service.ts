// The notification service without its process: HTTP app, RabbitMQ and Kafka consumers and outbox relay over given ports
// (main.ts or the embedded mode).
import { routeGuards, type TokenVerifier } from '@saga/auth';
import { randomUUID } from 'node:crypto';
import { consumerGroups, queueBindings, eventTopicSpecs } from '@saga/contracts';
import { migrate, type SqlClient } from '@saga/db';
import { faultRoutes, type FaultInjector } from '@saga/faults';
import { assertConsumersRunning, createDeadLetterAdmin, instrumentServiceMessaging, deadLetterAdminRoutes, migrateMessaging, OutboxRelay, outboxAdminRoutes, type CommandBus, type EventLog, type RetryPolicy, type Subscription } from '@saga/messaging';
import type { Metrics } from '@saga/metrics';
import { breakerAdminRoutes, createHttpApp, createReadiness, traceAdminRoutes, type Logger } from '@saga/platform';
import type { Express } from 'express';
import { createNotify } from './app/notify.use-case';
import { FaultInjectingChannel } from './channels/fault-injecting.channel';
import { combineChannels } from './channels/fanout.channel';
import type { NotificationChannel } from './channels/notification-channel.port';
import type { Clock } from './domain/notification';
import { createNotificationFaults } from './faults';
import { notificationRoutes } from './http/notification.routes';
import { orderEventSubscription } from './messaging/order-events.event-handler';
import { sendNotificationConsumer } from './messaging/send-notification.command-handler';
import { notificationMigrations } from './store/migrations';

export interface NotificationServiceOptions {
  /** Verifies the Bearer token of every non-health route (built from the JWT_* settings by main.ts). */
  verifyToken: TokenVerifier;
  db: SqlClient;
  commandBus: CommandBus;
  /** Choreography (Kafka). Absent: orchestrated sagas only. The caller owns it and closes it after stop(). */
  eventLog?: EventLog;
  /** Every notification goes through all of them; at least one (LogChannel is the default in main.ts). */
  channels: readonly NotificationChannel[];
  logger: Logger;
  clock?: Clock;
  newId?: () => string;
  /** Overrides the consumers' retry policy (tests use short delays). */
  retry?: Partial<RetryPolicy>;
  /** How long a delivery's claim on a notification keeps other deliveries away (default 30 s; tests shorten it). */
  claimLeaseMs?: number;
  outboxPollIntervalMs?: number;
  /** Who this process is for the outbox lanes' lease (host:port): a restart takes its lanes back at once. */
  instanceId?: string;
  /** Runtime fault rules (/admin/faults) on `send` and the consumers; absent: a fresh injector (createNotificationFaults). */
  faults?: FaultInjector;
  /** The process's metrics (HTTP RED per route); absent: none recorded. */
  metrics?: Metrics;
}

export interface NotificationService {
  /** Serve it with startHttpServer (main.ts) or mount it (embedded mode). */
  readonly app: Express;
  /** The rules /admin/faults manages; tests and the embedded mode reach it directly. */
  readonly faults: FaultInjector;
  /** Migrates, declares the reply queue (and the event topics), starts the outbox relay, then consumes commands (and events). */
  start(): Promise<void>;
  /** Stops consuming (in-flight handlers finish) and the relay. The db, bus and event log belong to the caller, who closes them. */
  stop(): Promise<void>;
}

export function createNotificationService(options: NotificationServiceOptions): NotificationService {
  const { db, commandBus, eventLog, logger, clock = { now: () => new Date() }, newId = randomUUID } = options;
  const faults = options.faults ?? createNotificationFaults({ logger });
  // Around the combined channel: one `send` rule fires once per delivery attempt, however many channels fan out.
  const channel = new FaultInjectingChannel(combineChannels(options.channels), faults);
  const relay = new OutboxRelay({
    db,
    service: 'notification',
    commandBus,
    ...(eventLog ? { eventLog } : {}),
    ...(options.outboxPollIntervalMs === undefined ? {} : { pollIntervalMs: options.outboxPollIntervalMs }),
    ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
    log: (level, message, extra) => logger[level](extra, message),
  });
  const notify = createNotify({ db, channel, clock, newId, logger, ...(options.claimLeaseMs === undefined ? {} : { claimLeaseMs: options.claimLeaseMs }) });
  const handlerDeps = { db, notify, envelopes: { now: () => clock.now(), newId }, ...(options.retry ? { retry: options.retry } : {}) };
  const commands = sendNotificationConsumer(handlerDeps);
  // Every consumer goes through the `consumer` rules: duplicate re-runs a handled message (the inbox must skip it),
  // crash-after-commit dies after the notify transaction committed and before the ack.
  const consumer = { ...commands, handle: faults.wrapHandler('consumer', commands.handle) };
  let subscription: Subscription | undefined;
  let eventSubscription: Subscription | undefined;
  let stopping = false;

  const readiness = createReadiness({
    checks: {
      database: () => db.query('SELECT 1'),
      commands: async () => {
        if (!subscription) throw new Error('not consuming commands');
        assertConsumersRunning({ commands: subscription, events: eventSubscription });
      },
    },
    isShuttingDown: () => stopping,
  });
  const guards = routeGuards(options.verifyToken);
  // Outbox backlog, inbox duplicates, dead letters, consumer status and Kafka lag on /metrics (while it runs).
  let stopMessagingMetrics: (() => void) | undefined;
  const recordMessaging = () => {
    stopMessagingMetrics = instrumentServiceMessaging(options.metrics, { db, consumers: () => ({ commands: subscription, events: eventSubscription }), ...(eventLog ? { eventLog } : {}), groupId: consumerGroups.notification });
  };
  const app = createHttpApp({
    service: 'notification',
    logger,
    ...(options.metrics && { metrics: options.metrics }),
    readiness,
    routes: (http) => {
      notificationRoutes(db, guards)(http);
      faultRoutes(faults, guards.admin)(http);
      outboxAdminRoutes(db, guards.admin)(http);
      deadLetterAdminRoutes(createDeadLetterAdmin({ service: 'notification', commandBus, queues: [consumer.queue], eventLog, groups: [consumerGroups.notification] }), guards.admin)(http);
      traceAdminRoutes(guards.admin)(http);
      // No breaker: a failed send (log or webhook, with its own timeout) is retried by the notify consumer instead.
      breakerAdminRoutes(guards.admin)(http);
    },
  });

  return {
    app,
    faults,
    async start() {
      stopping = false;
      // Two histories: the messaging lib's list grows on its own, and one shared list would then stop being a prefix of what was applied.
      await migrateMessaging(db);
      await migrate(db, notificationMigrations);
      // Replies must be routable even before the order service has declared its queue.
      await commandBus.ensureQueue(queueBindings.orderSagaReplies);
      // Every event topic with its partition count, before the relay publishes to one (auto-creation would pick its own).
      await eventLog?.ensureTopics(eventTopicSpecs());
      await relay.start();
      subscription = await commandBus.consume(consumer);
      if (eventLog) {
        const events = orderEventSubscription(handlerDeps);
        eventSubscription = await eventLog.subscribe({ ...events, handle: faults.wrapHandler('consumer', events.handle) });
      }
      recordMessaging();
      logger.info({ queue: consumer.queue, events: eventLog ? 'consuming' : 'off', channel: channel.name }, 'notification service started');
    },
    async stop() {
      stopping = true;
      stopMessagingMetrics?.();
      // Consumers first: their last transactions may still enqueue replies for the relay to publish.
      await subscription?.close();
      subscription = undefined;
      await eventSubscription?.close();
      eventSubscription = undefined;
      await relay.flush().catch((err: unknown) => logger.warn({ err }, 'final outbox flush failed; rows stay pending for the next start'));
      await relay.stop();
    },
  };
}
