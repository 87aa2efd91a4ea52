// The method guard against the real contract: 405 with Allow for an undocumented method, OPTIONS from the document.
import express from 'express';
import request from 'supertest';
import { buildOpenApi } from './build-openapi';
import { methodGuard } from './method-guard';

function appBehindGuard() {
  const app = express();
  app.use(methodGuard(buildOpenApi().paths as Record<string, object>));
  app.use((req, res) => {
    res.json({ reached: `${req.method} ${req.path}` });
  });
  return app;
}

describe('the method guard', () => {
  const app = appBehindGuard();

  it.each([
    ['trace', '/api/orders', 'GET, POST, HEAD, OPTIONS'],
    ['put', '/api/orders/3f1c2a5e-0000-4000-8000-000000000000', 'GET, HEAD, OPTIONS'],
    ['patch', '/api/admin/faults/payment', 'GET, POST, DELETE, HEAD, OPTIONS'],
    ['get', '/api/admin/faults/payment/rule-1', 'DELETE, OPTIONS'],
    ['delete', '/auth/token', 'POST, OPTIONS'],
  ] as const)('answers %s %s with 405 and the documented methods', async (method, path, allow) => {
    const response = await request(app)[method](path);
    expect(response.status).toBe(405);
    expect(response.headers.allow).toBe(allow);
    expect(response.body.error.code).toBe('METHOD_NOT_ALLOWED');
  });

  it('answers OPTIONS with the Allow list and no body', async () => {
    const response = await request(app).options('/api/payments');
    expect(response.status).toBe(204);
    expect(response.headers.allow).toBe('GET, HEAD, OPTIONS');
  });

  it('lets documented methods (and HEAD with GET) through, and paths it does not know', async () => {
    expect((await request(app).post('/api/orders')).body).toEqual({ reached: 'POST /api/orders' });
    expect((await request(app).head('/api/inventory/products')).status).toBe(200);
    expect((await request(app).put('/api/nothing-documented')).body).toEqual({ reached: 'PUT /api/nothing-documented' });
    expect((await request(app).trace('/health/live')).body).toEqual({ reached: 'TRACE /health/live' });
  });
});
