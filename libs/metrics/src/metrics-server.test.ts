// The scrape endpoint: GET /metrics in the registry's text format, 404 for anything else.
import request from 'supertest';
import { createMetrics } from './metrics';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { rateLimitMetrics } from './rate-limit-metrics';

describe('startMetricsServer', () => {
  let server: MetricsServer;
  const metrics = createMetrics({ service: 'gateway' });
  beforeAll(async () => {
    server = await startMetricsServer({ port: 0, metrics });
  });
  afterAll(() => server.stop());

  it('answers GET /metrics with the Prometheus text format', async () => {
    rateLimitMetrics(metrics).rejected('user');
    const res = await request(`http://127.0.0.1:${server.port}`).get('/metrics').expect(200);
    expect(res.headers['content-type']).toBe(metrics.registry.contentType);
    expect(res.text).toContain('rate_limit_rejections_total{service="gateway",limiter="user"} 1');
    expect(res.text).toContain('process_resident_memory_bytes{service="gateway"}');
  });

  it('answers 404 elsewhere', async () => {
    await request(`http://127.0.0.1:${server.port}`).get('/').expect(404);
    await request(`http://127.0.0.1:${server.port}`).post('/metrics').expect(404);
  });
});
