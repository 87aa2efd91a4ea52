// Composition root of the payment service: the only place that reads the environment and picks the adapters.
import { createPgClient } from '@saga/db';
import { RabbitMqCommandBus } from '@saga/messaging';
import { createLogger, field, GracefulShutdown, loadConfig, startHttpServer, runProcess } from '@saga/platform';
import { z } from 'zod';
import { createPaymentService } from './payment-service';
import { createHttpPaymentProvider } from './provider/http-payment-provider';

const configSchema = z.object({
  PORT: field.port().default(3003),
  DATABASE_URL: field.url({ protocols: ['postgres', 'postgresql'] }),
  RABBITMQ_URL: field.url({ protocols: ['amqp', 'amqps'] }),
  PAYMENT_PROVIDER_URL: field.url({ protocols: ['http', 'https'] }).default('http://127.0.0.1:4010'),
  PROVIDER_TIMEOUT_MS: field.durationMs().default(2000),
  OUTBOX_POLL_MS: field.durationMs().default(1000),
  LOG_LEVEL: field.logLevel().default('info'),
});

export type PaymentConfig = z.infer<typeof configSchema>;

export async function start(config: PaymentConfig = loadConfig(configSchema)) {
  const logger = createLogger({ service: 'payment', level: config.LOG_LEVEL });
  const db = await createPgClient({
    connectionString: config.DATABASE_URL,
    applicationName: 'payment',
    onError: (err) => logger.error({ err }, 'database connection error'),
  });
  const commandBus = await RabbitMqCommandBus.connect({
    url: config.RABBITMQ_URL,
    connectionName: 'payment',
    log: (level, message, extra) => logger[level](extra, message),
  });
  const provider = createHttpPaymentProvider({
    baseUrl: config.PAYMENT_PROVIDER_URL,
    timeoutMs: config.PROVIDER_TIMEOUT_MS,
    breaker: { onStateChange: (state, name) => logger.warn({ breaker: name, state }, 'circuit breaker changed state') },
  });
  const service = createPaymentService({ db, commandBus, provider, logger, outboxPollIntervalMs: config.OUTBOX_POLL_MS });
  await service.start();
  const server = await startHttpServer(service.app, { port: config.PORT });

  // In the order things must stop: no new requests, no new commands (in-flight ones finish), then the connections.
  const shutdown = new GracefulShutdown({ logger })
    .register('http', () => server.stop())
    .register('payment service', () => service.stop())
    .register('rabbitmq', () => commandBus.close())
    .register('payment provider breaker', () => provider.shutdown())
    .register('database', () => db.close());
  logger.info({ port: server.port, provider: config.PAYMENT_PROVIDER_URL }, 'payment service listening');
  return { port: server.port, logger, shutdown };
}

if (require.main === module) runProcess(() => start());
