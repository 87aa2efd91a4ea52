// Child process of route-naming.test.ts: tracing started before express is loaded, as a service does; an app with a
// mounted router, a labelled catch-all and no route for some paths serves a few requests to itself and prints the name
// and http.route of each request's server span, as JSON.
import type { Request, Response } from 'express';
import { startTracing } from '../start-tracing';

const tracing = startTracing({ serviceName: 'fixture', env: { TRACING_READ_SAMPLE_RATIO: '1' } });
// Loaded after startTracing, as in a service's main.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const express = require('express') as typeof import('express');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { labelRoute } = require('@saga/metrics') as typeof import('@saga/metrics');

const app = express();
const orders = express.Router();
orders.get('/:orderId', (_req: Request, res: Response) => void res.json({ ok: true }));
orders.post('/', (_req: Request, res: Response) => void res.status(201).json({ ok: true }));
app.use('/orders', orders);
app.get('/products', (_req: Request, res: Response) => void res.json([]));
// As the gateway's proxy: mounted with app.use, named by the code that handles it.
app.use('/api/payments', (_req: Request, res: Response) => {
  labelRoute(res, '/api/payments/*');
  res.json({ proxied: true });
});

const server = app.listen(0, '127.0.0.1', async () => {
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const requests: [string, string][] = [
    ['GET', '/orders/5b1c7e0e-4f1b-4c55-9d0e-1f0b2d3c4e5f'],
    ['POST', '/orders'],
    ['GET', '/products?limit=3'],
    ['GET', '/api/payments/by-order/42'],
    ['GET', '/no/such/path'],
  ];
  const seen: { request: string; name?: string; route?: unknown }[] = [];
  for (const [index, [method, path]] of requests.entries()) {
    const traceId = (index + 1).toString(16).padStart(32, 'a');
    await (await fetch(`${base}${path}`, { method, headers: { traceparent: `00-${traceId}-00f067aa0ba902b7-01` } })).arrayBuffer();
    // The server span ends as the response closes, just after the client has read it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    const serverSpan = tracing.store.spansOfTrace(traceId).find((span) => span.kind === 'server');
    seen.push({ request: `${method} ${path}`, name: serverSpan?.name, route: serverSpan?.attributes['http.route'] });
  }
  server.close();
  await tracing.shutdown();
  process.stdout.write(`${JSON.stringify({ seen })}\n`);
});
