// End to end in a child process (the instrumentation patches http as it is loaded): a server span is named by the
// route template express matched, as the HTTP metrics label it, never by the raw path.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

test('server spans carry the method and route template, and no name or route when nothing matched', () => {
  const root = join(__dirname, '../../..');
  const output = execFileSync(process.execPath, ['-r', join(root, 'scripts/ts-register.js'), join(__dirname, 'testing/route-naming-fixture.ts')], {
    cwd: root,
    env: { PATH: process.env.PATH ?? '' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  const { seen } = JSON.parse(output.trim().split('\n').at(-1) as string) as { seen: unknown[] };
  expect(seen).toEqual([
    { request: 'GET /orders/5b1c7e0e-4f1b-4c55-9d0e-1f0b2d3c4e5f', name: 'GET /orders/:orderId', route: '/orders/:orderId' },
    { request: 'POST /orders', name: 'POST /orders/', route: '/orders/' },
    { request: 'GET /products?limit=3', name: 'GET /products', route: '/products' },
    { request: 'GET /api/payments/by-order/42', name: 'GET /api/payments/*', route: '/api/payments/*' },
    { request: 'GET /no/such/path', name: 'GET' },
  ]);
}, 40_000);
