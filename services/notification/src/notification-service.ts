// The notification service without its process: HTTP app, RabbitMQ consumer and outbox relay over given ports (main.ts or the embedded mode).
import { randomUUID } from 'node:crypto';
import { queues, routingKeys } from '@saga/contracts';
import { migrate, type SqlClient } from '@saga/db';
import { migrateMessaging, OutboxRelay, type CommandBus, type RetryPolicy, type Subscription } from '@saga/messaging';
import { createHttpApp, createReadiness, type Logger } from '@saga/platform';
import type { Express } from 'express';
import { createNotify } from './app/notify.use-case';
import { combineChannels } from './channels/fanout.channel';
import type { NotificationChannel } from './channels/notification-channel.port';
import type { Clock } from './domain/notification';
import { notificationRoutes } from './http/notification.routes';
import { sendNotificationConsumer } from './messaging/send-notification.command-handler';
import { notificationMigrations } from './store/migrations';

export interface NotificationServiceOptions {
  db: SqlClient;
  commandBus: CommandBus;
  /** Every notification goes through all of them; at least one (LogChannel is the default in main.ts). */
  channels: readonly NotificationChannel[];
  logger: Logger;
  clock?: Clock;
  newId?: () => string;
  /** Overrides the consumer's retry policy (tests use short delays). */
  retry?: Partial<RetryPolicy>;
  outboxPollIntervalMs?: number;
}

export interface NotificationService {
  /** Serve it with startHttpServer (main.ts) or mount it (embedded mode). */
  readonly app: Express;
  /** Migrates, declares the reply queue, starts the outbox relay, then consumes commands. */
  start(): Promise<void>;
  /** Stops consuming (in-flight handlers finish) and the relay. The db and bus belong to the caller, who closes them. */
  stop(): Promise<void>;
}

export function createNotificationService(options: NotificationServiceOptions): NotificationService {
  const { db, commandBus, logger, clock = { now: () => new Date() }, newId = randomUUID } = options;
  const channel = combineChannels(options.channels);
  const relay = new OutboxRelay({
    db,
    commandBus,
    ...(options.outboxPollIntervalMs === undefined ? {} : { pollIntervalMs: options.outboxPollIntervalMs }),
    log: (level, message, extra) => logger[level](extra, message),
  });
  const notify = createNotify({ db, channel, clock, newId, logger });
  const consumer = sendNotificationConsumer({ db, notify, envelopes: { now: () => clock.now(), newId }, ...(options.retry ? { retry: options.retry } : {}) });
  let subscription: Subscription | undefined;
  let stopping = false;

  const readiness = createReadiness({
    checks: {
      database: () => db.query('SELECT 1'),
      commands: async () => {
        if (!subscription) throw new Error('not consuming commands');
      },
    },
    isShuttingDown: () => stopping,
  });
  const app = createHttpApp({ service: 'notification', logger, readiness, routes: notificationRoutes(db) });

  return {
    app,
    async start() {
      stopping = false;
      // Two histories: the messaging lib's list grows on its own, and one shared list would then stop being a prefix of what was applied.
      await migrateMessaging(db);
      await migrate(db, notificationMigrations);
      // Replies must be routable even before the order service has declared its queue.
      await commandBus.ensureQueue({ queue: queues.orderSagaReplies, bindings: [routingKeys.sagaReply] });
      await relay.start();
      subscription = await commandBus.consume(consumer);
      logger.info({ queue: consumer.queue, channel: channel.name }, 'notification service started');
    },
    async stop() {
      stopping = true;
      // Consumers first: their last transactions may still enqueue replies for the relay to publish.
      await subscription?.close();
      subscription = undefined;
      await relay.flush().catch((err: unknown) => logger.warn({ err }, 'final outbox flush failed; rows stay pending for the next start'));
      await relay.stop();
    },
  };
}
