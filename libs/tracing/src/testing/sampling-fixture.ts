// Child process of untraced-requests.test.ts: tracing started before http is loaded, as a service does; serves a few
// requests to itself and prints, per request, whether its handler ran inside a recorded span, as JSON.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { startTracing } from '../start-tracing';
import { wasLeftUntraced } from '../untraced-requests';

const tracing = startTracing({ serviceName: 'fixture', env: { TRACING_READ_SAMPLE_RATIO: process.env.RATIO ?? '0' } });
// Loaded after startTracing, as in a service's main: the instrumentation patches http when it is required.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const http = require('node:http') as typeof import('node:http');
// eslint-disable-next-line @typescript-eslint/no-require-imports
const { trace } = require('@opentelemetry/api') as typeof import('@opentelemetry/api');

const seen: { request: string; recorded: boolean; leftUntraced: boolean }[] = [];
const server = http.createServer((request: IncomingMessage, response: ServerResponse) => {
  seen.push({ request: `${request.method} ${request.url}`, recorded: trace.getActiveSpan()?.isRecording() ?? false, leftUntraced: wasLeftUntraced(request) });
  response.end('ok');
});

server.listen(0, '127.0.0.1', async () => {
  const address = server.address();
  const base = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  const sampled = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';
  await fetch(`${base}/products`);
  await fetch(`${base}/orders`, { method: 'POST', body: '{}' });
  await fetch(`${base}/health/ready`);
  await fetch(`${base}/products?in-a-saga`, { headers: { traceparent: sampled } });
  server.close();
  await tracing.shutdown();
  process.stdout.write(`${JSON.stringify({ seen })}\n`);
});
