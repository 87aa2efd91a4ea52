// The scrape endpoint: a tiny node:http server apart from the service's own port, so /metrics is never public API.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Metrics } from './metrics';

export interface MetricsServerOptions {
  /** 0: the OS picks one (tests, the embedded mode's METRICS_PORT=0). */
  port: number;
  /** Default 127.0.0.1: outside a container nothing but a local Prometheus should reach it. */
  host?: string;
  metrics: Metrics;
  logger?: { info(details: object, message: string): void; error(details: object, message: string): void };
}

export interface MetricsServer {
  port: number;
  stop(): Promise<void>;
}

export function startMetricsServer({ port, host = '127.0.0.1', metrics, logger }: MetricsServerOptions): Promise<MetricsServer> {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (req.method !== 'GET' || path !== '/metrics') {
      res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8' }).end('Not found: GET /metrics\n');
      return;
    }
    metrics.registry.metrics().then(
      (text) => res.writeHead(200, { 'Content-Type': metrics.registry.contentType }).end(text),
      (err: unknown) => {
        logger?.error({ err }, 'metrics collection failed');
        res.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end('metrics collection failed\n');
      },
    );
  });
  const stop = () =>
    new Promise<void>((resolve, reject) => {
      server.close((err) => (err ? reject(err) : resolve()));
      // A scraper's keep-alive socket would hold close() open until it times out.
      server.closeAllConnections();
    });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const bound = (server.address() as AddressInfo).port;
      logger?.info({ port: bound, host }, 'metrics server listening (GET /metrics)');
      resolve({ port: bound, stop });
    });
  });
}
