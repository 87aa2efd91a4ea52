// Component-test harness (tests only, not built): the payment service on PGlite, the in-memory bus and event log, calling the REAL
// simulated provider over HTTP on port 0. The provider lives in its own service folder; importing it here, from tests,
// stands in for "start the external provider", as a docker container would elsewhere.
import { testTokenVerifier } from '@saga/auth/testing';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ChargePayment, queues, RefundPayment, routingKeys, topics, type MessageEnvelope } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import type { FaultInjector } from '@saga/faults';
import { InMemoryCommandBus, InMemoryEventLog, type ConsumedEvent, type RetryPolicy } from '@saga/messaging';
import { createLogger, startHttpServer, type HttpServerHandle } from '@saga/platform';
import { createProviderApp, migrateProviderDb, type ProviderAppOptions } from '@saga/payment-provider-service';
import type { PaymentProvider } from '../app/payment-provider.port';
import { createPaymentService, type PaymentService } from '../payment-service';
import { createHttpPaymentProvider, type HttpPaymentProvider, type HttpPaymentProviderOptions } from '../provider/http-payment-provider';

export const silentLogger = createLogger({ service: 'payment', level: 'silent' });
const fixedClock = { now: () => new Date('2030-01-01T12:00:00Z') };

export { eventually as waitFor } from '@saga/resilience';

/** A port nothing listens on: connections are refused at once, like a provider that is down. */
export async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/** The provider on its own in-memory PGlite books, closed when the server stops. */
export async function startProvider(options: Partial<ProviderAppOptions> = {}): Promise<HttpServerHandle & { url: string }> {
  const db = await createPgliteClient();
  await migrateProviderDb(db);
  const app = createProviderApp({ db, clock: fixedClock, declineAboveCents: 100_000, latencyMs: 0, ...options });
  const server = await startHttpServer(app, { port: 0, host: '127.0.0.1' });
  const stop = async (drainTimeoutMs?: number) => {
    await server.stop(drainTimeoutMs);
    await db.close();
  };
  return { ...server, stop, url: `http://127.0.0.1:${server.port}` };
}

/** Counts calls per operation, to prove what was (not) asked of the provider. */
export function countingProvider(inner: PaymentProvider) {
  const calls = { charge: 0, refund: 0, voidCharge: 0, listCharges: 0 };
  const provider: PaymentProvider = {
    charge: (input) => (calls.charge++, inner.charge(input)),
    refund: (input) => (calls.refund++, inner.refund(input)),
    voidCharge: (key) => (calls.voidCharge++, inner.voidCharge(key)),
    listCharges: (orderId) => (calls.listCharges++, inner.listCharges(orderId)),
  };
  return { provider, calls };
}

export interface Scenario {
  service: PaymentService;
  bus: InMemoryCommandBus;
  eventLog: InMemoryEventLog;
  adapter: HttpPaymentProvider;
  calls: ReturnType<typeof countingProvider>['calls'];
  replies: MessageEnvelope[];
  repliesFor(orderId: string): MessageEnvelope[];
  /** Everything published on payments.events.v1, as another service's consumer group sees it. */
  events: ConsumedEvent[];
  eventsFor(orderId: string): ConsumedEvent[];
  stop(): Promise<void>;
}

/**
 * One service instance per scenario (own bus, own breaker) over the file's shared PGlite database. `serviceOptions.faults`:
 * an injector of the test's own (e.g. one whose crash throws instead of killing jest).
 */
export async function startScenario(
  db: SqlClient,
  providerUrl: string,
  adapterOptions: Partial<HttpPaymentProviderOptions> = {},
  serviceOptions: { faults?: FaultInjector; reconciliation?: { intervalMs: number; graceMs: number }; eventRetry?: Partial<RetryPolicy> } = {},
): Promise<Scenario> {
  const adapter = createHttpPaymentProvider({ baseUrl: providerUrl, timeoutMs: 1_000, ...adapterOptions });
  const { provider, calls } = countingProvider(adapter);
  const bus = new InMemoryCommandBus();
  const replies: MessageEnvelope[] = [];
  await bus.consume({ queue: queues.orderSagaReplies, bindings: [routingKeys.sagaReply], handle: async ({ envelope }) => void replies.push(envelope) });
  const eventLog = new InMemoryEventLog();
  const events: ConsumedEvent[] = [];
  await eventLog.subscribe({ groupId: 'test-observer', topics: [topics.paymentEvents], fromBeginning: true, handle: async (event) => void events.push(event) });
  const service = createPaymentService({ verifyToken: testTokenVerifier(),
    db,
    commandBus: bus,
    eventLog,
    provider,
    logger: silentLogger,
    outboxPollIntervalMs: 50,
    commandRetry: { maxAttempts: 30, initialDelayMs: 20, maxDelayMs: 100 },
    eventRetry: serviceOptions.eventRetry ?? { maxAttempts: 30, initialDelayMs: 20, maxDelayMs: 100 },
    ...(serviceOptions.faults ? { faults: serviceOptions.faults } : {}),
    // Reconciliation runs only when asked (POST /admin/reconcile) unless a test wants the scheduler.
    reconciliation: serviceOptions.reconciliation ?? { intervalMs: 0, graceMs: 0 },
    breakers: () => [adapter.breakerStats()],
  });
  await service.start();
  return {
    service,
    bus,
    eventLog,
    adapter,
    calls,
    replies,
    repliesFor: (orderId) => replies.filter((reply) => reply.correlationId === orderId),
    events,
    eventsFor: (orderId) => events.filter((event) => event.envelope.correlationId === orderId),
    async stop() {
      await service.stop();
      await bus.close();
      await eventLog.close();
      adapter.shutdown();
    },
  };
}

let sequence = 0;
export const newOrderId = (label: string) => `${label}-${process.pid}-${++sequence}`;

export function chargeCommand(orderId: string, overrides: { amountCents?: number; paymentToken?: string } = {}) {
  return ChargePayment.create(
    { orderId, sagaId: `saga-${orderId}`, customerId: 'cust-1', amountCents: overrides.amountCents ?? 4200, currency: 'EUR', paymentToken: overrides.paymentToken ?? 'tok_visa' },
    { correlationId: orderId },
  );
}

export function refundCommand(orderId: string) {
  return RefundPayment.create({ orderId, sagaId: `saga-${orderId}` }, { correlationId: orderId });
}

/** The provider's own books for an order: every charge naming it, whatever key made it. */
export async function providerChargesFor(providerUrl: string, orderId: string): Promise<Array<{ id: string; status: string; amount: number; amount_refunded: number }>> {
  const response = await fetch(`${providerUrl}/v1/charges?order_id=${encodeURIComponent(orderId)}&limit=100`);
  return ((await response.json()) as { data: Array<{ id: string; status: string; amount: number; amount_refunded: number }> }).data;
}
