// The payment participant as one unit: HTTP app, command consumer, event consumer and outbox relay over injected db, bus,
// event log and provider.
import { routeGuards, type TokenVerifier } from '@saga/auth';
import { randomUUID } from 'node:crypto';
import { consumerGroups, queueBindings, eventTopicSpecs } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { faultRoutes, serviceFaults, type FaultInjector } from '@saga/faults';
import { assertConsumersRunning, createDeadLetterAdmin, instrumentServiceMessaging, deadLetterAdminRoutes, defaultRetryPolicy, OutboxRelay, outboxAdminRoutes, type CommandBus, type EventLog, type RetryPolicy, type Subscription } from '@saga/messaging';
import type { Metrics } from '@saga/metrics';
import { breakerAdminRoutes, createHttpApp, createReadiness, traceAdminRoutes, type BreakerView, type Logger } from '@saga/platform';
import type { Express } from 'express';
import { chargePaymentUseCase } from './app/charge-payment.use-case';
import { systemClock, type Clock } from './app/clock';
import type { PaymentProvider } from './app/payment-provider.port';
import { reconcilePaymentsUseCase } from './app/reconcile-payments.use-case';
import { ReconciliationScheduler } from './app/reconciliation-scheduler';
import { refundPaymentUseCase } from './app/refund-payment.use-case';
import { paymentFaultOperations } from './faults';
import { paymentAdminRoutes } from './http/payment-admin.routes';
import { paymentRoutes } from './http/payments.routes';
import { paymentCommandConsumer } from './messaging/payment-command.handler';
import { paymentEventSubscription } from './messaging/payment-events.handler';
import { migratePaymentDb } from './store/payment-migrations';

export interface PaymentServiceOptions {
  /** Verifies the Bearer token of every non-health route (built from the JWT_* settings by main.ts). */
  verifyToken: TokenVerifier;
  db: SqlClient;
  commandBus: CommandBus;
  /** Choreography (Kafka). Absent: orchestrated sagas only. The caller owns it and closes it after stop(). */
  eventLog?: EventLog;
  provider: PaymentProvider;
  logger: Logger;
  clock?: Clock;
  newId?: () => string;
  /** Safety-net polling of the outbox; commits wake the relay at once. Default 1000. */
  outboxPollIntervalMs?: number;
  /** Who this process is for the outbox lanes' lease (host:port): a restart takes its lanes back at once. */
  instanceId?: string;
  /** Retries of a failing command (e.g. a refund while the provider is down) before it is dead-lettered. */
  commandRetry?: Partial<RetryPolicy>;
  /** Retries of a failing event (e.g. a StockReserved whose OrderCreated is not recorded yet); default as for commands. */
  eventRetry?: Partial<RetryPolicy>;
  prefetch?: number;
  /** Runtime fault injection (/admin/faults); default: an empty injector over paymentFaultOperations. */
  faults?: FaultInjector;
  /** The process's metrics (HTTP RED per route); absent: none recorded. */
  metrics?: Metrics;
  /** Reconciliation with the provider's books: a pass every intervalMs (0: only on POST /admin/reconcile), looking at
   * payments settled for graceMs. Default every 15 s, 30 s after settling. */
  reconciliation?: { intervalMs: number; graceMs: number };
  /** The breakers this process calls through (the provider adapter's), for GET /admin/breakers; default none. */
  breakers?: () => readonly BreakerView[];
}

export interface PaymentService {
  app: Express;
  /** The fault rules this instance applies, for tests and the embedded platform (the HTTP face is /admin/faults). */
  faults: FaultInjector;
  /** Migrates, declares the reply queue (and the event topics), starts the relay and the consumers. */
  start(): Promise<void>;
  /** Stops consuming (handlers in flight finish), then the relay. The db, the bus and the event log belong to the caller. */
  stop(): Promise<void>;
}

/**
 * Refunds must outlast a provider outage of a few seconds (the breaker stays open 10 s by default); events use it too,
 * and a StockReserved waiting for its OrderCreated gets 18.1-36.2 s before it is dead-lettered. A database that is away
 * gets the default transient budget (31.9-63.8 s) on top. Worst case 460 s, under consumer_timeout (checked at start).
 */
export const paymentRetryPolicy: RetryPolicy = { ...defaultRetryPolicy, maxAttempts: 12, initialDelayMs: 200, maxDelayMs: 5_000 };

export function createPaymentService(options: PaymentServiceOptions): PaymentService {
  const { db, commandBus, eventLog, provider, logger } = options;
  const faults =
    options.faults ?? serviceFaults('payment', paymentFaultOperations, logger);
  const deps = { db, provider, logger, clock: options.clock ?? systemClock, newId: options.newId ?? randomUUID, faults };
  const relay = new OutboxRelay({
    db,
    service: 'payment',
    commandBus,
    ...(eventLog ? { eventLog } : {}),
    log: (level, message, extra) => logger[level]({ ...extra, component: 'outbox-relay' }, message),
    ...(options.outboxPollIntervalMs === undefined ? {} : { pollIntervalMs: options.outboxPollIntervalMs }),
    ...(options.instanceId === undefined ? {} : { instanceId: options.instanceId }),
  });
  // One charge flow for both transports: a ChargePayment command and a StockReserved event end up here.
  const charge = chargePaymentUseCase(deps);
  // And one refund flow: a RefundPayment command (orchestration) or an OrderCancelled whose charge may have moved money (choreography).
  const refund = refundPaymentUseCase(deps);
  const reconciliation = options.reconciliation ?? { intervalMs: 15_000, graceMs: 30_000 };
  const reconciler = reconcilePaymentsUseCase(deps, { graceMs: reconciliation.graceMs });
  const scheduler = new ReconciliationScheduler({ reconciler, intervalMs: reconciliation.intervalMs, logger });
  let subscription: Subscription | undefined;
  let eventSubscription: Subscription | undefined;
  let running = false;
  let stopping = false;

  const readiness = createReadiness({
    checks: {
      started: async () => {
        if (!running) throw new Error('not started');
        assertConsumersRunning({ commands: subscription, events: eventSubscription });
      },
      db: () => db.query('SELECT 1'),
    },
    isShuttingDown: () => stopping,
  });
  const guards = routeGuards(options.verifyToken);
  const deadLetters = createDeadLetterAdmin({ service: 'payment', commandBus, queues: [queueBindings.paymentCommands.queue], eventLog, groups: [consumerGroups.payment] });
  const routes = [
    paymentRoutes(db, guards),
    paymentAdminRoutes({ provider, reconciler, guards }),
    faultRoutes(faults, guards.admin),
    outboxAdminRoutes(db, guards.admin),
    deadLetterAdminRoutes(deadLetters, guards.admin),
    traceAdminRoutes(guards.admin),
    breakerAdminRoutes(guards.admin, options.breakers),
  ];
  // Outbox backlog, inbox duplicates, dead letters, consumer status and Kafka lag on /metrics (while it runs).
  let stopMessagingMetrics: (() => void) | undefined;
  const recordMessaging = () => {
    stopMessagingMetrics = instrumentServiceMessaging(options.metrics, { db, consumers: () => ({ commands: subscription, events: eventSubscription }), ...(eventLog ? { eventLog } : {}), groupId: consumerGroups.payment });
  };
  const app = createHttpApp({ service: 'payment', logger, ...(options.metrics && { metrics: options.metrics }), readiness, routes: (http) => routes.forEach((mount) => mount(http)) });

  return {
    app,
    faults,
    async start() {
      await migratePaymentDb(db);
      // Replies are routed to the orchestrator's queue: declare it, so none is unroutable if the order service starts later.
      await commandBus.ensureQueue(queueBindings.orderSagaReplies);
      // Every event topic with its partition count, before the relay publishes to one (auto-creation would pick its own).
      await eventLog?.ensureTopics(eventTopicSpecs());
      await relay.start();
      // Every consumer goes through the `consumer` fault operation: the use cases commit their inbox transaction before
      // the handler resolves and the adapter acks after, so crash-after-commit falls in between and duplicate is a redelivery.
      const commands = paymentCommandConsumer(
        { charge, refund },
        { retry: options.commandRetry ?? paymentRetryPolicy, ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }) },
      );
      subscription = await commandBus.consume({ ...commands, handle: faults.wrapHandler('consumer', faults.wrapHandler('commands', commands.handle)) });
      if (eventLog) {
        const events = paymentEventSubscription({ db, charge, refund, clock: deps.clock, newId: deps.newId, logger, retry: options.eventRetry ?? paymentRetryPolicy });
        eventSubscription = await eventLog.subscribe({ ...events, handle: faults.wrapHandler('consumer', faults.wrapHandler('events', events.handle)) });
      }
      scheduler.start();
      running = true;
      recordMessaging();
      logger.info('payment service started');
    },
    async stop() {
      stopping = true;
      stopMessagingMetrics?.();
      await scheduler.stop();
      await subscription?.close();
      await eventSubscription?.close();
      await relay.stop();
      running = false;
    },
  };
}
