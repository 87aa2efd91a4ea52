// HTTP RED per route template (never a raw path: ids would make a series per order), method and status code.
import type { Request, RequestHandler, Response } from 'express';
import { counterOf, histogramOf, requestBuckets, type Metrics } from './metrics';

/** The label of a request no route matched (404s, probes of random paths): one series, whatever the path. */
export const UNMATCHED_ROUTE = 'unmatched';

const routeKey = 'metricsRoute';

/**
 * Names the route of a request express did not route itself (the gateway's proxy, mounted with app.use): a template
 * such as `/api/orders/*`, never the path.
 */
export function labelRoute(res: Response, template: string): void {
  res.locals[routeKey] = template;
}

/**
 * The route template a request was answered by (`/orders/:id`, the gateway's `/api/orders/*`), or UNMATCHED_ROUTE.
 * Read when the response ends; tracing names its server spans with it too.
 */
export function routeTemplateOf(req: Pick<Request, 'route' | 'baseUrl'>, res: Pick<Response, 'locals'>): string {
  // res.locals is express's: a response express never saw (a plain http server) has none.
  const named: unknown = res.locals?.[routeKey];
  if (typeof named === 'string') return named;
  // Read when the response ends: the matched route's own path under the router it was mounted on.
  const path: unknown = (req.route as { path?: unknown } | undefined)?.path;
  if (path === undefined) return UNMATCHED_ROUTE;
  // baseUrl is undefined once an error left the app (no router kept it); the app itself is mounted at "".
  return `${req.baseUrl ?? ''}${typeof path === 'string' ? path : String(path)}`;
}

export function httpMetrics(metrics: Metrics): RequestHandler {
  const requests = counterOf(metrics, { name: 'http_requests_total', help: 'HTTP requests answered, by route template, method and status code.', labelNames: ['method', 'route', 'status'] });
  const duration = histogramOf(metrics, { name: 'http_request_duration_seconds', help: 'Time to answer an HTTP request, by route template and method.', labelNames: ['method', 'route'], buckets: requestBuckets });
  return (req, res, next) => {
    const started = process.hrtime.bigint();
    res.once('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const labels = { service: metrics.service, method: req.method, route: routeTemplateOf(req, res) };
      requests.inc({ ...labels, status: String(res.statusCode) });
      duration.observe(labels, seconds);
    });
    next();
  };
}
