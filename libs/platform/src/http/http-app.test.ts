// createHttpApp, component-style with supertest: what clients and probes see.
import type { Express } from 'express';
import request from 'supertest';
import { createMetrics } from '@saga/metrics';
import { z } from 'zod';
import { ConflictError } from '../errors/app-error';
import { createLogger } from '../logging/create-logger';
import { createHttpApp, type HttpAppOptions } from './http-app';
import { createReadiness, type ReadinessReport } from './readiness';
import { requestContext } from './request-context';

function build(overrides: Partial<HttpAppOptions> = {}) {
  const lines: Record<string, unknown>[] = [];
  const logger = createLogger({
    service: 'order',
    level: 'debug',
    destination: { write: (line: string) => void lines.push(JSON.parse(line)) },
  });
  const routes = (app: Express) => {
    app.post('/echo', (req, res) => {
      res.json({ received: req.body, requestId: requestContext(res).requestId });
    });
    app.get('/conflict', async () => {
      await Promise.resolve();
      throw new ConflictError('Idempotency-Key reused', { code: 'IDEMPOTENCY_KEY_REUSED', details: { key: 'k1' } });
    });
    app.get('/crash', async () => {
      await Promise.resolve();
      throw new Error('db password=hunter2 at 10.0.0.5');
    });
    app.get('/things/:id', (req, res) => {
      res.json({ id: req.params.id, query: req.query });
    });
    app.get('/teapot', () => {
      throw Object.assign(new Error('internal detail at 10.0.0.5'), { status: 418 });
    });
    app.post('/validated', (req, res) => {
      res.json(z.object({ quantity: z.number().int().positive() }).parse(req.body));
    });
  };
  const readiness = async (): Promise<ReadinessReport> => ({ status: 'ready', checks: {} });
  const app = createHttpApp({ service: 'order', logger, readiness, routes, ...overrides });
  return { app, lines };
}

describe('createHttpApp: no client input produces a 5xx', () => {
  const errorShape = (code: string) => ({ error: { code, message: expect.any(String) } });

  it.each([
    ['a malformed percent-escape in a path parameter', '/things/%C0%AF', 'BAD_PATH'],
    ['a truncated percent-escape', '/things/%E0%A4%A', 'BAD_PATH'],
    ['a NUL in the path', '/things/a%00b', 'BAD_PATH'],
    ['a control character in the query', '/things/a?q=%01', 'INVALID_CHARACTERS'],
    ['a control character in a duplicated query parameter', '/things/a?q=ok&q=%7F', 'INVALID_CHARACTERS'],
  ])('%s -> 400', async (_what, path, code) => {
    const res = await request(build().app).get(path);
    expect(res.status).toBe(400);
    expect(res.body).toEqual(errorShape(code));
  });

  it.each([
    ['a body labelled gzip that is not gzip', { 'content-encoding': 'gzip' }, '{"a":1}', 400, 'BAD_REQUEST'],
    ['an unknown content-encoding', { 'content-encoding': 'br-nope' }, '{"a":1}', 415, 'UNSUPPORTED_CONTENT_ENCODING'],
    ['an unsupported charset', { 'content-type': 'application/json; charset=koi8-r' }, '{"a":1}', 415, 'UNSUPPORTED_CHARSET'],
    ['a NUL in a string', {}, '{"paymentToken":"tok\\u0000visa"}', 400, 'INVALID_CHARACTERS'],
    ['a control character in a key', {}, '{"a\\u001b":1}', 400, 'INVALID_CHARACTERS'],
    ['a body nested 40 levels deep', {}, '['.repeat(40) + ']'.repeat(40), 400, 'INVALID_CHARACTERS'],
    ['a body nested 5000 levels deep', {}, '['.repeat(5000) + ']'.repeat(5000), 400, 'INVALID_CHARACTERS'],
  ])('%s -> %i %s', async (_what, headers, body, status, code) => {
    const res = await request(build().app).post('/echo').set({ 'content-type': 'application/json', ...headers }).send(body);
    expect(res.status).toBe(status);
    expect(res.body).toEqual(errorShape(code));
  });

  it('keeps tabs, newlines and ordinary unicode; a __proto__ key is plain data', async () => {
    const res = await request(build().app).post('/echo').set('content-type', 'application/json').send('{"note":"a\\tb\\nc é ✓ 😀","__proto__":{"admin":true}}');
    expect(res.status).toBe(200);
    expect(res.body.received.note).toBe('a\tb\nc é ✓ 😀');
    expect(({} as { admin?: boolean }).admin).toBeUndefined();
  });

  it('any error carrying a 4xx status is that 4xx, without its internal message', async () => {
    const res = await request(build().app).get('/teapot');
    expect(res.status).toBe(418);
    expect(res.body).toEqual({ error: { code: 'BAD_REQUEST', message: 'Request rejected (418)' } });
  });
});

describe('createHttpApp', () => {
  it('answers the liveness probe', async () => {
    const res = await request(build().app).get('/health/live');
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ status: 'ok' });
  });

  it('is ready when every check passes', async () => {
    const readiness = createReadiness({ checks: { db: async () => undefined, broker: async () => 'pong' } });
    const res = await request(build({ readiness }).app).get('/health/ready');
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ status: 'ready', checks: { db: { status: 'up' }, broker: { status: 'up' } } });
  });

  it('answers 503 with the per-check report when a check fails or times out', async () => {
    let aborted = false;
    const readiness = createReadiness({
      timeoutMs: 20,
      checks: {
        db: async () => undefined,
        broker: async () => {
          throw new Error('connection refused');
        },
        cache: (signal) =>
          new Promise((_, reject) =>
            signal.addEventListener('abort', () => {
              aborted = true;
              reject(new Error('aborted'));
            }),
          ),
      },
    });
    const res = await request(build({ readiness }).app).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toEqual({
      status: 'not-ready',
      checks: {
        db: { status: 'up' },
        broker: { status: 'down', error: 'connection refused' },
        cache: { status: 'down', error: 'timed out after 20 ms' },
      },
    });
    expect(aborted).toBe(true);
  });

  it('answers 503 when the readiness function itself throws', async () => {
    const readiness = () => Promise.reject(new Error('bug'));
    const res = await request(build({ readiness }).app).get('/health/ready');
    expect(res.status).toBe(503);
    expect(res.body).toMatchObject({ status: 'not-ready', checks: { readiness: { status: 'down', error: 'bug' } } });
  });

  it('answers unknown routes with a 404 NOT_FOUND body', async () => {
    const res = await request(build().app).get('/nope');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ error: { code: 'NOT_FOUND', message: 'No route for GET /nope' } });
  });

  it('parses JSON bodies', async () => {
    const res = await request(build().app).post('/echo').send({ a: 1 });
    expect(res.status).toBe(200);
    expect(res.body.received).toEqual({ a: 1 });
  });

  it('rejects a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const res = await request(build({ bodyLimit: 1024 }).app)
      .post('/echo')
      .send({ blob: 'x'.repeat(2048) });
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('rejects malformed JSON with 400 MALFORMED_JSON', async () => {
    const res = await request(build().app).post('/echo').set('Content-Type', 'application/json').send('{"a": ');
    expect(res.status).toBe(400);
    expect(res.body).toEqual({ error: { code: 'MALFORMED_JSON', message: 'Malformed JSON in request body' } });
  });

  it('maps an AppError thrown by an async handler to its status and body', async () => {
    const res = await request(build().app).get('/conflict');
    expect(res.status).toBe(409);
    expect(res.body).toEqual({
      error: { code: 'IDEMPOTENCY_KEY_REUSED', message: 'Idempotency-Key reused', details: { key: 'k1' } },
    });
  });

  it('maps a zod error thrown by a handler to 400 VALIDATION_FAILED with details', async () => {
    const res = await request(build().app).post('/validated').send({ quantity: 0 });
    expect(res.status).toBe(400);
    expect(res.body.error).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'quantity' }] });
  });

  it('turns an unexpected rejection into a 500 that leaks nothing, and logs it', async () => {
    const { app, lines } = build();
    const res = await request(app).get('/crash').set('X-Request-Id', 'req-42');
    expect(res.status).toBe(500);
    expect(res.body).toEqual({ error: { code: 'INTERNAL', message: 'Internal server error' } });
    expect(res.text).not.toContain('hunter2');
    const logged = lines.find((l) => l.msg === 'unhandled error');
    expect(logged).toMatchObject({ level: 'error', service: 'order', requestId: 'req-42', path: '/crash' });
    expect(JSON.stringify(logged)).toContain('hunter2');
  });

  it('echoes a valid X-Request-Id and makes it available to handlers', async () => {
    const res = await request(build().app).post('/echo').set('X-Request-Id', 'abc-123').send({});
    expect(res.headers['x-request-id']).toBe('abc-123');
    expect(res.body.requestId).toBe('abc-123');
  });

  it('generates a request id when none (or an unsafe one) is given', async () => {
    const app = build().app;
    const none = await request(app).get('/health/live');
    const unsafe = await request(app).get('/nope').set('X-Request-Id', 'x'.repeat(500));
    for (const res of [none, unsafe]) expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    expect(none.headers['x-request-id']).not.toBe(unsafe.headers['x-request-id']);
  });

  it('logs each request with its request id', async () => {
    const { app, lines } = build();
    await request(app).get('/nope').set('X-Request-Id', 'r-1');
    expect(lines.find((l) => l.msg === 'request')).toMatchObject({
      level: 'info',
      requestId: 'r-1',
      method: 'GET',
      path: '/nope',
      status: 404,
    });
  });
});

describe('createHttpApp with metrics', () => {
  it('records HTTP RED per route template, probes and 404s included', async () => {
    const metrics = createMetrics({ service: 'order', defaultMetrics: false });
    const { app } = build({ metrics });
    await request(app).get('/things/a').expect(200);
    await request(app).get('/things/b').expect(200);
    await request(app).get('/health/live').expect(200);
    await request(app).get('/no/such/path').expect(404);
    await request(app).get('/conflict').expect(409);
    const text = await metrics.registry.metrics();
    expect(text).toContain('http_requests_total{service="order",method="GET",route="/things/:id",status="200"} 2');
    expect(text).toContain('http_requests_total{service="order",method="GET",route="/health/live",status="200"} 1');
    expect(text).toContain('http_requests_total{service="order",method="GET",route="unmatched",status="404"} 1');
    expect(text).toContain('http_requests_total{service="order",method="GET",route="/conflict",status="409"} 1');
  });
});
