// The express app every service starts from: request ids, health endpoints, JSON parsing, the input guard, 404 and one error handler.
import express, { type Express } from 'express';
import { httpMetrics, type Metrics } from '@saga/metrics';
import { NotFoundError } from '../errors/app-error';
import type { Logger } from '../logging/create-logger';
import { errorHandler } from './error-handler';
import type { ReadinessReport } from './readiness';
import { requestContextMiddleware } from './request-context';
import { rejectUnsafeInput } from './safe-input';

export interface HttpAppOptions {
  service: string;
  logger: Logger;
  /** Usually built with createReadiness(); a throw counts as not ready. */
  readiness: () => Promise<ReadinessReport>;
  /** Mounts the service's routes. Async handlers may throw: express 5 forwards rejections to the error handler. */
  routes: (app: Express) => void;
  /** Largest accepted JSON body (bytes or a string like '100kb'). Default '100kb'. */
  bodyLimit?: number | string;
  /** Given: HTTP RED (http_requests_total, http_request_duration_seconds) per route template, into its registry. */
  metrics?: Metrics;
}

export function createHttpApp({ service, logger, readiness, routes, bodyLimit = '100kb', metrics }: HttpAppOptions): Express {
  const app = express();
  app.disable('x-powered-by');
  // First, so every answer is counted: probes, 404s and the error handler's too.
  if (metrics) app.use(httpMetrics(metrics));
  app.use(requestContextMiddleware(logger));

  // Health endpoints come before body parsing: probes carry no body and should stay cheap.
  app.get('/health/live', (_req, res) => {
    res.json({ status: 'ok', service });
  });
  app.get('/health/ready', async (_req, res) => {
    let report: ReadinessReport;
    try {
      report = await readiness();
    } catch (err) {
      const error = err instanceof Error ? err.message : String(err);
      report = { status: 'not-ready', checks: { readiness: { status: 'down', error } } };
    }
    res.status(report.status === 'ready' ? 200 : 503).json(report);
  });

  app.use(express.json({ limit: bodyLimit }));
  app.use(rejectUnsafeInput());
  routes(app);

  app.use((req, _res, next) => {
    next(new NotFoundError(`No route for ${req.method} ${req.path}`));
  });
  app.use(errorHandler(logger));
  return app;
}
