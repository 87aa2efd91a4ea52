// The hostile-client scenarios, written once and run against every deployment (multi-process and `npm start`):
// what a client may send on purpose (forged tokens, spoofed headers, walking out of a prefix, malformed bytes)
// gets a 4xx with the standard error body, never a 5xx, never someone else's data, never an open breaker for others.
import { request } from 'node:http';
import { generateKeyPair, SignJWT, UnsecuredJWT } from 'jose';
import { adminBearer, bearerFor } from '@saga/auth/testing';
import { login, waitForFinalOrder } from './gateway-client';
import type { GatewayTarget } from './gateway-scenarios';

interface Raw {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  body: unknown;
}

/** A raw HTTP call: the path goes out byte for byte (fetch would normalise `..` and re-encode). */
function raw(base: string, method: string, path: string, options: { headers?: Record<string, string>; body?: string | Buffer; localAddress?: string } = {}): Promise<Raw> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const body = options.body === undefined ? undefined : Buffer.from(options.body);
    const req = request(
      { host: url.hostname, port: url.port, method, path, localAddress: options.localAddress, timeout: 15_000, headers: { ...(body ? { 'content-length': String(body.length) } : {}), ...options.headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = text ? JSON.parse(text) : undefined;
          } catch {
            // keep the text
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body: parsed });
        });
      },
    );
    req.on('error', reject);
    req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
    req.end(body);
  });
}

/** The standard error body, a 4xx of the expected status, and the code when one is given. */
function expectClientError(answer: Raw, status: number | number[], code?: string | string[], what = ''): void {
  const context = `${what} -> ${answer.status} ${answer.text.slice(0, 300)}`;
  const statuses = Array.isArray(status) ? status : [status];
  expect({ context, fiveXX: answer.status >= 500, expectedStatus: statuses.includes(answer.status) }).toEqual({ context, fiveXX: false, expectedStatus: true });
  const error = (answer.body as { error?: { code?: unknown; message?: unknown; details?: unknown } } | undefined)?.error;
  const shape = typeof answer.body === 'object' && answer.body !== null && Object.keys(answer.body).join() === 'error' && typeof error?.code === 'string' && typeof error.message === 'string' && Object.keys(error).every((k) => ['code', 'message', 'details'].includes(k));
  expect({ context, standardErrorBody: shape }).toEqual({ context, standardErrorBody: true });
  if (code !== undefined) {
    const codes = Array.isArray(code) ? code : [code];
    expect({ context, expectedCode: codes.includes(String(error?.code)) }).toEqual({ context, expectedCode: true });
  }
}

const json = (value: unknown) => JSON.stringify(value);
const jsonHeaders = (authorization: string, extra: Record<string, string> = {}) => ({ authorization, 'content-type': 'application/json', ...extra });
/** A fresh loopback source address per use: the per-address limiters start at zero for it. */
const freshAddress = () => `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${1 + Math.floor(Math.random() * 250)}`;

/** Registers the suite; `target()` is read in each test (set up by the caller's beforeAll). */
export function describeHostileClientSuite(title: string, target: () => GatewayTarget): void {
  describe(title, () => {
    const run = `${Date.now().toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;
    // Users of their own (a fresh attacker per test): no per-user limit, this suite's or another's, gets in the way.
    let attackers = 0;
    let malloryId = '';
    let mallory = '';
    const victim = bearerFor(`victim-${run}`);
    const bystander = bearerFor(`bystander-${run}`);
    let gw: string;
    let victimOrderId: string;

    const withLogs = (fn: () => Promise<void>) => async () => {
      try {
        await fn();
      } catch (error) {
        if (error instanceof Error) error.message += `\n\n${target().describe()}`;
        throw error;
      }
    };

    beforeEach(() => {
      malloryId = `mallory-${run}-${++attackers}`;
      mallory = bearerFor(malloryId);
    });

    beforeAll(async () => {
      gw = target().gateways[0] as string;
      const placed = await raw(gw, 'POST', '/api/orders', { headers: jsonHeaders(victim), body: json({ items: [{ sku: 'SKU-BREAD', quantity: 1 }], paymentToken: 'tok_chargeDeclined' }) });
      if (placed.status !== 202) throw new Error(`victim's order: ${placed.status} ${placed.text}`);
      victimOrderId = (placed.body as { orderId: string }).orderId;
    });

    it('forged tokens: none, alg none, tampered, another key, expired, wrong issuer or audience, not a Bearer -> 401 with a challenge', withLogs(async () => {
      const now = Math.floor(Date.now() / 1000);
      const valid = mallory.slice('Bearer '.length);
      const [header, payload, signature] = valid.split('.') as [string, string, string];
      const elevated = Buffer.from(json({ ...JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')), roles: ['admin'] })).toString('base64url');
      const { privateKey } = await generateKeyPair('ES256');
      const claims = { sub: 'admin', roles: ['admin'] };
      const signed = (build: (jwt: SignJWT) => SignJWT) => build(new SignJWT(claims).setProtectedHeader({ alg: 'ES256', kid: 'attacker' }).setIssuedAt(now).setExpirationTime(now + 600)).sign(privateKey);
      const hmac = (key: string) => new SignJWT(claims).setProtectedHeader({ alg: 'HS256' }).setIssuedAt(now).setExpirationTime(now + 600).sign(new TextEncoder().encode(key));
      const cases: [string, string | undefined][] = [
        ['missing', undefined],
        ['alg none', `Bearer ${new UnsecuredJWT(claims).setIssuedAt(now).setExpirationTime(now + 600).encode()}`],
        ['tampered (roles raised, signature kept)', `Bearer ${header}.${elevated}.${signature}`],
        ['signature stripped', `Bearer ${header}.${payload}.`],
        ['another ES256 key', `Bearer ${await signed((j) => j)}`],
        ['HS256 with a guessed secret', `Bearer ${await hmac('dev-secret-change-me-dev-secret-change-me')}`],
        ['expired', `Bearer ${await signed((j) => j.setExpirationTime(now - 600))}`],
        ['wrong issuer', `Bearer ${await signed((j) => j.setIssuer('https://evil.example'))}`],
        ['wrong audience', `Bearer ${await signed((j) => j.setAudience('another-api'))}`],
        ['garbage', 'Bearer a.b.c'],
        ['Basic instead of Bearer', `Basic ${Buffer.from('admin:admin-secret').toString('base64')}`],
      ];
      for (const [what, authorization] of cases) {
        const answer = await raw(gw, 'GET', '/api/admin/orders?sagaStatus=RUNNING', { headers: authorization ? { authorization } : {} });
        expectClientError(answer, 401, undefined, what);
        expect(answer.headers['www-authenticate']).toMatch(/^Bearer/);
      }
    }));

    it('spoofed X-User-* headers are dropped: the token alone says who the caller is', withLogs(async () => {
      const spoof = { 'x-user-id': `victim-${run}`, 'x-user-roles': 'admin', 'x-user-sub': 'admin' };
      expectClientError(await raw(gw, 'GET', '/api/admin/orders?sagaStatus=RUNNING', { headers: { authorization: mallory, ...spoof } }), 403, 'FORBIDDEN');
      expectClientError(await raw(gw, 'GET', `/api/orders/${victimOrderId}`, { headers: { authorization: mallory, ...spoof } }), 404, 'ORDER_NOT_FOUND');
      const list = await raw(gw, 'GET', '/api/orders', { headers: { authorization: mallory, ...spoof } });
      expect(list.status).toBe(200);
      expect(list.text).not.toContain(victimOrderId);
      expectClientError(await raw(gw, 'GET', '/api/orders', { headers: spoof }), 401);
    }));

    it('path traversal, encoded slashes and double slashes never leave the routed prefix; /api/inventory is the catalog only', withLogs(async () => {
      const paths = [
        '/api/orders/../health/ready',
        '/api/orders/%2e%2e/health/ready',
        '/api/orders/.%2E/admin/replay',
        '/api/orders/%2F..%2Fhealth%2Fready',
        '/api/orders/..%5Chealth',
        '/api/orders//health/ready',
        '/api/payments/%2fadmin%2freconcile',
        '/api/notifications/..%2f..%2fadmin',
        '/api/inventory/health/ready',
        '/api/inventory/health/live',
        '/api/inventory/admin/restock',
        '/api/inventory/admin/faults',
        '/api/inventory/admin/outbox',
        '/api/inventory',
        '/api/inventory/products/SKU-APPLE/../../health/ready',
      ];
      for (const path of paths) {
        const answer = await raw(gw, 'GET', path, { headers: { authorization: mallory } });
        expectClientError(answer, [400, 404], undefined, path);
      }
      expect((await raw(gw, 'GET', '/api/inventory/products', { headers: { authorization: mallory } })).status).toBe(200);
    }));

    it('admin routes are 403 for a customer', withLogs(async () => {
      const routes: [string, string][] = [
        ['GET', '/api/admin/orders?sagaStatus=RUNNING'],
        ['POST', '/api/admin/replay'],
        ['POST', '/api/admin/restock'],
        ['GET', '/api/admin/faults/order'],
        ['GET', '/api/admin/outbox/payment'],
        ['GET', '/api/admin/dead-letters'],
        ['POST', '/api/admin/reconcile'],
      ];
      for (const [method, path] of routes) {
        const answer = await raw(gw, method, path, { headers: jsonHeaders(mallory), ...(method === 'POST' ? { body: '{}' } : {}) });
        expectClientError(answer, 403, 'FORBIDDEN', path);
      }
      // A method the contract does not list is 405 with the Allow list, for anyone (the contract is public anyway).
      const wrongMethod = await raw(gw, 'GET', '/api/admin/reconcile', { headers: { authorization: mallory } });
      expectClientError(wrongMethod, 405, 'METHOD_NOT_ALLOWED', 'GET /api/admin/reconcile');
      expect(wrongMethod.headers.allow).toBe('POST, OPTIONS');
    }));

    it("another customer's order, payment and notifications are not there for them", withLogs(async () => {
      expectClientError(await raw(gw, 'GET', `/api/orders/${victimOrderId}`, { headers: { authorization: mallory } }), 404, 'ORDER_NOT_FOUND');
      expectClientError(await raw(gw, 'GET', `/api/orders/${victimOrderId}/timeline`, { headers: { authorization: mallory } }), 404, 'ORDER_NOT_FOUND');
      for (const path of [`/api/payments?orderId=${victimOrderId}`, `/api/notifications?orderId=${victimOrderId}`]) {
        const answer = await raw(gw, 'GET', path, { headers: { authorization: mallory } });
        expect({ path, status: answer.status, body: answer.body }).toEqual({ path, status: 200, body: { items: [] } });
      }
    }));

    it('mass assignment: owner, status, total and id in the body are refused by name, and nothing is placed', withLogs(async () => {
      const forgedId = '00000000-0000-4000-8000-000000000000';
      const ordersOf = async (token: string) => ((await raw(gw, 'GET', '/api/orders?limit=100', { headers: { authorization: token } })).body as { items: unknown[] }).items.length;
      const before = { mallory: await ordersOf(mallory), victim: await ordersOf(victim) };
      const answer = await raw(gw, 'POST', '/api/orders', {
        headers: jsonHeaders(mallory),
        body: json({ items: [{ sku: 'SKU-APPLE', quantity: 1 }], customerId: `victim-${run}`, status: 'APPROVED', totalCents: 1, orderId: forgedId, sagaStatus: 'APPROVED', roles: ['admin'] }),
      });
      expectClientError(answer, 400, 'VALIDATION_FAILED', 'a body with forged fields');
      const details = JSON.stringify((answer.body as { error: { details?: unknown } }).error.details);
      for (const field of ['customerId', 'status', 'totalCents', 'orderId', 'roles']) expect(details).toContain(field);
      expect({ mallory: await ordersOf(mallory), victim: await ordersOf(victim) }).toEqual(before);
      expectClientError(await raw(gw, 'GET', `/api/orders/${forgedId}`, { headers: { authorization: mallory } }), 404, 'ORDER_NOT_FOUND');
    }));

    it('malformed input is a 4xx, never a 5xx: escapes, encodings, charsets, cursors, control characters, types, sizes', withLogs(async () => {
      const forgedCursor = (id: string) => `1767225600000.${id}`;
      const order = (body: unknown, extra: Record<string, string> = {}) => ({ headers: jsonHeaders(mallory, extra), body: typeof body === 'string' ? body : json(body) });
      const line = { sku: 'SKU-APPLE', quantity: 1 };
      const cases: [string, string, string, Parameters<typeof raw>[3], number | number[], (string | string[])?][] = [
        ['malformed percent-escape in a path parameter', 'GET', '/api/orders/%C0%AF', { headers: { authorization: mallory } }, 400, 'BAD_PATH'],
        ['truncated percent-escape', 'GET', '/api/inventory/products/%E0%A4%A', { headers: { authorization: mallory } }, 400, 'BAD_PATH'],
        ['NUL in a path parameter', 'GET', '/api/inventory/products/SKU%00', { headers: { authorization: mallory } }, 400, 'BAD_PATH'],
        ['a body labelled gzip that is not gzip', 'POST', '/api/orders', order({ items: [line] }, { 'content-encoding': 'gzip' }), 400],
        ['an unknown content-encoding', 'POST', '/api/orders', order({ items: [line] }, { 'content-encoding': 'x-nope' }), 415, 'UNSUPPORTED_CONTENT_ENCODING'],
        ['an unsupported charset', 'POST', '/api/orders', order({ items: [line] }, { 'content-type': 'application/json; charset=koi8-r' }), 415, 'UNSUPPORTED_CHARSET'],
        ['an unsupported charset at /auth/token', 'POST', '/auth/token', { headers: { 'content-type': 'application/json; charset=latin1' }, body: json({ username: 'alice', password: 'x' }) }, 415, 'UNSUPPORTED_CHARSET'],
        ['a body labelled gzip that is not gzip at /auth/token', 'POST', '/auth/token', { headers: { 'content-type': 'application/json', 'content-encoding': 'gzip' }, body: json({ username: 'alice' }) }, 400],
        ['malformed JSON', 'POST', '/api/orders', order('{"items":[{"sku":'), 400, 'MALFORMED_JSON'],
        ['a forged 36-character cursor', 'GET', `/api/orders?cursor=${forgedCursor('-'.repeat(36))}`, { headers: { authorization: mallory } }, 400, 'VALIDATION_FAILED'],
        ['a forged cursor with a non-hex id', 'GET', `/api/orders?cursor=${forgedCursor('zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz')}`, { headers: { authorization: mallory } }, 400, 'VALIDATION_FAILED'],
        ['a cursor past the year 9999 (was a 500)', 'GET', `/api/orders?cursor=${forgedCursor('924d31df-f3fd-e41f-d298-80ca745f129a').replace(/^\d+/, '436611653492478')}`, { headers: { authorization: mallory } }, 400, 'VALIDATION_FAILED'],
        ['a cursor in the old base64 format', 'GET', `/api/orders?cursor=${Buffer.from(`2026-01-01T00:00:00.000Z|${'0'.repeat(36)}`).toString('base64url')}`, { headers: { authorization: mallory } }, 400, 'VALIDATION_FAILED'],
        ['a cursor that is not UTF-8', 'GET', '/api/orders?cursor=%FF%FE', { headers: { authorization: mallory } }, 400],
        ['an Idempotency-Key with a C1 control byte (was accepted)', 'POST', '/api/orders', order({ items: [line] }, { 'idempotency-key': 'key\u0085one' }), 400, 'INVALID_IDEMPOTENCY_KEY'],
        ['a duplicated cursor', 'GET', '/api/orders?cursor=a&cursor=b', { headers: { authorization: mallory } }, 400, 'VALIDATION_FAILED'],
        ['a huge limit', 'GET', '/api/orders?limit=1e400', { headers: { authorization: mallory } }, 400, 'VALIDATION_FAILED'],
        ['a duplicated orderId', 'GET', '/api/payments?orderId=a&orderId=b', { headers: { authorization: mallory } }, 400],
        ['a NUL in the orderId query', 'GET', '/api/notifications?orderId=%00', { headers: { authorization: mallory } }, 400],
        ['a NUL in paymentToken', 'POST', '/api/orders', order({ items: [line], paymentToken: 'tok_visa\u0000' }), 400, ['INVALID_CHARACTERS', 'VALIDATION_FAILED']],
        ['a bidi override in a sku', 'POST', '/api/orders', order({ items: [{ sku: 'SKU-\u202EELPPA', quantity: 1 }] }), [400, 422]],
        ['an array for paymentToken', 'POST', '/api/orders', order({ items: [line], paymentToken: ['tok_visa'] }), 400, 'VALIDATION_FAILED'],
        ['a huge quantity', 'POST', '/api/orders', order({ items: [{ sku: 'SKU-APPLE', quantity: 1e308 }] }), 400, 'VALIDATION_FAILED'],
        ['a fractional quantity', 'POST', '/api/orders', order({ items: [{ sku: 'SKU-APPLE', quantity: 0.5 }] }), 400, 'VALIDATION_FAILED'],
        ['an object for items', 'POST', '/api/orders', order({ items: { 0: line, length: 1 } }), 400, 'VALIDATION_FAILED'],
        ['a 20 000-character sku', 'POST', '/api/orders', order({ items: [{ sku: 'S'.repeat(20_000), quantity: 1 }] }), [400, 422]],
        ['a 1 000-character Idempotency-Key', 'POST', '/api/orders', order({ items: [line] }, { 'idempotency-key': 'k'.repeat(1000) }), 400, 'INVALID_IDEMPOTENCY_KEY'],
        ['a body nested 10 000 levels deep', 'POST', '/api/orders', order('['.repeat(10_000) + ']'.repeat(10_000)), 400],
        ['a NUL in the username', 'POST', '/auth/token', { headers: { 'content-type': 'application/json' }, body: json({ username: 'alice\u0000', password: 'x' }) }, 400, 'INVALID_CHARACTERS'],
        ['an array for the username', 'POST', '/auth/token', { headers: { 'content-type': 'application/json' }, body: json({ username: ['alice'], password: 'x' }) }, 400, 'VALIDATION_FAILED'],
      ];
      for (const [what, method, path, options, status, code] of cases) {
        const answer = await raw(gw, method, path, options);
        expectClientError(answer, status, code, what);
      }
      // A prototype key is refused like any unknown field (and elevates nothing on the way: the next call is still mallory's).
      const proto = await raw(gw, 'POST', '/api/orders', order(`{"__proto__":{"roles":["admin"],"customerId":"victim-${run}"},"items":[{"sku":"SKU-APPLE","quantity":1}]}`));
      expectClientError(proto, 400, 'VALIDATION_FAILED', 'a __proto__ key');
      const placed = await raw(gw, 'POST', '/api/orders', order({ items: [line] }));
      expect(placed.status).toBe(202);
      expect((await raw(gw, 'GET', `/api/orders/${(placed.body as { orderId: string }).orderId}`, { headers: { authorization: mallory } })).body).toMatchObject({ customerId: malloryId });
      expectClientError(await raw(gw, 'POST', '/api/admin/replay', { headers: jsonHeaders(mallory), body: '{}' }), 403, 'FORBIDDEN', 'admin after __proto__');
    }));

    it('413 for a body over the limit', withLogs(async () => {
      const answer = await raw(gw, 'POST', '/api/orders', { headers: jsonHeaders(mallory), body: json({ items: [{ sku: 'SKU-APPLE', quantity: 1 }], pad: 'x'.repeat(300 * 1024) }) });
      expectClientError(answer, 413, 'PAYLOAD_TOO_LARGE');
    }));

    it("one customer's malformed requests do not open the breaker every customer shares", withLogs(async () => {
      const cursor = `1767225600000.${'-'.repeat(36)}`;
      for (let i = 0; i < 8; i++) {
        const attempts = [
          raw(gw, 'GET', `/api/orders?cursor=${cursor}`, { headers: { authorization: mallory } }),
          raw(gw, 'POST', '/api/orders', { headers: jsonHeaders(mallory, { 'content-encoding': 'gzip' }), body: '{"not":"gzip"}' }),
          raw(gw, 'POST', '/api/orders', { headers: jsonHeaders(mallory), body: json({ items: [{ sku: 'SKU-APPLE', quantity: 1 }], paymentToken: 'tok\u0000' }) }),
        ];
        for (const answer of await Promise.all(attempts)) expect(answer.status).toBeLessThan(500);
      }
      for (const path of ['/api/orders', '/api/inventory/products']) {
        const answer = await raw(gw, 'GET', path, { headers: { authorization: bystander } });
        expect({ path, status: answer.status }).toEqual({ path, status: 200 });
      }
    }));

    it('customer bodies carry no internal error text and no payment token', withLogs(async () => {
      const final = await waitForFinalOrder(gw, victim, victimOrderId, 60_000);
      expect(final.status).toBe('CANCELLED');
      const order = await raw(gw, 'GET', `/api/orders/${victimOrderId}`, { headers: { authorization: victim } });
      const timeline = await raw(gw, 'GET', `/api/orders/${victimOrderId}/timeline`, { headers: { authorization: victim } });
      const payments = await raw(gw, 'GET', `/api/payments?orderId=${victimOrderId}`, { headers: { authorization: victim } });
      const notifications = await raw(gw, 'GET', `/api/notifications?orderId=${victimOrderId}`, { headers: { authorization: victim } });
      for (const answer of [order, timeline, payments, notifications]) {
        expect(answer.status).toBe(200);
        expect(answer.text).not.toContain('tok_chargeDeclined');
        expect(answer.text).not.toContain('lastError');
        expect(answer.text).not.toContain('failureMessage');
      }
      const failed = (order.body as { history: { step: string; status: string; detail?: string }[] }).history.find((h) => h.step === 'CHARGE_PAYMENT' && h.status === 'FAILED');
      expect(failed?.detail).toBe('DECLINED');
      expect((payments.body as { items: { failureReason?: string }[] }).items[0]?.failureReason).toBe('DECLINED');
      // An operator still sees the details.
      const asAdmin = await raw(gw, 'GET', `/api/payments?orderId=${victimOrderId}`, { headers: { authorization: adminBearer() } });
      expect(asAdmin.text).toContain('failureMessage');
    }));

    it('requests without a valid token are rate-limited per client address before authentication', withLogs(async () => {
      const { gateways, rateLimitMax } = target();
      const from = freshAddress();
      // All at once: the burst fits in one window (a window boundary in the middle could only lower the 429 count).
      const answers = await Promise.all(
        Array.from({ length: rateLimitMax + 5 }, (_, i) => raw(gateways[i % gateways.length] as string, 'GET', '/api/orders', { localAddress: from, headers: i % 2 ? { authorization: 'Bearer forged.token.value' } : {} })),
      );
      for (const answer of answers) expectClientError(answer, [401, 429], answer.status === 429 ? 'RATE_LIMITED' : undefined);
      expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(1);
      expect(answers.filter((a) => a.status === 401).length).toBeLessThanOrEqual(rateLimitMax);
      // A valid token from that address is not charged to it.
      expect((await raw(gw, 'GET', '/api/orders', { localAddress: from, headers: { authorization: bystander } })).status).toBe(200);
    }));

    it('the login limiter is keyed on address and username: guessing one name locks out nobody else behind that address', withLogs(async () => {
      const { gateways, authRateLimitMax } = target();
      const from = freshAddress();
      const answers = await Promise.all(
        Array.from({ length: authRateLimitMax + 3 }, (_, i) => raw(gateways[i % gateways.length] as string, 'POST', '/auth/token', { localAddress: from, headers: { 'content-type': 'application/json' }, body: json({ username: 'bob', password: `guess-${i}` }) })),
      );
      for (const answer of answers) expectClientError(answer, [401, 429]);
      expect(answers.filter((a) => a.status === 429).length).toBeGreaterThanOrEqual(1);
      const account = target().accounts?.login ?? { username: 'alice', password: 'alice-secret' };
      const other = await raw(gw, 'POST', '/auth/token', { localAddress: from, headers: { 'content-type': 'application/json' }, body: json(account) });
      expect(other.status).toBe(200);
      await expect(login(gw, account.username, account.password)).resolves.toMatch(/^Bearer /);
    }));
  });
}
