// The gateway end-to-end scenarios, written once and run against every way the platform is deployed: its own
// processes on the real brokers (two gateway replicas sharing Redis) and `npm start`'s single embedded process.
import { signTestToken } from '@saga/auth/testing';
import { eventually } from '@saga/resilience';
import { gatewayCall, login, loginAttemptFrom, waitForFinalOrder, type ErrorBody } from './gateway-client';

interface LedgerItem {
  chargeId: string;
  orderId: string | null;
  amountCents: number;
  refundedCents: number;
  status: string;
}

export interface GatewayTarget {
  /** Gateway base URLs; with two, they are replicas sharing one rate limit (Redis). */
  gateways: string[];
  /** RATE_LIMIT_MAX per user per window the gateways were started with. */
  rateLimitMax: number;
  /** AUTH_RATE_LIMIT_MAX per IP for /auth/token. */
  authRateLimitMax: number;
  /** Takes the inventory service away from the gateway (a SIGKILL, or a cut network) and brings it back. */
  inventoryOutage: {
    what: string;
    begin(): Promise<void>;
    end(): Promise<void>;
    /**
     * How the gateway stops calling it: its breaker opens (static URLs, or an instance that stays registered), or the
     * registry drops the stopped instance (it deregisters on the way out) and nothing is called at all.
     */
    skippedBy?: 'breaker' | 'registry';
  };
  /**
   * After a crash-after-commit fault rule fired in payment: a process that SIGKILLed itself is restarted (as its
   * supervisor would), so its unacknowledged message is redelivered; the embedded platform throws instead and needs nothing.
   */
  reviveAfterCrash(): Promise<void>;
  /** Shown when a scenario fails: where the logs are. */
  describe(): string;
  /**
   * Who may log in at /auth/token here: the demo users in the local modes (the default); a deployment without them
   * (docker compose) names its admin and gives the suite tokens for alice and bob signed with the gateway's own key.
   */
  accounts?: { login: { username: string; password: string }; alice: string; bob: string; admin: string };
}

interface Product {
  sku: string;
  priceCents: number;
  available: number;
}
interface PlacedOrder {
  orderId: string;
  status: string;
  sagaMode: string;
  totalCents: number;
}

const bearer = (claims: Record<string, unknown>, options?: { secret?: string; alg?: string }) => `Bearer ${signTestToken(claims, options)}`;

/** Registers the suite; `target()` is read in each test (it is set up by the caller's beforeAll). */
export function describeGatewaySuite(title: string, target: () => GatewayTarget): void {
  describe(title, () => {
    let gw: string;
    let alice: string;
    let bob: string;
    let admin: string;
    const placed: Record<string, PlacedOrder> = {};

    const withLogs = <T>(fn: () => Promise<T>) => async () => {
      try {
        await fn();
      } catch (error) {
        if (error instanceof Error) error.message += `\n\n${target().describe()}`;
        throw error;
      }
    };

    beforeAll(async () => {
      gw = target().gateways[0] as string;
      // Each user logs in once: /auth/token has its own, stricter per-IP limit, tested last.
      const accounts = target().accounts;
      [alice, bob, admin] = accounts
        ? [accounts.alice, accounts.bob, accounts.admin]
        : await Promise.all([login(gw, 'alice', 'alice-secret'), login(gw, 'bob', 'bob-secret'), login(gw, 'admin', 'admin-secret')]);
    });

    it('login, list products, place an order in each saga mode, read them back with their payment and notification', withLogs(async () => {
      const products = await gatewayCall<{ items: Product[] }>(gw, 'GET', '/api/inventory/products', { authorization: alice });
      expect(products.status).toBe(200);
      expect(products.body.items.map((p) => p.sku)).toEqual(expect.arrayContaining(['SKU-APPLE', 'SKU-BREAD']));
      const apple = products.body.items.find((p) => p.sku === 'SKU-APPLE') as Product;

      for (const sagaMode of ['orchestration', 'choreography'] as const) {
        const answer = await gatewayCall<PlacedOrder>(gw, 'POST', '/api/orders', { authorization: alice, body: { items: [{ sku: 'SKU-APPLE', quantity: 2 }], sagaMode } });
        expect(answer.status).toBe(202);
        expect(answer.body).toMatchObject({ status: 'PENDING', sagaMode, totalCents: 2 * apple.priceCents });
        expect(answer.headers.get('x-request-id')).toMatch(/.+/);
        placed[sagaMode] = answer.body;
      }
      for (const sagaMode of ['orchestration', 'choreography'] as const) {
        const order = placed[sagaMode] as PlacedOrder;
        expect(await waitForFinalOrder(gw, alice, order.orderId, 30_000)).toMatchObject({ orderId: order.orderId, status: 'APPROVED', sagaMode });
        const payments = await gatewayCall<{ items: unknown[] }>(gw, 'GET', `/api/payments?orderId=${order.orderId}`, { authorization: alice });
        expect(payments.body.items).toEqual([expect.objectContaining({ orderId: order.orderId, customerId: 'alice', status: 'CHARGED', amountCents: order.totalCents })]);
        await eventually(async () => {
          const notices = await gatewayCall<{ items: unknown[] }>(gw, 'GET', `/api/notifications?orderId=${order.orderId}`, { authorization: alice });
          expect(notices.body.items).toEqual([expect.objectContaining({ orderId: order.orderId, kind: 'ORDER_CONFIRMED' })]);
        }, 15_000, 200);
      }
      const mine = await gatewayCall<{ items: { orderId: string }[] }>(gw, 'GET', '/api/orders', { authorization: alice });
      expect(mine.body.items.map((o) => o.orderId)).toEqual(expect.arrayContaining(Object.values(placed).map((o) => o.orderId)));
      const stock = await gatewayCall<Product>(gw, 'GET', '/api/inventory/products/SKU-APPLE', { authorization: alice });
      expect(stock.body.available).toBe(apple.available - 4);
    }));

    it('401 with a WWW-Authenticate challenge for a missing, wrong, expired, unsigned (alg none) or forged token', withLogs(async () => {
      const wrongPassword = await gatewayCall<ErrorBody>(gw, 'POST', '/auth/token', { body: { username: 'alice', password: 'not-her-password' } });
      expect([wrongPassword.status, wrongPassword.body.error.code]).toEqual([401, 'INVALID_CREDENTIALS']);

      const now = Math.floor(Date.now() / 1000);
      const [, payload] = signTestToken({ sub: 'alice', roles: ['admin'] }).split('.');
      const unsigned = `Bearer ${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
      const cases: [string, string | undefined, string][] = [
        ['no token', undefined, 'MISSING_TOKEN'],
        ['not a JWT', 'Bearer not-a-token', 'INVALID_TOKEN'],
        ['expired', bearer({ sub: 'alice', roles: ['customer'], iat: now - 3600, nbf: now - 3600, exp: now - 600 }), 'INVALID_TOKEN'],
        ['alg none', unsigned, 'INVALID_TOKEN'],
        ['forged (another key)', bearer({ sub: 'alice', roles: ['admin'] }, { secret: 'not-the-gateway-secret-but-long-enough' }), 'INVALID_TOKEN'],
        ['wrong audience', bearer({ sub: 'alice', roles: ['customer'], aud: 'another-api' }), 'INVALID_TOKEN'],
      ];
      for (const [what, authorization, code] of cases) {
        const answer = await gatewayCall<ErrorBody>(gw, 'GET', '/api/orders', { ...(authorization ? { authorization } : {}) });
        expect({ what, status: answer.status, code: answer.body.error.code }).toEqual({ what, status: 401, code });
        expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer realm="saga-api"/);
      }
    }));

    it('a customer gets 403 on every admin route; an admin gets through', withLogs(async () => {
      for (const [method, path] of [['POST', '/api/admin/replay'], ['POST', '/api/admin/restock'], ['GET', '/api/admin/faults/payment']] as const) {
        const answer = await gatewayCall<ErrorBody>(gw, method, path, { authorization: alice, body: method === 'POST' ? { sku: 'SKU-TEA', quantity: 1 } : undefined });
        expect({ path, status: answer.status, code: answer.body.error.code }).toEqual({ path, status: 403, code: 'FORBIDDEN' });
      }
      // Identity headers from the client count for nothing: the token decides.
      const spoofed = await gatewayCall<ErrorBody>(gw, 'POST', '/api/admin/restock', { authorization: alice, headers: { 'x-user-roles': 'admin', 'x-user-id': 'admin' }, body: { sku: 'SKU-TEA', quantity: 1 } });
      expect(spoofed.status).toBe(403);
      const restocked = await gatewayCall<Product>(gw, 'POST', '/api/admin/restock', { authorization: admin, body: { sku: 'SKU-TEA', quantity: 5 } });
      expect(restocked.status).toBe(200);
      expect(restocked.body).toMatchObject({ sku: 'SKU-TEA' });
    }));

    it("another customer's order is 404 for them, and its payment and notifications are not shown", withLogs(async () => {
      const order = await gatewayCall<PlacedOrder>(gw, 'POST', '/api/orders', { authorization: alice, body: { items: [{ sku: 'SKU-BREAD', quantity: 1 }] } });
      expect(order.status).toBe(202);
      await waitForFinalOrder(gw, alice, order.body.orderId, 30_000);
      const asBob = await gatewayCall<ErrorBody>(gw, 'GET', `/api/orders/${order.body.orderId}`, { authorization: bob, headers: { 'x-user-id': 'alice' } });
      expect([asBob.status, asBob.body.error.code]).toEqual([404, 'ORDER_NOT_FOUND']);
      expect((await gatewayCall<ErrorBody>(gw, 'GET', `/api/orders/${order.body.orderId}/timeline`, { authorization: bob })).status).toBe(404);
      expect((await gatewayCall<{ items: unknown[] }>(gw, 'GET', `/api/payments?orderId=${order.body.orderId}`, { authorization: bob })).body.items).toEqual([]);
      expect((await gatewayCall<{ items: unknown[] }>(gw, 'GET', `/api/notifications?orderId=${order.body.orderId}`, { authorization: bob })).body.items).toEqual([]);
      expect((await gatewayCall<{ items: { orderId: string }[] }>(gw, 'GET', '/api/orders', { authorization: bob })).body.items.map((o) => o.orderId)).not.toContain(order.body.orderId);
      // An admin sees it (support looking at a customer's order).
      expect((await gatewayCall<{ items: unknown[] }>(gw, 'GET', `/api/payments?orderId=${order.body.orderId}`, { authorization: admin })).body.items).toHaveLength(1);
    }));

    it("a charge refused as provider-unavailable, then a crash before the ack: the redelivery takes no money, by the provider's own books", withLogs(async () => {
      // Issue 11's reproduction, through the public API only.
      for (const rule of [{ operation: 'charge', effect: 'error', times: 1 }, { operation: 'consumer', effect: 'crash-after-commit', times: 1 }]) {
        expect((await gatewayCall(gw, 'POST', '/api/admin/faults/payment', { authorization: admin, body: rule })).status).toBe(201);
      }
      try {
        const answer = await gatewayCall<PlacedOrder>(gw, 'POST', '/api/orders', { authorization: alice, body: { items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: 'orchestration' } });
        expect(answer.status).toBe(202);
        const { orderId } = answer.body;
        await target().reviveAfterCrash();
        const final = await waitForFinalOrder(gw, alice, orderId, 30_000);
        expect(final).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_PROVIDER_UNAVAILABLE' });
        // Both rules fired (in one process they are still listed; a restarted process starts without rules), then the
        // redelivered ChargePayment is handled within moments of the consumer's start: give it that moment.
        await eventually(async () => {
          const rules = await gatewayCall<{ items: { operation: string; triggered: number }[] }>(gw, 'GET', '/api/admin/faults/payment', { authorization: admin });
          expect(rules.body.items.filter((r) => r.triggered !== 1)).toEqual([]);
        }, 20_000, 200);
        await new Promise((resolve) => setTimeout(resolve, 1_500));
        const payments = await gatewayCall<{ items: { status: string; failureReason?: string }[] }>(gw, 'GET', `/api/payments?orderId=${orderId}`, { authorization: alice });
        expect(payments.body.items).toEqual([expect.objectContaining({ status: 'FAILED', failureReason: 'PROVIDER_UNAVAILABLE' })]);

        const books = await gatewayCall<{ items: LedgerItem[] }>(gw, 'GET', `/api/admin/provider/charges?orderId=${orderId}`, { authorization: admin });
        expect(books.status).toBe(200);
        expect(books.body.items).toEqual([]);
        expect((await gatewayCall<ErrorBody>(gw, 'GET', `/api/admin/provider/charges?orderId=${orderId}`, { authorization: alice })).status).toBe(403);
        // Reconciliation agrees: nothing to repair.
        const reconciled = await gatewayCall<{ checked: number; repairs: unknown[] }>(gw, 'POST', '/api/admin/reconcile', { authorization: admin, body: { orderId } });
        expect(reconciled.status).toBe(200);
        expect(reconciled.body).toMatchObject({ checked: 1, repairs: [] });
      } finally {
        await gatewayCall(gw, 'DELETE', '/api/admin/faults/payment', { authorization: admin });
      }
    }));

    it("an approved order's money is on the provider's books, read through the gateway by an admin", withLogs(async () => {
      const answer = await gatewayCall<PlacedOrder>(gw, 'POST', '/api/orders', { authorization: bob, body: { items: [{ sku: 'SKU-BREAD', quantity: 1 }], sagaMode: 'choreography' } });
      expect(answer.status).toBe(202);
      expect(await waitForFinalOrder(gw, bob, answer.body.orderId, 30_000)).toMatchObject({ status: 'APPROVED' });
      const books = await gatewayCall<{ items: LedgerItem[] }>(gw, 'GET', `/api/admin/provider/charges?orderId=${answer.body.orderId}`, { authorization: admin });
      expect(books.body.items).toEqual([{ chargeId: expect.any(String), orderId: answer.body.orderId, amountCents: answer.body.totalCents, refundedCents: 0, status: 'CAPTURED' }]);
    }));

    it('an upstream gone: 503 UPSTREAM_UNAVAILABLE, then fast from the open breaker, the other routes unaffected, and recovery when it is back', withLogs(async () => {
      const { inventoryOutage } = target();
      await inventoryOutage.begin();
      try {
        const answers: { status: number; code: string; message: string; ms: number }[] = [];
        for (let i = 0; i < 8; i += 1) {
          const started = performance.now();
          const answer = await gatewayCall<ErrorBody>(gw, 'GET', '/api/inventory/products', { authorization: alice });
          answers.push({ status: answer.status, code: answer.body.error?.code, message: answer.body.error?.message, ms: performance.now() - started });
        }
        expect(answers.map((a) => [a.status, a.code])).toEqual(answers.map(() => [503, 'UPSTREAM_UNAVAILABLE']));
        // After a few failures the breaker opens, or the registry has no instance left: the gateway answers without
        // trying the upstream at all.
        const open = answers.filter((a) => a.message.includes(inventoryOutage.skippedBy === 'registry' ? 'has no healthy instance' : 'circuit open'));
        expect(open.length).toBeGreaterThan(0);
        console.log(`[${title}] inventory ${inventoryOutage.what}: first 503 in ${answers[0]?.ms.toFixed(1)} ms; open-breaker 503s in ${open.map((a) => a.ms.toFixed(1)).join(', ')} ms`);
        // Orders still work: one breaker per upstream.
        expect((await gatewayCall(gw, 'GET', '/api/orders', { authorization: alice })).status).toBe(200);
      } finally {
        await inventoryOutage.end();
      }
      await eventually(async () => {
        expect((await gatewayCall(gw, 'GET', '/api/inventory/products', { authorization: alice })).status).toBe(200);
      }, 20_000, 250);
    }));

    it('a burst beyond the per-user limit gets 429 with Retry-After and the draft-8 RateLimit headers, one limit across every replica', withLogs(async () => {
      const { gateways, rateLimitMax } = target();
      // A user of its own, so the count starts at zero whatever the other scenarios did.
      const carol = bearer({ sub: `carol-${Date.now()}`, roles: ['customer'] });
      const statuses: number[] = [];
      let rejected: Awaited<ReturnType<typeof gatewayCall<ErrorBody>>> | undefined;
      const total = rateLimitMax + 30;
      for (let sent = 0; sent < total; sent += 10) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(10, total - sent) }, (_, i) => gatewayCall<ErrorBody>(gateways[(sent + i) % gateways.length] as string, 'GET', '/api/orders?limit=1', { authorization: carol })),
        );
        for (const answer of batch) {
          statuses.push(answer.status);
          if (answer.status === 429) rejected = answer;
        }
      }
      // Exactly the limit got through, counted once for all replicas (each alone would have let rateLimitMax through).
      expect(statuses.filter((s) => s === 200)).toHaveLength(rateLimitMax);
      expect(statuses.filter((s) => s === 429)).toHaveLength(total - rateLimitMax);
      expect(rejected?.body.error.code).toBe('RATE_LIMITED');
      expect(Number(rejected?.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(rejected?.headers.get('ratelimit-policy')).toMatch(new RegExp(`q=${rateLimitMax}\\b.*w=\\d+`));
      expect(rejected?.headers.get('ratelimit')).toMatch(/r=0\b.*t=\d+/);
      // Another user is not affected.
      expect((await gatewayCall(gateways[gateways.length - 1] as string, 'GET', '/api/orders?limit=1', { authorization: bob })).status).toBe(200);
    }));

    it('/auth/token has its own stricter per-IP limit', withLogs(async () => {
      const { gateways, authRateLimitMax } = target();
      // A source address of its own: the limiter has never seen it, so exactly the limit's worth of attempts get answered.
      const ip = `127.${1 + Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${2 + Math.floor(Math.random() * 250)}`;
      const statuses: number[] = [];
      for (let i = 0; i < authRateLimitMax + 3; i += 1) {
        statuses.push(await loginAttemptFrom(gateways[i % gateways.length] as string, ip, { username: 'mallory', password: `guess-${i}` }));
      }
      expect(statuses).toEqual([...Array<number>(authRateLimitMax).fill(401), 429, 429, 429]);
      // The per-IP limit is not the per-user one: alice (or the deployment's admin), from 127.0.0.1, still logs in.
      expect((await gatewayCall(gw, 'POST', '/auth/token', { body: target().accounts?.login ?? { username: 'alice', password: 'alice-secret' } })).status).toBe(200);
    }));
  });
}
