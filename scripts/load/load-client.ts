// The load generator's only door to the platform: the gateway's public and admin API, as a client of any deployment
// (npm start, start:local, docker compose) sees it. Tokens from POST /auth/token, renewed before they expire.
import type { SagaMode } from '@saga/contracts';
import type { ParsedFaultRule } from '@saga/faults';
import { gatewayCall, type GatewayAnswer } from '../../test/e2e/support/gateway-client';
import type { LedgerCharge, NotificationView, OrderStatus, Product } from '../../test/e2e/support/order-client';
import { UsageError, type Credentials } from './load-args';
import type { OrderRequest } from './load-schedule';

/** An order as GET /api/orders/{id} and the order stream's `order` events show it. */
export interface OrderSummary {
  orderId: string;
  status: OrderStatus;
  sagaMode: SagaMode;
  items: { sku: string; quantity: number }[];
  totalCents: number;
  failureReason?: string;
}

export class GatewayError extends Error {
  constructor(readonly status: number, message: string) {
    super(message);
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A signed-in user: the Authorization header, logging in again a minute before the token expires. */
export class Session {
  #token = '';
  #expiresAt = 0;
  #renewing: Promise<void> | undefined;

  constructor(private readonly url: string, private readonly credentials: Credentials) {}

  get username(): string {
    return this.credentials.username;
  }

  async authorization(): Promise<string> {
    if (Date.now() > this.#expiresAt - 60_000) await (this.#renewing ??= this.#login().finally(() => (this.#renewing = undefined)));
    return `Bearer ${this.#token}`;
  }

  async #login(): Promise<void> {
    const answer = await gatewayCall<{ access_token?: string; expires_in?: number }>(this.url, 'POST', '/auth/token', { body: this.credentials });
    if (answer.status !== 200 || typeof answer.body?.access_token !== 'string') {
      throw new GatewayError(answer.status, `POST /auth/token as ${this.credentials.username} answered ${answer.status} ${JSON.stringify(answer.body)}`);
    }
    this.#token = answer.body.access_token;
    this.#expiresAt = Date.now() + (answer.body.expires_in ?? 900) * 1000;
  }
}

export class LoadClient {
  constructor(readonly url: string) {}

  async login(credentials: Credentials): Promise<Session> {
    const session = new Session(this.url, credentials);
    await session.authorization().catch((error: unknown) => {
      if (error instanceof GatewayError) throw error;
      const cause = error instanceof Error && error.cause instanceof Error ? error.cause : error;
      throw new Error(`the gateway at ${this.url} does not answer (${cause instanceof Error ? cause.message : String(cause)}): is the platform running there? (--url)`, { cause: error });
    });
    return session;
  }

  /** One attempt: the answer whatever its status (the caller decides what a refusal means). */
  async placeOrder(session: Session, request: OrderRequest, idempotencyKey: string): Promise<GatewayAnswer<{ orderId?: string; totalCents?: number }>> {
    return gatewayCall(this.url, 'POST', '/api/orders', { authorization: await session.authorization(), body: request, headers: { 'idempotency-key': idempotencyKey } });
  }

  /** An admin's read or change: waits out a 429 (Retry-After) instead of failing, as it is bookkeeping, not the load under test. */
  async read<T>(session: Session, method: string, path: string, body?: unknown): Promise<GatewayAnswer<T>> {
    for (let attempt = 0; ; attempt += 1) {
      const answer = await gatewayCall<T>(this.url, method, path, { authorization: await session.authorization(), ...(body === undefined ? {} : { body }) });
      if (answer.status !== 429 || attempt >= 30) return answer;
      await sleep(Math.min(10_000, Number(answer.headers.get('retry-after') ?? 1) * 1000));
    }
  }

  async ok<T>(session: Session, method: string, path: string, body?: unknown): Promise<T> {
    const answer = await this.read<T>(session, method, path, body);
    if (answer.status < 200 || answer.status > 299) throw new GatewayError(answer.status, `${method} ${path} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    return answer.body;
  }

  /** The catalog, and the gateway's per-user limit from its RateLimit-Policy header ("…; q=100; w=10"), if it sends one. */
  async catalog(session: Session): Promise<{ products: Product[]; limit?: { requests: number; windowSeconds: number } }> {
    const answer = await this.read<{ items: Product[] }>(session, 'GET', '/api/inventory/products');
    if (answer.status !== 200) throw new GatewayError(answer.status, `GET /api/inventory/products answered ${answer.status}`);
    const policy = answer.headers.get('ratelimit-policy') ?? '';
    const [q, w] = [/q=(\d+)/.exec(policy)?.[1], /w=(\d+)/.exec(policy)?.[1]];
    return { products: answer.body.items, ...(q && w ? { limit: { requests: Number(q), windowSeconds: Number(w) } } : {}) };
  }

  async stock(session: Session): Promise<Record<string, number>> {
    return Object.fromEntries((await this.catalog(session)).products.map((p) => [p.sku, p.available]));
  }

  restock(admin: Session, sku: string, quantity: number): Promise<unknown> {
    return this.ok(admin, 'POST', '/api/admin/restock', { sku, quantity });
  }

  /** A rule the service refuses (an operation it does not have) is the user's mistake: a UsageError saying why. */
  async addFault(admin: Session, service: string, rule: ParsedFaultRule, spec: string): Promise<{ id: string }> {
    const answer = await this.read<{ id: string; error?: { message?: string } }>(admin, 'POST', `/api/admin/faults/${service}`, rule);
    if (answer.status === 400) throw new UsageError(`--fault ${spec}: ${service} refused it: ${answer.body?.error?.message ?? JSON.stringify(answer.body)}`);
    if (answer.status === 404) throw new GatewayError(404, `--fault ${spec}: ${service} has no fault API here (FAULTS_ENABLED is off in this deployment)`);
    if (answer.status !== 201) throw new GatewayError(answer.status, `POST /api/admin/faults/${service} answered ${answer.status} ${JSON.stringify(answer.body).slice(0, 300)}`);
    return answer.body;
  }

  /**
   * How often the rule fired, then removes it (a rule already gone, e.g. after a restart, is no error). The platform
   * is at its busiest when the arrivals stop: unanswered or 5xx attempts are repeated for up to `forMs`.
   */
  async removeFault(admin: Session, service: string, id: string, forMs = 120_000): Promise<number | undefined> {
    const giveUpAt = Date.now() + forMs;
    for (;;) {
      try {
        const rules = await this.ok<{ items: { id: string; triggered: number }[] }>(admin, 'GET', `/api/admin/faults/${service}`);
        const answer = await this.read(admin, 'DELETE', `/api/admin/faults/${service}/${id}`);
        if (answer.status === 204 || answer.status === 404) return rules.items.find((rule) => rule.id === id)?.triggered;
        throw new GatewayError(answer.status, `DELETE /api/admin/faults/${service}/${id} answered ${answer.status}`);
      } catch (error) {
        const retryable = !(error instanceof GatewayError) || error.status >= 500;
        if (!retryable || Date.now() > giveUpAt) throw error;
        await sleep(2_000);
      }
    }
  }

  getOrder(admin: Session, orderId: string): Promise<OrderSummary> {
    return this.ok(admin, 'GET', `/api/orders/${orderId}`);
  }

  /** The provider's own books for an order; 'unavailable' when this gateway does not route them (404). */
  async ledger(admin: Session, orderId: string): Promise<LedgerCharge[] | 'unavailable'> {
    const answer = await this.read<{ items: LedgerCharge[] }>(admin, 'GET', `/api/admin/provider/charges?orderId=${orderId}`);
    if (answer.status === 404) return 'unavailable';
    if (answer.status !== 200) throw new GatewayError(answer.status, `the provider's books for ${orderId}: ${answer.status} ${JSON.stringify(answer.body).slice(0, 200)}`);
    return answer.body.items;
  }

  async notifications(admin: Session, orderId: string): Promise<NotificationView[]> {
    return (await this.ok<{ items: NotificationView[] }>(admin, 'GET', `/api/notifications?orderId=${orderId}`)).items;
  }

  /** Orchestrated sagas parked for an operator (COMPENSATION_FAILED), newest first. */
  async parkedSagas(admin: Session): Promise<string[]> {
    return (await this.ok<{ items: { orderId: string }[] }>(admin, 'GET', '/api/admin/orders?sagaStatus=COMPENSATION_FAILED&limit=100')).items.map((item) => item.orderId);
  }

  /**
   * GET /api/orders/stream as the admin (every order's changes) until it ends or `signal` aborts: `onReady` once the
   * subscription is live, `onOrder` per change. Rejects with a GatewayError when the stream is refused.
   */
  async stream(admin: Session, handlers: { onReady(): void; onOrder(order: OrderSummary): void }, signal: AbortSignal): Promise<void> {
    const response = await fetch(`${this.url}/api/orders/stream`, { headers: { authorization: await admin.authorization(), accept: 'text/event-stream' }, signal });
    if (response.status !== 200 || !response.body) throw new GatewayError(response.status, `GET /api/orders/stream answered ${response.status} ${(await response.text()).slice(0, 200)}`);
    const decoder = new TextDecoder();
    let buffered = '';
    for await (const chunk of response.body) {
      buffered += decoder.decode(chunk as Uint8Array, { stream: true });
      let end: number;
      while ((end = buffered.indexOf('\n\n')) !== -1) {
        const lines = buffered.slice(0, end).split('\n');
        buffered = buffered.slice(end + 2);
        const event = lines.find((line) => line.startsWith('event:'))?.slice(6).trim();
        const data = lines.filter((line) => line.startsWith('data:')).map((line) => line.slice(5).trim()).join('\n');
        if (event === 'ready') handlers.onReady();
        if (event === 'order' && data) handlers.onOrder(JSON.parse(data) as OrderSummary);
      }
    }
  }
}
