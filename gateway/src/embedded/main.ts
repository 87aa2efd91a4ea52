// `npm start`: the embedded platform — every service in this one process, no infrastructure; prints how to try it.
import './tracing';
import { sagaModes } from '@saga/contracts';
import { z } from 'zod';
import { createTokenVerifier } from '@saga/auth';
import { createMetrics, startMetricsServer } from '@saga/metrics';
import { attributeServicePort } from '@saga/tracing';
import { GracefulShutdown, createLogger, field, loadConfig, runProcess, startHttpServer, type StartedProcess } from '@saga/platform';
import { loadGatewayConfig } from '../config';
import { loadGatewayCredentials } from '../gateway-credentials';
import { createGatewayApp } from '../gateway-app';
import { startEmbeddedPlatform } from './embedded-platform';
import { consoleLine, tryItLines } from '../try-it';

const configSchema = z.object({
  SAGA_DATA_DIR: z.string().default('.local/embedded'),
  HOST: z.string().default('127.0.0.1'),
  ORDER_PORT: field.port().default(3001),
  INVENTORY_PORT: field.port().default(3002),
  PAYMENT_PORT: field.port().default(3003),
  NOTIFICATION_PORT: field.port().default(3004),
  PROVIDER_PORT: field.port().default(4010),
  ORDER_STEP_TIMEOUT_MS: field.durationMs().default(10_000),
  DEFAULT_SAGA_MODE: z.enum(sagaModes).default('orchestration'),
  // How long one live order stream (GET /api/orders/stream) lasts before the browser reconnects.
  ORDER_STREAM_MAX_MS: field.durationMs().default(600_000),
  LOG_LEVEL: field.logLevel().default('warn'),
  // One registry for the whole process, every service under its own `service` label; 0: the OS picks a port.
  METRICS_PORT: field.port().default(9464),
  METRICS_HOST: z.string().trim().min(1).default('127.0.0.1'),
});

async function start(): Promise<StartedProcess> {
  const config = loadConfig(configSchema, process.env);
  // A local developer mode on loopback: the documented demo users are on unless DEMO_USERS_ENABLED says otherwise.
  // No broker links (the brokers are in-memory twins): /api/admin/links stays off even when the shell exports
  // .local/env's TOXIPROXY_URL, so this console never slows or cuts another deployment's proxies.
  const localEnv = { DEMO_USERS_ENABLED: 'true', ...process.env, HOST: config.HOST, TOXIPROXY_URL: undefined };
  // Fail on bad gateway settings (keys, users, limits) before anything starts; the services verify in-process with
  // the gateway's public key (ES256, kept in .local/keys/ unless JWT_SIGNING_KEY(_FILE) says otherwise) or JWT_SECRET.
  const jwtSettings = loadGatewayConfig(localEnv);
  const logger = createLogger({ service: 'embedded', level: config.LOG_LEVEL });
  const credentials = loadGatewayCredentials(jwtSettings, logger);
  const metrics = createMetrics({ service: 'embedded' });
  // Before the databases start: a taken metrics port fails at once, with the variable that moves it.
  const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, logger }).catch((err: unknown) => {
    throw new Error(`the metrics server cannot listen on ${config.METRICS_HOST}:${config.METRICS_PORT} (${err instanceof Error ? err.message : String(err)}): set METRICS_PORT to a free port, or 0 for any`, { cause: err });
  });
  const metricsUrl = `http://${config.METRICS_HOST === '0.0.0.0' ? '127.0.0.1' : config.METRICS_HOST}:${metricsServer.port}/metrics`;
  const platform = await startEmbeddedPlatform({
    dataDir: config.SAGA_DATA_DIR,
    host: config.HOST,
    logger,
    stepTimeoutMs: config.ORDER_STEP_TIMEOUT_MS,
    defaultSagaMode: config.DEFAULT_SAGA_MODE,
    verifyToken: createTokenVerifier(jwtSettings, credentials.jwks ? { localJwks: credentials.jwks } : {}),
    metrics,
    streamMaxDurationMs: config.ORDER_STREAM_MAX_MS,
    ports: { order: config.ORDER_PORT, inventory: config.INVENTORY_PORT, payment: config.PAYMENT_PORT, notification: config.NOTIFICATION_PORT, provider: config.PROVIDER_PORT },
  });
  const { order, inventory, payment, notification } = platform.urls;
  // The front door: the same gateway as in every other deployment, its upstreams the in-process services.
  // Upstreams come from the in-memory registry the services registered with, unless a *_URL is set in the
  // environment: e.g. INVENTORY_URL pointing at a Toxiproxy proxy in front of inventory, to cut it and watch the breaker.
  const overrides = { order: 'ORDER_URL', inventory: 'INVENTORY_URL', payment: 'PAYMENT_URL', notification: 'NOTIFICATION_URL' } as const;
  const staticUpstreams = (Object.keys(overrides) as (keyof typeof overrides)[]).filter((name) => process.env[overrides[name]] !== undefined);
  const gatewayConfig = loadGatewayConfig({
    ...localEnv,
    PORT: process.env.PORT ?? '8080',
    HOST: config.HOST,
    ORDER_URL: process.env.ORDER_URL ?? order,
    INVENTORY_URL: process.env.INVENTORY_URL ?? inventory,
    PAYMENT_URL: process.env.PAYMENT_URL ?? payment,
    NOTIFICATION_URL: process.env.NOTIFICATION_URL ?? notification,
  });
  // No infrastructure: the rate limits stay in memory unless REDIS_URL is set (then shared through Redis).
  const gateway = createGatewayApp(gatewayConfig, { logger, registry: platform.registry, staticUpstreams, credentials, metrics: metrics.forService('gateway') });
  const gatewayServer = await startHttpServer(gateway.app, { port: gatewayConfig.PORT, host: gatewayConfig.HOST });
  attributeServicePort(gatewayServer.port, 'gateway');
  const api = `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${gatewayServer.port}`;
  const shutdown = new GracefulShutdown({ logger })
    // The live order streams first: they never end by themselves, and the gateway's drain would wait for them.
    .register('order streams', async () => {
      await platform.closeStreams();
      gateway.closeStreams();
    })
    .register('gateway', async () => {
      await gatewayServer.stop(2_000);
      await gateway.close();
    })
    .register('embedded platform', () => platform.stop())
    .register('metrics server', () => metricsServer.stop());
  console.log(
    [
      '',
      consoleLine(api, jwtSettings.DEMO_USERS_ENABLED),
      '',
      `saga-platform is running in ONE process: ${api} (Node ${process.version})`,
      `  PGlite databases in ${config.SAGA_DATA_DIR}, in-memory Kafka and RabbitMQ twins; services behind the gateway:`,
      `  order ${order}  inventory ${inventory}  payment ${payment}  notification ${notification}`,
      `  Prometheus metrics of the whole process: ${metricsUrl}`,
      '',
      ...tryItLines(api, jwtSettings.DEMO_USERS_ENABLED),
      '',
      'Ctrl-C stops it.',
    ].join('\n'),
  );
  return { shutdown, logger };
}

runProcess(start);
