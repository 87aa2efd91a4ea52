// Builds the order service (API + orchestrator) from adapters chosen by the caller: pg + RabbitMQ in main.ts, twins embedded.
import { consumerGroups, eventTopicSpecs, queueBindings, topics, type SagaMode } from '@saga/contracts';
import { routeGuards, type TokenVerifier } from '@saga/auth';
import type { SqlClient } from '@saga/db';
import { faultRoutes, type FaultInjector } from '@saga/faults';
import { assertConsumersRunning, createDeadLetterAdmin, instrumentServiceMessaging, deadLetterAdminRoutes, OutboxRelay, outboxAdminRoutes, type CommandBus, type ConsumedEvent, type EventLog, type Subscription } from '@saga/messaging';
import { sagaMetrics, type Metrics } from '@saga/metrics';
import { breakerAdminRoutes, createHttpApp, createReadiness, traceAdminRoutes, withCorrelation, type BreakerView, type Logger } from '@saga/platform';
import { ChoreographyReaper } from './app/choreography-deadlines';
import type { Express } from 'express';
import type { SagaRuntime } from './app/apply-saga-input';
import type { PriceCatalog } from './app/price-catalog.port';
import { DeadlineScanner } from './app/saga-deadlines';
import { orderRoutes } from './http/order.routes';
import { orderStreamRoutes } from './http/order-stream.routes';
import { OrderChangeFeed } from './app/order-change-feed';
import { sagaReplyConsumer } from './messaging/saga-replies.handler';
import { choreographySubscription, timelineSubscription } from './messaging/order-events.handler';
import { TimelineProjector } from './app/timeline-projector';
import { createOrderFaults } from './faults';

export interface OrderServiceOptions {
  /** Already migrated (migrateOrderDb). Owned by the caller. */
  db: SqlClient;
  /** Owned by the caller, who closes it after stop(). */
  commandBus: CommandBus;
  /** Kafka (or its twin) for choreography; without it only orchestration is offered. Owned by the caller. */
  eventLog?: EventLog;
  prices: PriceCatalog;
  /** Verifies the Bearer token of every non-health route (built from the JWT_* settings by main.ts). */
  verifyToken: TokenVerifier;
  logger: Logger;
  runtime: SagaRuntime;
  defaultSagaMode?: SagaMode;
  deadlineScanIntervalMs?: number;
  /** How long a choreographed order may stay PENDING before it is cancelled (DEADLINE_EXCEEDED); default 30 s. */
  choreographyDeadlineMs?: number;
  /** How often the reaper looks for such orders; default 1 s. */
  choreographyReapIntervalMs?: number;
  isShuttingDown?: () => boolean;
  relayPollIntervalMs?: number;
  /** Who this process is for the outbox lanes' lease (host:port): a restart takes its lanes back at once. */
  instanceId?: string;
  /**
   * Runtime fault rules (/admin/faults). Pass the one the HttpPriceCatalog got (createOrderFaults), so one injector
   * holds every rule of the process; absent: a fresh one, which then only reaches the consumers.
   */
  faults?: FaultInjector;
  /** The process's metrics (HTTP RED per route, the saga instruments); absent: none recorded. */
  metrics?: Metrics;
  /** GET /orders/stream: how long one stream lasts before the client reconnects (default 10 min), and its heartbeat (15 s). */
  stream?: { maxDurationMs?: number; heartbeatMs?: number };
  /** The breakers this process calls through (the price catalog's, towards inventory), for GET /admin/breakers; default none. */
  breakers?: () => readonly BreakerView[];
}

export interface OrderService {
  app: Express;
  deadlines: DeadlineScanner;
  /** The choreography reaper; absent without an event log (orchestration only). */
  choreographyDeadlines?: ChoreographyReaper;
  faults: FaultInjector;
  /** The live streams' feed: closeStreams() ends every GET /orders/stream (before the HTTP server drains). */
  closeStreams(): Promise<void>;
  start(): Promise<void>;
  stop(): Promise<void>;
}

/** Queues the orchestrator sends to: declared at start so commands are routable before the participants are up. */
const participantQueues = [queueBindings.inventoryCommands, queueBindings.paymentCommands, queueBindings.notificationCommands];

export function createOrderService(options: OrderServiceOptions): OrderService {
  const { db, commandBus, logger, runtime } = options;
  const { eventLog } = options;
  const faults = options.faults ?? createOrderFaults({ logger });
  // The saga instruments, recorded by the use cases and handlers once their transaction committed (app/record-saga-metrics.ts).
  const saga = options.metrics ? { sagaMetrics: sagaMetrics(options.metrics) } : {};
  const relay = new OutboxRelay({
    db,
    service: 'order',
    commandBus,
    ...(eventLog ? { eventLog } : {}),
    log: (level, message, extra) => logger[level](extra, message),
    ...(options.relayPollIntervalMs === undefined ? {} : { pollIntervalMs: options.relayPollIntervalMs }),
    ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
  });
  const deadlines = new DeadlineScanner({
    db,
    runtime,
    intervalMs: options.deadlineScanIntervalMs ?? 500,
    ...saga,
    onError: (err) => logger.error({ err }, 'deadline scan failed'),
    onAdvanced: (saga) => {
      const timedOut = saga.history.findLast((entry) => entry.status === 'TIMED_OUT' || entry.status === 'FAILED');
      withCorrelation(logger, { orderId: saga.orderId, sagaId: saga.sagaId }).warn({ step: timedOut?.step, sagaStatus: saga.status, awaiting: saga.awaiting?.step }, 'saga step deadline passed');
    },
  });
  const choreographyDeadlines = eventLog
    ? new ChoreographyReaper({
        db,
        now: runtime.now,
        deadlineMs: options.choreographyDeadlineMs ?? 30_000,
        intervalMs: options.choreographyReapIntervalMs ?? 1_000,
        ...saga,
        onError: (err) => logger.error({ err }, 'choreography deadline scan failed'),
        onCancelled: ({ orderId, reason }) => withCorrelation(logger, { orderId, sagaId: orderId }).warn({ reason, deadlineMs: options.choreographyDeadlineMs ?? 30_000 }, 'choreography deadline passed: order cancelled'),
      })
    : undefined;
  const timeline = eventLog ? new TimelineProjector({ db, subscribe: (groupId) => eventLog.subscribe(timelineSubscription({ db, groupId })) }) : undefined;
  let subscription: Subscription | undefined;
  let choreography: Subscription | undefined;
  let state: 'new' | 'running' | 'stopped' = 'new';

  const guards = routeGuards(options.verifyToken);
  // The live order streams (SSE), fed by LISTEN/NOTIFY on this service's own writes.
  const feed = new OrderChangeFeed({ db, onError: (err) => logger.error({ err }, 'order change feed failed') });
  const readiness = createReadiness({
    checks: {
      database: () => db.query('SELECT 1'),
      messaging: async () => {
        if (state !== 'running') throw new Error(`saga reply consumer is ${state}`);
        // The timeline projector is a read model (rebuildable): its consumer does not make the service unready.
        assertConsumersRunning({ 'saga replies': subscription, choreography });
      },
    },
    ...(options.isShuttingDown ? { isShuttingDown: options.isShuttingDown } : {}),
  });
  // Outbox backlog, inbox duplicates, dead letters, consumer status and Kafka lag on /metrics (while it runs).
  let stopMessagingMetrics: (() => void) | undefined;
  const recordMessaging = () => {
    stopMessagingMetrics = instrumentServiceMessaging(options.metrics, { db, consumers: () => ({ 'saga replies': subscription, choreography }), ...(eventLog ? { eventLog } : {}), groupId: consumerGroups.order });
  };
  const app = createHttpApp({
    service: 'order',
    logger,
    ...(options.metrics && { metrics: options.metrics }),
    readiness,
    routes: (http) => {
      orderStreamRoutes({ feed, guards, ...options.stream })(http);
      orderRoutes({
        db,
        prices: options.prices,
        runtime,
        defaultSagaMode: options.defaultSagaMode ?? 'orchestration',
        supportedSagaModes: eventLog ? ['orchestration', 'choreography'] : ['orchestration'],
        ...(timeline ? { timeline } : {}),
        guards,
        ...saga,
      })(http);
      faultRoutes(faults, guards.admin)(http);
      outboxAdminRoutes(db, guards.admin)(http);
      // The saga replies and the choreography group; the timeline's letters are a read model's, rebuilt by a replay.
      deadLetterAdminRoutes(createDeadLetterAdmin({ service: 'order', commandBus, queues: [queueBindings.orderSagaReplies.queue], eventLog, groups: [consumerGroups.order] }), guards.admin)(http);
      traceAdminRoutes(guards.admin)(http);
      breakerAdminRoutes(guards.admin, options.breakers)(http);
    },
  });

  return {
    app,
    deadlines,
    ...(choreographyDeadlines ? { choreographyDeadlines } : {}),
    faults,
    closeStreams: () => feed.close(),
    async start() {
      for (const spec of participantQueues) await commandBus.ensureQueue(spec);
      // Topics come from the contracts, created idempotently by whichever service starts first.
      if (eventLog) await eventLog.ensureTopics(eventTopicSpecs());
      await relay.start();
      // The consumer fault rules wrap every consumer that changes state (inbox + outbox); the timeline projector is a
      // read model, rebuilt by replay, so faults there would test nothing the saga depends on.
      const replies = sagaReplyConsumer({ db, runtime, logger, ...queueBindings.orderSagaReplies, ...saga });
      subscription = await commandBus.consume({ ...replies, handle: faults.wrapHandler('consumer', replies.handle) });
      if (eventLog) {
        const events = choreographySubscription({ db, now: runtime.now, logger, ...saga });
        // payment-events: payment's events alone, so a rule can make them reach the order after inventory's.
        const paymentEvents = faults.wrapHandler('payment-events', events.handle);
        const handle = faults.wrapHandler('consumer', (event: ConsumedEvent) => (event.topic === topics.paymentEvents ? paymentEvents(event) : events.handle(event)));
        choreography = await eventLog.subscribe({ ...events, handle });
        await timeline!.start();
      }
      // Sagas that were mid-flight when the last process died resume here: overdue steps are acted on at the first scan.
      deadlines.start();
      // Choreographed orders that went overdue while no instance ran are cancelled at the first pass.
      choreographyDeadlines?.start();
      state = 'running';
      recordMessaging();
    },
    async stop() {
      if (state === 'stopped') return;
      state = 'stopped';
      await feed.close();
      stopMessagingMetrics?.();
      await deadlines.stop();
      await choreographyDeadlines?.stop();
      await subscription?.close();
      await choreography?.close();
      await timeline?.stop();
      await relay.stop();
    },
  };
}
