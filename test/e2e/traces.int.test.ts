// Traces end to end: every service its own process on the real brokers; an order placed through the gateway is one
// trace whose spans cover every hop (HTTP, each RabbitMQ command and reply, each Kafka event, the provider call),
// linked into one tree in causal order, read back through GET /api/admin/traces/{orderId}.
import { gatewayCall, login, waitForFinalOrder } from './support/gateway-client';
import { PLATFORM_LOCK_TIMEOUT_MS, startPlatform, withServiceLogs, type Platform } from './support/platform-processes';
import type { TraceSpan } from '@saga/tracing';
import { eventually } from '@saga/resilience';

jest.setTimeout(120_000);

let platform: Platform | undefined;
const p = () => platform!;

beforeAll(async () => {
  platform = await startPlatform({ services: ['provider', 'inventory', 'payment', 'notification', 'order', 'gateway'] });
}, PLATFORM_LOCK_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

interface OrderTrace {
  orderId: string;
  traceIds: string[];
  spans: TraceSpan[];
  services: Record<string, string>;
}

/**
 * Places an order as alice, waits for its end, and reads its trace as admin once `complete` holds for it and it is one
 * causal tree: the store keeps finished spans only, so a span still running (its children already in) shows its
 * children as orphans until it ends. A span that never ends fails the test after 30 s.
 */
async function tracedOrder(body: object, complete: (trace: OrderTrace) => void): Promise<{ status: string; trace: OrderTrace }> {
  const gw = p().urls.gateway;
  const alice = await login(gw, 'alice', 'alice-secret');
  const admin = await login(gw, 'admin', 'admin-secret');
  const placed = await gatewayCall<{ orderId: string }>(gw, 'POST', '/api/orders', { authorization: alice, body });
  expect(placed.status).toBe(202);
  const order = await waitForFinalOrder(gw, alice, placed.body.orderId, 60_000);
  // The last hops (the notice, the Kafka events the timeline reads) may still be in flight when the order is final.
  const trace = await eventually(async () => {
    const answer = await gatewayCall<OrderTrace>(gw, 'GET', `/api/admin/traces/${placed.body.orderId}`, { authorization: admin });
    expect(answer.status).toBe(200);
    complete(answer.body);
    expectOneCausalTree(answer.body);
    return answer.body;
  }, 30_000, 500);
  const perService = [...new Set(trace.spans.map((span) => span.service))].map((service) => `${service} ${trace.spans.filter((span) => span.service === service).length}`);
  console.log(`order ${trace.orderId} (${order.sagaMode}, ${order.status}): one trace of ${trace.spans.length} spans: ${perService.join(', ')}`);
  return { status: order.status, trace };
}

/** One tree: a single root (the gateway's server span), every parent present, every child starting after its parent. */
function expectOneCausalTree(trace: OrderTrace): void {
  expect(trace.traceIds).toHaveLength(1);
  expect(trace.services).toEqual({ order: 'ok (1 instance)', inventory: 'ok (1 instance)', payment: 'ok (1 instance)', notification: 'ok (1 instance)' });
  const byId = new Map(trace.spans.map((span) => [span.spanId, span]));
  const roots = trace.spans.filter((span) => span.parentSpanId === undefined);
  expect(roots).toEqual([expect.objectContaining({ service: 'gateway', kind: 'server', name: expect.stringMatching(/^POST/) })]);
  const orphans = trace.spans.filter((span) => span.parentSpanId !== undefined && !byId.has(span.parentSpanId));
  expect(orphans).toEqual([]);
  // One machine, one clock: processes' clocks agree to well under a millisecond.
  const early = trace.spans.filter((span) => span.parentSpanId !== undefined && span.startTimeMs < byId.get(span.parentSpanId)!.startTimeMs - 1);
  expect(early).toEqual([]);
  expect(new Set(trace.spans.map((span) => span.service))).toEqual(new Set(['gateway', 'order', 'inventory', 'payment', 'notification']));
}

/** The hop carrying `type`: a consumer span in `to`, on `system`, whose parent is the producer span that sent it from `from`. */
function hop(trace: OrderTrace, type: string, from: string, to: string, system: 'rabbitmq' | 'kafka'): { producer: TraceSpan; consumer: TraceSpan } {
  const byId = new Map(trace.spans.map((span) => [span.spanId, span]));
  const consumers = trace.spans.filter((span) => span.kind === 'consumer' && span.name === `process ${type}` && span.service === to && span.attributes['messaging.system'] === system);
  const found = consumers.map((consumer) => ({ consumer, producer: byId.get(consumer.parentSpanId ?? '') })).find((pair) => pair.producer?.kind === 'producer');
  if (!found) {
    const seen = trace.spans.filter((span) => span.kind === 'consumer' || span.kind === 'producer').map((span) => `${span.service}: ${span.name} (${span.attributes['messaging.system'] ?? span.attributes['saga.outbox.lane']})`);
    throw new Error(`no ${system} hop for ${type} from ${from} to ${to}; the trace's messaging spans: ${seen.join(', ')}`);
  }
  expect(found.producer).toMatchObject({ name: `send ${type}`, service: from, attributes: expect.objectContaining({ 'saga.order_id': trace.orderId }) });
  expect(found.consumer.attributes['saga.order_id']).toBe(trace.orderId);
  return { producer: found.producer!, consumer: found.consumer };
}

const has = (type: string, to: string) => (trace: OrderTrace) =>
  expect(trace.spans.some((span) => span.kind === 'consumer' && span.name === `process ${type}` && span.service === to)).toBe(true);

it('traces an orchestrated order as one tree: the gateway, the order API, each command and reply on RabbitMQ, the provider call', withServiceLogs(() => platform, async () => {
  const { status, trace } = await tracedOrder({ items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: 'orchestration', paymentToken: 'tok_visa' }, has('NotificationSent', 'order'));
  expect(status).toBe('APPROVED');
  expect(trace.spans).toContainEqual(expect.objectContaining({ service: 'order', kind: 'server', name: expect.stringMatching(/^POST \/orders/) }));
  hop(trace, 'ReserveStock', 'order', 'inventory', 'rabbitmq');
  hop(trace, 'StockReserved', 'inventory', 'order', 'rabbitmq');
  const charge = hop(trace, 'ChargePayment', 'order', 'payment', 'rabbitmq');
  hop(trace, 'PaymentCompleted', 'payment', 'order', 'rabbitmq');
  hop(trace, 'SendNotification', 'order', 'notification', 'rabbitmq');
  hop(trace, 'NotificationSent', 'notification', 'order', 'rabbitmq');
  // The provider call: an HTTP client span of payment's (not one of its SQL spans), inside the handling of ChargePayment.
  const underCharge = (span: TraceSpan): boolean => span.parentSpanId === charge.consumer.spanId || trace.spans.some((parent) => parent.spanId === span.parentSpanId && underCharge(parent));
  const httpCall = (span: TraceSpan): boolean => span.kind === 'client' && (span.attributes['http.request.method'] ?? span.attributes['http.method']) !== undefined;
  expect(trace.spans.filter((span) => span.service === 'payment' && httpCall(span) && underCharge(span)).length).toBeGreaterThan(0);
  // Its transactions: one span each, holding their statements.
  expect(trace.spans.filter((span) => span.service === 'payment' && span.name.startsWith('pg.transaction') && underCharge(span))).toContainEqual(
    expect.objectContaining({ attributes: expect.objectContaining({ 'db.operation.batch.size': expect.any(Number), 'db.query.text': expect.stringContaining('payments') }) }),
  );
}));

it('traces a choreographed order as one tree: each Kafka event continues the trace of the one that caused it', withServiceLogs(() => platform, async () => {
  const { status, trace } = await tracedOrder({ items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: 'choreography', paymentToken: 'tok_visa' }, has('OrderApproved', 'notification'));
  expect(status).toBe('APPROVED');
  hop(trace, 'OrderCreated', 'order', 'inventory', 'kafka');
  hop(trace, 'StockReserved', 'inventory', 'payment', 'kafka');
  hop(trace, 'PaymentCompleted', 'payment', 'order', 'kafka');
  hop(trace, 'OrderApproved', 'order', 'notification', 'kafka');
}));

it('shows the compensation in the trace of an order whose charge is declined: ReleaseStock sent and handled', withServiceLogs(() => platform, async () => {
  const { status, trace } = await tracedOrder({ items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: 'orchestration', paymentToken: 'tok_chargeDeclined' }, has('StockReleased', 'order'));
  expect(status).toBe('CANCELLED');
  hop(trace, 'PaymentFailed', 'payment', 'order', 'rabbitmq');
  const release = hop(trace, 'ReleaseStock', 'order', 'inventory', 'rabbitmq');
  hop(trace, 'StockReleased', 'inventory', 'order', 'rabbitmq');
  // C2 comes after T3 failed: the release is caused by (a descendant of) the handling of PaymentFailed.
  const failed = trace.spans.find((span) => span.name === 'process PaymentFailed')!;
  expect(release.producer.startTimeMs).toBeGreaterThanOrEqual(failed.startTimeMs);
}));

it('continues a client\'s trace, but a client cannot switch its order\'s trace off with an unsampled traceparent', withServiceLogs(() => platform, async () => {
  const gw = p().urls.gateway;
  const alice = await login(gw, 'alice', 'alice-secret');
  const admin = await login(gw, 'admin', 'admin-secret');
  const clientTraceId = '4bf92f3577b34da6a3ce929d0e0e4736';
  const clientSpanId = '00f067aa0ba902b7';
  const placed = await gatewayCall<{ orderId: string }>(gw, 'POST', '/api/orders', {
    authorization: alice,
    headers: { traceparent: `00-${clientTraceId}-${clientSpanId}-00` },
    body: { items: [{ sku: 'SKU-APPLE', quantity: 1 }], sagaMode: 'orchestration', paymentToken: 'tok_visa' },
  });
  expect(placed.status).toBe(202);
  expect((await waitForFinalOrder(gw, alice, placed.body.orderId, 60_000)).status).toBe('APPROVED');
  const trace = await eventually(async () => {
    const answer = await gatewayCall<OrderTrace>(gw, 'GET', `/api/admin/traces/${placed.body.orderId}`, { authorization: admin });
    expect(answer.status).toBe(200);
    has('NotificationSent', 'order')(answer.body);
    return answer.body;
  }, 30_000, 500);
  expect(trace.traceIds).toEqual([clientTraceId]);
  expect(trace.spans).toContainEqual(expect.objectContaining({ service: 'gateway', kind: 'server', parentSpanId: clientSpanId, name: expect.stringMatching(/^POST/) }));
  hop(trace, 'ChargePayment', 'order', 'payment', 'rabbitmq');
}));

it('answers 404 for an order it has no spans of, and 403 to a customer', async () => {
  const gw = p().urls.gateway;
  const admin = await login(gw, 'admin', 'admin-secret');
  const alice = await login(gw, 'alice', 'alice-secret');
  const unknown = await gatewayCall<{ error: { code: string } }>(gw, 'GET', '/api/admin/traces/3f1d1a56-0d8e-4f4e-9a55-6a1d2b0c9e11', { authorization: admin });
  expect(unknown.status).toBe(404);
  expect(unknown.body.error.code).toBe('TRACE_NOT_FOUND');
  expect((await gatewayCall(gw, 'GET', '/api/admin/traces/3f1d1a56-0d8e-4f4e-9a55-6a1d2b0c9e11', { authorization: alice })).status).toBe(403);
  expect((await gatewayCall(gw, 'GET', '/api/admin/traces/not-an-id', { authorization: admin })).status).toBe(400);
});
