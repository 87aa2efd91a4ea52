// The payment participant as one unit: HTTP app, command consumer and outbox relay over injected db, bus and provider.
import { randomUUID } from 'node:crypto';
import { queues, routingKeys } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { OutboxRelay, type CommandBus, type RetryPolicy, type Subscription } from '@saga/messaging';
import { createHttpApp, createReadiness, type Logger } from '@saga/platform';
import type { Express } from 'express';
import { chargePaymentUseCase } from './app/charge-payment.use-case';
import { systemClock, type Clock } from './app/clock';
import type { PaymentProvider } from './app/payment-provider.port';
import { refundPaymentUseCase } from './app/refund-payment.use-case';
import { paymentRoutes } from './http/payments.routes';
import { paymentCommandConsumer } from './messaging/payment-command.handler';
import { migratePaymentDb } from './store/payment-migrations';

export interface PaymentServiceOptions {
  db: SqlClient;
  commandBus: CommandBus;
  provider: PaymentProvider;
  logger: Logger;
  clock?: Clock;
  newId?: () => string;
  /** Safety-net polling of the outbox; commits wake the relay at once. Default 1000. */
  outboxPollIntervalMs?: number;
  /** Retries of a failing command (e.g. a refund while the provider is down) before it is dead-lettered. */
  commandRetry?: Partial<RetryPolicy>;
  prefetch?: number;
}

export interface PaymentService {
  app: Express;
  /** Migrates, declares the reply queue, starts the relay and the command consumer. */
  start(): Promise<void>;
  /** Stops consuming (handlers in flight finish), then the relay. The db and the bus belong to the caller. */
  stop(): Promise<void>;
}

/** Refunds must outlast a provider outage of a few seconds (the breaker stays open 10 s by default). */
const defaultCommandRetry: Partial<RetryPolicy> = { maxAttempts: 12, initialDelayMs: 200, maxDelayMs: 5_000 };

export function createPaymentService(options: PaymentServiceOptions): PaymentService {
  const { db, commandBus, provider, logger } = options;
  const deps = { db, provider, logger, clock: options.clock ?? systemClock, newId: options.newId ?? randomUUID };
  const relay = new OutboxRelay({
    db,
    commandBus,
    log: (level, message, extra) => logger[level]({ ...extra, component: 'outbox-relay' }, message),
    ...(options.outboxPollIntervalMs === undefined ? {} : { pollIntervalMs: options.outboxPollIntervalMs }),
  });
  let subscription: Subscription | undefined;
  let running = false;
  let stopping = false;

  const readiness = createReadiness({
    checks: {
      started: async () => {
        if (!running) throw new Error('not started');
      },
      db: () => db.query('SELECT 1'),
    },
    isShuttingDown: () => stopping,
  });
  const app = createHttpApp({ service: 'payment', logger, readiness, routes: paymentRoutes(db) });

  return {
    app,
    async start() {
      await migratePaymentDb(db);
      // Replies are routed to the orchestrator's queue: declare it, so none is unroutable if the order service starts later.
      await commandBus.ensureQueue({ queue: queues.orderSagaReplies, bindings: [routingKeys.sagaReply] });
      await relay.start();
      subscription = await commandBus.consume(
        paymentCommandConsumer(
          { charge: chargePaymentUseCase(deps), refund: refundPaymentUseCase(deps) },
          { retry: options.commandRetry ?? defaultCommandRetry, ...(options.prefetch === undefined ? {} : { prefetch: options.prefetch }) },
        ),
      );
      running = true;
      logger.info('payment service started');
    },
    async stop() {
      stopping = true;
      await subscription?.close();
      await relay.stop();
      running = false;
    },
  };
}
