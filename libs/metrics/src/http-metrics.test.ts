// HTTP RED: one series per route template (not per id), 404s as "unmatched", errors under their route.
import express from 'express';
import request from 'supertest';
import { createMetrics } from './metrics';
import { httpMetrics, labelRoute } from './http-metrics';

function appWith(metrics = createMetrics({ service: 'order', defaultMetrics: false })) {
  const app = express();
  app.use(httpMetrics(metrics));
  const router = express.Router();
  router.get('/:orderId', (req, res) => {
    res.json({ id: req.params.orderId });
  });
  app.use('/orders', router);
  app.get('/boom', () => {
    throw new Error('boom');
  });
  app.use('/api', (_req, res) => {
    labelRoute(res, '/api/orders/*');
    res.status(202).end();
  });
  return { app, metrics };
}

describe('httpMetrics', () => {
  it('records the route template: two order ids are one series', async () => {
    const { app, metrics } = appWith();
    await request(app).get('/orders/o-1').expect(200);
    await request(app).get('/orders/o-2').expect(200);
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_requests_total{service="order",method="GET",route="/orders/:orderId",status="200"} 2');
    expect(text).toContain('http_request_duration_seconds_count{service="order",method="GET",route="/orders/:orderId"} 2');
    expect(text).not.toMatch(/o-1|o-2/);
  });

  it('labels a request no route matched "unmatched", whatever its path', async () => {
    const { app, metrics } = appWith();
    await request(app).get('/nowhere/123').expect(404);
    await request(app).get('/elsewhere').expect(404);
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_requests_total{service="order",method="GET",route="unmatched",status="404"} 2');
    expect(text).not.toMatch(/nowhere|elsewhere/);
  });

  it('keeps a failing route under its template, and takes a label set by labelRoute', async () => {
    const { app, metrics } = appWith();
    await request(app).get('/boom').expect(500);
    await request(app).post('/api/orders/o-9').expect(202);
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_requests_total{service="order",method="GET",route="/boom",status="500"} 1');
    expect(text).toContain('http_requests_total{service="order",method="POST",route="/api/orders/*",status="202"} 1');
  });

  it('lets several services share one registry, each under its own service label', async () => {
    const shared = createMetrics({ service: 'embedded', defaultMetrics: false });
    const order = appWith(shared.forService('order')).app;
    const inventory = appWith(shared.forService('inventory')).app;
    await request(order).get('/orders/a').expect(200);
    await request(inventory).get('/orders/b').expect(200);
    const text = await shared.registry.metrics();
    expect(text).toContain('http_requests_total{service="order",method="GET",route="/orders/:orderId",status="200"} 1');
    expect(text).toContain('http_requests_total{service="inventory",method="GET",route="/orders/:orderId",status="200"} 1');
  });
});
