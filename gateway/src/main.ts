// Composition root of the standalone gateway: config, app, server, graceful shutdown.
import './tracing';
import { ConsulRegistry } from '@saga/discovery';
import { createMetrics, startMetricsServer } from '@saga/metrics';
import { GracefulShutdown, createLogger, runProcess, startHttpServer, type StartedProcess } from '@saga/platform';
import { loadGatewayConfig } from './config';
import { createGatewayApp } from './gateway-app';

async function start(): Promise<StartedProcess> {
  const config = loadGatewayConfig(process.env);
  const logger = createLogger({ service: 'gateway', level: config.LOG_LEVEL });
  // REDIS_URL set: the rate limits are shared with every other replica through Redis (fail open if it is down).
  // CONSUL_URL set: upstreams are the healthy instances Consul knows (round robin); unset: the static *_URL.
  const registry = config.CONSUL_URL ? new ConsulRegistry({ url: config.CONSUL_URL }) : undefined;
  const metrics = createMetrics({ service: 'gateway' });
  // Without METRICS_PORT nothing could scrape them, so none are recorded (the bench compares with and without).
  const gateway = createGatewayApp(config, { logger, ...(config.METRICS_PORT === undefined ? {} : { metrics }), ...(registry && { registry }) });
  logger.info({ rateLimitStore: gateway.rateLimit.kind, discovery: config.CONSUL_URL ? 'consul' : 'static' }, 'rate-limit store and discovery');
  const server = await startHttpServer(gateway.app, { port: config.PORT, host: config.HOST });
  logger.info({ port: server.port }, 'gateway listening');
  const shutdown = new GracefulShutdown({ logger })
    // Live order streams never end by themselves: end them first (clients reconnect elsewhere), then drain the rest.
    .register('live order streams', async () => gateway.closeStreams())
    .register('http server', () => server.stop())
    .register('circuit breakers and redis', () => gateway.close());
  // Last: a scrape during the drain still answers.
  if (config.METRICS_PORT !== undefined) {
    const metricsServer = await startMetricsServer({ port: config.METRICS_PORT, host: config.METRICS_HOST, metrics, logger });
    shutdown.register('metrics server', () => metricsServer.stop());
  }
  return { shutdown, logger };
}

runProcess(start);
