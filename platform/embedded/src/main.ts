// `npm start`: the embedded platform — every service in this one process, no infrastructure; prints how to try it.
import './tracing';
import type { RequestListener } from 'node:http';
import { sagaModes } from '@saga/contracts';
import { z } from 'zod';
import { createTokenVerifier } from '@saga/auth';
import { createMetrics, startMetricsServer } from '@saga/metrics';
import { attributeServicePort } from '@saga/tracing';
import { GracefulShutdown, createLogger, field, loadConfig, runProcess, startHttpServer, type StartedProcess } from '@saga/platform';
import { consoleLine, createGatewayApp, loadGatewayConfig, loadGatewayCredentials, tryItLines } from '@saga/gateway';
import { claimDataDir, defaultDataDir } from './data-dir-lock';
import { startEmbeddedPlatform } from './embedded-platform';

const configSchema = z.object({
  // Unset: .local/embedded, or .local/embedded-<PORT> on another gateway port (data-dir-lock.ts).
  SAGA_DATA_DIR: z.string().optional(),
  HOST: z.string().default('127.0.0.1'),
  // Only the gateway's port is the user's: the services behind it take free ports the OS picks (0), so another
  // program on a common port (3001…) or a second npm start is no obstacle. Set one to pin it (e.g. for a proxy).
  ORDER_PORT: field.port().default(0),
  INVENTORY_PORT: field.port().default(0),
  PAYMENT_PORT: field.port().default(0),
  NOTIFICATION_PORT: field.port().default(0),
  PROVIDER_PORT: field.port().default(0),
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
  // The gateway's port first, before the databases start: taken, it fails at once with the variable that moves it.
  // Until the platform is up, the port answers 503 STARTING (probes wait; nothing else can take the port meanwhile).
  const serving: { app?: RequestListener } = {};
  const gatewayServer = await startHttpServer((req, res) => {
    if (serving.app) return serving.app(req, res);
    res.writeHead(503, { 'content-type': 'application/json', 'retry-after': '1' }).end(JSON.stringify({ error: { code: 'STARTING', message: 'The platform is starting' } }));
  }, { port: jwtSettings.PORT, host: config.HOST }).catch((err: unknown) => {
    throw new Error(`the gateway cannot listen on ${config.HOST}:${jwtSettings.PORT} (${err instanceof Error ? err.message : String(err)}): set PORT to a free port (another npm start may be running there)`, { cause: err });
  });
  attributeServicePort(gatewayServer.port, 'gateway');
  const dataDir = config.SAGA_DATA_DIR ?? defaultDataDir(gatewayServer.port);
  const releaseDataDir = (() => {
    try {
      return claimDataDir(dataDir);
    } catch (err) {
      void gatewayServer.stop(0);
      throw err;
    }
  })();
  // 9464 unless METRICS_PORT says otherwise; when a second npm start finds it taken, any free port (the banner says which).
  const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, logger })
    .catch((err: unknown) => {
      if (process.env.METRICS_PORT !== undefined || (err as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw err;
      logger.warn({ port: config.METRICS_PORT }, 'the default metrics port is taken (another npm start?): serving /metrics on a free port');
      return startMetricsServer({ port: 0, host: config.METRICS_HOST, metrics, logger });
    })
    .catch(async (err: unknown) => {
      releaseDataDir();
      await gatewayServer.stop(0);
      throw new Error(`the metrics server cannot listen on ${config.METRICS_HOST}:${config.METRICS_PORT} (${err instanceof Error ? err.message : String(err)}): set METRICS_PORT to a free port, or 0 for any`, { cause: err });
    });
  const metricsUrl = `http://${config.METRICS_HOST === '0.0.0.0' ? '127.0.0.1' : config.METRICS_HOST}:${metricsServer.port}/metrics`;
  const platform = await startEmbeddedPlatform({
    dataDir,
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
    PORT: String(gatewayServer.port),
    HOST: config.HOST,
    ORDER_URL: process.env.ORDER_URL ?? order,
    INVENTORY_URL: process.env.INVENTORY_URL ?? inventory,
    PAYMENT_URL: process.env.PAYMENT_URL ?? payment,
    NOTIFICATION_URL: process.env.NOTIFICATION_URL ?? notification,
  });
  // No infrastructure: the rate limits stay in memory unless REDIS_URL is set (then shared through Redis).
  const gateway = createGatewayApp(gatewayConfig, { logger, registry: platform.registry, staticUpstreams, credentials, metrics: metrics.forService('gateway') });
  serving.app = gateway.app;
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
    .register('embedded platform', async () => {
      await platform.stop();
      releaseDataDir();
    })
    .register('metrics server', () => metricsServer.stop());
  console.log(
    [
      '',
      consoleLine(api, jwtSettings.DEMO_USERS_ENABLED),
      '',
      `saga-platform is running in ONE process: ${api} (Node ${process.version})`,
      `  PGlite databases in ${dataDir}, in-memory Kafka and RabbitMQ twins; services behind the gateway:`,
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
