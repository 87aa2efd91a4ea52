// The order service's operator view and its saga's late replies, with the participants played by the test over the
// in-memory bus: parked sagas listed for operators, a late success re-opening a cancelled saga, reconciliation notes.
import { adminBearer, bearerFor, testTokenVerifier } from '@saga/auth/testing';
import { NotificationSent, PaymentReconciled, StockReleased, StockReserved, queues, routingKeys, type MessageEnvelope } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { InMemoryCommandBus, type Subscription } from '@saga/messaging';
import { createMetrics } from '@saga/metrics';
import { metricValue } from '@saga/metrics/testing';
import { createLogger } from '@saga/platform';
import { eventually } from '@saga/resilience';
import request from 'supertest';
import { orderViewSchema, retriedCompensationSchema, sagaListSchema } from './http/order.schemas';
import { createOrderService, type OrderService } from './order-service';
import { migrateOrderDb } from './store/order-migrations';

jest.setTimeout(30_000);

interface HistoryItem { step: string; status: string; detail?: string }
interface SagaItem { orderId: string; sagaId: string; customerId: string; orderStatus: string; sagaStatus: string; awaiting: { step: string; attempt: number; deadline: string } | null; failureReason?: string; updatedAt: string }

describe('order service: operators and late replies (in-memory bus, PGlite)', () => {
  const bus = new InMemoryCommandBus();
  /** Orders whose stock releases the test's inventory answers; the others' commands go unanswered. */
  const answerReleases = new Set<string>();
  const commands: { type: string; orderId: string }[] = [];
  const subscriptions: Subscription[] = [];
  let db: SqlClient;
  let service: OrderService;
  const metrics = createMetrics({ service: 'order', defaultMetrics: false });
  const metric = (series: string) => metricValue(metrics, series);
  const completed = (outcome: string, reason: string) => metric(`saga_completed_total{service="order",mode="orchestration",outcome="${outcome}",reason="${reason}"}`);
  const releases = () => metric('saga_compensations_total{service="order",step="RELEASE_STOCK"}');

  const reply = (envelope: MessageEnvelope) => bus.send(routingKeys.sagaReply, envelope);
  const ref = (payload: unknown) => payload as { orderId: string; sagaId: string; kind?: 'ORDER_CONFIRMED' | 'ORDER_CANCELLED' };

  beforeAll(async () => {
    db = await createPgliteClient();
    await migrateOrderDb(db);
    const prices = { currentPrices: async () => ({ ok: true as const, source: 'live' as const, prices: new Map([['SKU-TEA', 450]]) }) };
    service = createOrderService({
      verifyToken: testTokenVerifier(),
      db,
      commandBus: bus,
      prices,
      logger: createLogger({ service: 'test', level: 'silent' }),
      metrics,
      runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: 400, maxCompensationAttempts: 2 } },
      deadlineScanIntervalMs: 25,
    });
    await service.start();
    // Inventory: never reserves (every reservation times out); releases only for the orders the test says.
    subscriptions.push(await bus.consume({ queue: queues.inventoryCommands, bindings: [routingKeys.reserveStock, routingKeys.releaseStock], handle: async ({ envelope }) => {
      const { orderId, sagaId } = ref(envelope.payload);
      commands.push({ type: envelope.type, orderId });
      if (envelope.type === 'ReleaseStock' && answerReleases.has(orderId)) await reply(StockReleased.create({ orderId, sagaId, lines: [] }, { correlationId: orderId }));
    } }));
    subscriptions.push(await bus.consume({ queue: queues.notificationCommands, bindings: [routingKeys.notify], handle: async ({ envelope }) => {
      const { orderId, sagaId, kind } = ref(envelope.payload);
      commands.push({ type: envelope.type, orderId });
      await reply(NotificationSent.create({ orderId, sagaId, kind: kind!, notificationId: `n-${commands.length}` }, { correlationId: orderId }));
    } }));
  });

  afterAll(async () => {
    await service.stop();
    for (const subscription of subscriptions) await subscription.close();
    await bus.close();
    await db.close();
  });

  const place = async (customer: string) => {
    const response = await request(service.app).post('/orders').set('Authorization', bearerFor(customer)).send({ items: [{ sku: 'SKU-TEA', quantity: 1 }] }).expect(202);
    return response.body.orderId as string;
  };
  const orderOf = async (customer: string, orderId: string) => (await request(service.app).get(`/orders/${orderId}`).set('Authorization', bearerFor(customer)).expect(200)).body as { status: string; history: HistoryItem[] };
  const sagaOf = async (orderId: string) => (await db.query<{ state: { sagaId: string; status: string } }>('SELECT state FROM sagas WHERE order_id = $1', [orderId])).rows[0]!.state;
  const list = (query: string, auth = adminBearer()) => request(service.app).get(`/admin/orders${query}`).set('Authorization', auth);
  const steps = (history: HistoryItem[]) => history.map((item) => `${item.step}:${item.status}`);

  it('lists parked sagas for an admin, newest first, with the compensation an operator retry would resend', async () => {
    const first = await place('ops-a');
    const second = await place('ops-b');
    const parked = await eventually(async () => {
      const body = (await list('?sagaStatus=COMPENSATION_FAILED').expect(200)).body;
      expect(sagaListSchema.parse(body)).toEqual(body);
      const items = body.items as SagaItem[];
      expect(items.map((item) => item.orderId)).toEqual(expect.arrayContaining([first, second]));
      return items;
    }, 10_000);
    expect(parked.find((item) => item.orderId === first)).toEqual({
      orderId: first,
      sagaId: (await sagaOf(first)).sagaId,
      customerId: 'ops-a',
      orderStatus: 'PENDING',
      sagaStatus: 'COMPENSATION_FAILED',
      awaiting: { step: 'RELEASE_STOCK', attempt: 2, deadline: expect.any(String) },
      failureReason: 'INVENTORY_TIMEOUT',
      updatedAt: expect.any(String),
    });
    const times = parked.map((item) => Date.parse(item.updatedAt));
    expect(times).toEqual([...times].sort((a, b) => b - a));
    // The first sagas of this file: both reservations timed out, both releases begun once (resends are attempts, not
    // new compensations) and both sagas parked, an outcome of their own.
    await eventually(async () => expect(await completed('COMPENSATION_FAILED', 'INVENTORY_TIMEOUT')).toBe(2));
    expect(await metric('saga_step_duration_seconds_count{service="order",step="RESERVE_STOCK",result="TIMED_OUT"}')).toBe(2);
    expect(await releases()).toBe(2);
    expect((await list('?sagaStatus=COMPENSATION_FAILED&limit=1').expect(200)).body.items).toEqual([parked[0]]);
    expect((await list('?sagaStatus=APPROVED').expect(200)).body).toEqual({ items: [] });

    // The operator's retry moves it out of the parked list.
    const retried = (await request(service.app).post(`/admin/orders/${first}/retry-compensation`).set('Authorization', adminBearer()).expect(202)).body;
    expect(retriedCompensationSchema.parse(retried)).toEqual(retried);
    expect(retried).toEqual({ orderId: first, sagaStatus: 'COMPENSATING' });
    const compensatingBody = (await list('?sagaStatus=COMPENSATING').expect(200)).body;
    expect(sagaListSchema.parse(compensatingBody)).toEqual(compensatingBody);
    const compensating = compensatingBody.items as SagaItem[];
    expect(compensating).toEqual([expect.objectContaining({ orderId: first, sagaStatus: 'COMPENSATING', awaiting: expect.objectContaining({ step: 'RELEASE_STOCK', attempt: 1 }) })]);
  });

  it.each([
    ['no sagaStatus', ''],
    ['an unknown sagaStatus', '?sagaStatus=PARKED'],
    ['limit 0', '?sagaStatus=CANCELLED&limit=0'],
    ['limit 101', '?sagaStatus=CANCELLED&limit=101'],
  ])('400 with the error body for %s', async (_case, query) => {
    const response = await list(query).expect(400);
    expect(response.body.error).toEqual(expect.objectContaining({ code: expect.any(String), message: expect.any(String), details: expect.any(Array) }));
  });

  it('is for admins only', async () => {
    await request(service.app).get('/admin/orders?sagaStatus=COMPENSATION_FAILED').expect(401);
    await list('?sagaStatus=COMPENSATION_FAILED', bearerFor('alice')).expect(403);
  });

  it('a reservation that lands after the order was cancelled re-opens the saga for a tracked release, without a second notice', async () => {
    const [cancelledBefore, releasesBefore] = [await completed('CANCELLED', 'INVENTORY_TIMEOUT'), await releases()];
    const orderId = await place('late-lucy');
    answerReleases.add(orderId);
    await eventually(async () => expect(await sagaOf(orderId)).toMatchObject({ status: 'CANCELLED' }), 10_000);
    await eventually(async () => expect(await completed('CANCELLED', 'INVENTORY_TIMEOUT')).toBe(cancelledBefore + 1));
    const { sagaId } = await sagaOf(orderId);

    // Delivered twice (a redelivery): the inbox applies it once.
    const late = StockReserved.create({ orderId, sagaId, lines: [{ sku: 'SKU-TEA', quantity: 1 }] }, { correlationId: orderId });
    await reply(late);
    await reply(late);
    const order = await eventually(async () => {
      const body = await orderOf('late-lucy', orderId);
      // On a slow machine the release may be resent (RETRIED) in between; what matters is that it is tracked to the end.
      const late = steps(body.history).slice(steps(body.history).indexOf('RESERVE_STOCK:LATE_REPLY'));
      expect(late.slice(0, 2)).toEqual(['RESERVE_STOCK:LATE_REPLY', 'RELEASE_STOCK:STARTED']);
      expect(late.at(-1)).toBe('RELEASE_STOCK:SUCCEEDED');
      return body;
    });
    expect(order.status).toBe('CANCELLED');
    expect(orderViewSchema.parse(order)).toEqual(order);
    expect(await sagaOf(orderId)).toMatchObject({ status: 'CANCELLED', awaiting: null, pendingCompensations: [] });
    expect(commands.filter((command) => command.orderId === orderId && command.type === 'SendNotification')).toHaveLength(1);
    expect(steps(order.history).filter((step) => step === 'NOTIFY_CANCELLED:STARTED')).toHaveLength(1);
    // One more release begun (the re-opened one, once despite the redelivery); the saga closing again is no new outcome.
    expect(await releases()).toBe(releasesBefore + 2);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await completed('CANCELLED', 'INVENTORY_TIMEOUT')).toBe(cancelledBefore + 1);
  });

  it("records payment's reconciliation note in the order's history and changes nothing else", async () => {
    const orderId = await place('reco-rita');
    answerReleases.add(orderId);
    await eventually(async () => expect(await sagaOf(orderId)).toMatchObject({ status: 'CANCELLED' }), 10_000);
    const { sagaId } = await sagaOf(orderId);
    const note = PaymentReconciled.create({ orderId, sagaId, action: 'REFUNDED_CAPTURE', amountCents: 450, chargeId: 'ch-1', detail: 'refunded 450 cents captured on a cancelled order' }, { correlationId: orderId });
    await reply(note);
    await reply(note); // a redelivery: the inbox keeps it to one entry
    const order = await eventually(async () => {
      const body = await orderOf('reco-rita', orderId);
      expect(body.history.at(-1)).toMatchObject({ step: 'RECONCILE_PAYMENT', status: 'SUCCEEDED', detail: 'refunded 450 cents captured on a cancelled order' });
      return body;
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await orderOf('reco-rita', orderId)).history).toHaveLength(order.history.length);
    expect(order.status).toBe('CANCELLED');
    expect(await sagaOf(orderId)).toMatchObject({ status: 'CANCELLED', awaiting: null });
  });
});
