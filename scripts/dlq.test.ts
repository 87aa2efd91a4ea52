// `npm run dlq` against a fake gateway: what it prints, what it asks, and its exit codes.
import { runDlq, type Letter } from './dlq';

const letters: Letter[] = [
  { id: 'inventory:rabbitmq:1b2c', service: 'inventory', broker: 'rabbitmq', source: 'inventory.commands', type: 'ReserveStock', orderId: 'o-1', reason: 'HANDLER_FAILED after 8 attempts: boom', attempts: 8, deadLetteredAt: '2030-01-01T00:00:01.000Z', state: 'dead-lettered' },
  { id: 'payment:kafka:payment-service.dlt:0:4', service: 'payment', broker: 'kafka', source: 'orders.events.v1', reason: 'INVALID_ENVELOPE: not JSON', attempts: 0, deadLetteredAt: '2030-01-01T00:00:02.000Z', state: 'dead-lettered' },
];

/** A gateway that logs admin in, lists the letters above and re-drives them (the second one fails). */
function fakeGateway(options: { services?: Record<string, string>; loginStatus?: number } = {}) {
  const calls: string[] = [];
  const fetch = (async (url: string, init?: RequestInit) => {
    const { pathname, search } = new URL(url);
    calls.push(`${init?.method ?? 'GET'} ${pathname}${search} ${(init?.headers as Record<string, string> | undefined)?.authorization ?? ''}`.trim());
    const json = (status: number, body: unknown) => new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
    if (pathname === '/auth/token') return options.loginStatus ? json(options.loginStatus, { error: { code: 'INVALID_CREDENTIALS', message: 'no' } }) : json(200, { access_token: 'tok' });
    if (pathname === '/api/admin/dead-letters') return json(200, { items: letters, counts: { 'dead-lettered': 2, redriven: 0 }, services: options.services ?? { order: 'ok', inventory: 'ok', payment: 'ok', notification: 'ok' } });
    if (pathname.includes('payment')) return json(409, { error: { code: 'REDRIVE_TARGET_MISSING', message: 'queue gone' } });
    return json(202, { id: pathname.split('/')[4], outcome: 'redriven' });
  }) as typeof globalThis.fetch;
  return { fetch, calls };
}

const run = async (argv: string[], gateway = fakeGateway(), env: Record<string, string> = {}) => {
  const lines: string[] = [];
  const code = await runDlq(argv, { env: { GATEWAY_URL: 'http://gw:9000', ...env }, fetch: gateway.fetch, out: (line) => lines.push(line) });
  return { code, output: lines.join('\n'), calls: gateway.calls };
};

it('lists every letter with its id and reason, logging in as admin first', async () => {
  const { code, output, calls } = await run(['list']);
  expect(code).toBe(0);
  expect(output).toContain('inventory:rabbitmq:1b2c');
  expect(output).toContain('reason: HANDLER_FAILED after 8 attempts: boom');
  expect(output).toContain('order o-1');
  expect(output).toContain('2 dead-lettered, 0 re-driven');
  expect(calls).toEqual(['POST /auth/token', 'GET /api/admin/dead-letters?state=all Bearer tok']);
});

it('uses ADMIN_TOKEN when given, and fails (exit 1) when a service could not be read', async () => {
  const { code, output, calls } = await run(['list', '--service', 'payment', '--state', 'redriven'], fakeGateway({ services: { payment: 'unavailable (answered 503)' } }), { ADMIN_TOKEN: 'given' });
  expect(code).toBe(1);
  expect(output).toContain('not complete: payment unavailable (answered 503)');
  expect(calls).toEqual(['GET /api/admin/dead-letters?state=redriven&service=payment Bearer given']);
});

it('re-drives one, and exits 1 with the gateway\'s error when that fails', async () => {
  expect(await run(['redrive', 'inventory:rabbitmq:1b2c'])).toMatchObject({ code: 0, output: 're-driven        inventory:rabbitmq:1b2c' });
  const failed = await run(['redrive', 'payment:kafka:payment-service.dlt:0:4']);
  expect(failed).toMatchObject({ code: 1, output: expect.stringContaining('FAILED (409) payment:kafka:payment-service.dlt:0:4: REDRIVE_TARGET_MISSING queue gone') });
});

it('re-drives all the dead-lettered ones, reports each, and exits 1 if any failed', async () => {
  const { code, output, calls } = await run(['redrive-all']);
  expect(code).toBe(1);
  expect(output).toContain('1 of 2 dead letters re-driven, 1 failed');
  expect(calls.filter((call) => call.startsWith('POST /api/admin/dead-letters/'))).toHaveLength(2);
  expect(calls[1]).toBe('GET /api/admin/dead-letters?state=dead-lettered Bearer tok');
});

it('exits 2 with the usage on a wrong command, and 1 when the login is refused', async () => {
  expect((await run([])).code).toBe(2);
  expect((await run(['redrive'])).code).toBe(2);
  expect((await run(['list', '--bogus'])).code).toBe(2);
  const refused = await run(['list'], fakeGateway({ loginStatus: 401 }));
  expect(refused).toMatchObject({ code: 1, output: 'dlq: POST /auth/token answered 401: INVALID_CREDENTIALS no' });
});
