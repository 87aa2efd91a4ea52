// `npm start`: the embedded platform — every service in this one process, no infrastructure; prints how to try it.
import { z } from 'zod';
import { GracefulShutdown, createLogger, field, loadConfig, runProcess, type StartedProcess } from '@saga/platform';
import { startEmbeddedPlatform } from './embedded-platform';

const configSchema = z.object({
  SAGA_DATA_DIR: z.string().default('.local/embedded'),
  HOST: z.string().default('127.0.0.1'),
  ORDER_PORT: field.port().default(3001),
  INVENTORY_PORT: field.port().default(3002),
  PAYMENT_PORT: field.port().default(3003),
  NOTIFICATION_PORT: field.port().default(3004),
  PROVIDER_PORT: field.port().default(4010),
  ORDER_STEP_TIMEOUT_MS: field.durationMs().default(10_000),
  DEFAULT_SAGA_MODE: z.enum(['orchestration', 'choreography']).default('orchestration'),
  LOG_LEVEL: field.logLevel().default('warn'),
});

async function start(): Promise<StartedProcess> {
  const config = loadConfig(configSchema, process.env);
  const logger = createLogger({ service: 'embedded', level: config.LOG_LEVEL });
  const platform = await startEmbeddedPlatform({
    dataDir: config.SAGA_DATA_DIR,
    host: config.HOST,
    logger,
    stepTimeoutMs: config.ORDER_STEP_TIMEOUT_MS,
    defaultSagaMode: config.DEFAULT_SAGA_MODE,
    ports: { order: config.ORDER_PORT, inventory: config.INVENTORY_PORT, payment: config.PAYMENT_PORT, notification: config.NOTIFICATION_PORT, provider: config.PROVIDER_PORT },
  });
  const shutdown = new GracefulShutdown({ logger }).register('embedded platform', () => platform.stop());
  const { order, inventory, payment, notification } = platform.urls;
  console.log(
    [
      '',
      'saga-platform is running in ONE process (PGlite databases in ' + config.SAGA_DATA_DIR + ', in-memory Kafka and RabbitMQ twins).',
      `  order ${order}   inventory ${inventory}   payment ${payment}   notification ${notification}`,
      '  (the API gateway with JWT login on :8080 comes with the gateway issue; until then, name yourself with X-User-Id)',
      '',
      'Try:',
      `  curl -s ${inventory}/products`,
      `  curl -s -X POST ${order}/orders -H 'X-User-Id: alice' -H 'content-type: application/json' -d '{"items":[{"sku":"SKU-APPLE","quantity":2}],"sagaMode":"choreography"}'`,
      `  curl -s ${order}/orders -H 'X-User-Id: alice'        # then GET ${order}/orders/<orderId> for the saga history`,
      `  (a declined card: add "paymentToken":"tok_chargeDeclined" and watch RELEASE_STOCK run before CANCEL_ORDER)`,
      '',
      'Ctrl-C stops it.',
    ].join('\n'),
  );
  return { shutdown, logger };
}

runProcess(start);
