// The order service's part of the choreography, alone: it announces orders, settles them from participants' events
// or cancels them at their deadline, and keeps a timeline read model that a replay rebuilds identically. Participants
// are played by the test.
import { adminBearer, bearerFor, testTokenVerifier } from '@saga/auth/testing';
import { OrderCancelled, OrderCreated, PaymentCompleted, PaymentFailed, StockReleased, StockReserved, topics, type MessageEnvelope } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { InMemoryCommandBus, InMemoryEventLog, type ConsumedEvent } from '@saga/messaging';
import { createMetrics } from '@saga/metrics';
import { metricValue } from '@saga/metrics/testing';
import { createLogger } from '@saga/platform';
import { eventually } from '@saga/resilience';
import request from 'supertest';
import { orderTimelineSchema, orderViewSchema, replayStartedSchema } from './http/order.schemas';
import { createOrderService, type OrderService } from './order-service';
import { migrateOrderDb } from './store/order-migrations';

jest.setTimeout(30_000);

describe('order service in choreography (in-memory event log, PGlite)', () => {
  const eventLog = new InMemoryEventLog();
  const bus = new InMemoryCommandBus();
  const orderEvents: ConsumedEvent[] = [];
  let db: SqlClient;
  let service: OrderService;
  const metrics = createMetrics({ service: 'order', defaultMetrics: false });
  const settledAs = (outcome: string, reason: string) => metricValue(metrics, `saga_completed_total{service="order",mode="choreography",outcome="${outcome}",reason="${reason}"}`);

  beforeAll(async () => {
    db = await createPgliteClient();
    await migrateOrderDb(db);
    const prices = { currentPrices: async () => ({ ok: true as const, source: 'live' as const, prices: new Map([['SKU-TEA', 450]]) }) };
    service = createOrderService({ verifyToken: testTokenVerifier(), db, commandBus: bus, eventLog, prices, metrics, logger: createLogger({ service: 'test', level: 'silent' }), runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: 60_000, maxCompensationAttempts: 3 } } });
    await service.start();
    await eventLog.subscribe({ groupId: 'test-observer', topics: [topics.orderEvents], fromBeginning: true, handle: async (event) => { orderEvents.push(event); } });
  });

  afterAll(async () => {
    await service.stop();
    await eventLog.close();
    await bus.close();
    await db.close();
  });

  const place = async (customer: string) => {
    const response = await request(service.app).post('/orders').set('Authorization', bearerFor(customer)).send({ items: [{ sku: 'SKU-TEA', quantity: 2 }], sagaMode: 'choreography', paymentToken: 'tok_visa' });
    expect(response.status).toBe(202);
    return response.body.orderId as string;
  };
  const publish = (topic: string, envelope: MessageEnvelope) => eventLog.publish(topic, [{ key: envelope.correlationId, envelope }]);
  const orderOf = async (customer: string, orderId: string) => (await request(service.app).get(`/orders/${orderId}`).set('Authorization', bearerFor(customer))).body;
  const eventsAbout = (orderId: string) => orderEvents.filter((event) => event.key === orderId).map((event) => event.envelope.type);
  const ref = (orderId: string) => ({ orderId, sagaId: orderId });

  it('announces the order with what participants need, and approves it when the payment completes', async () => {
    const orderId = await place('alice');
    const created = await eventually(() => {
      const found = orderEvents.find((event) => event.key === orderId && OrderCreated.is(event.envelope));
      expect(found).toBeDefined();
      return found!.envelope;
    });
    expect(created.payload).toEqual({ orderId, sagaId: orderId, customerId: 'alice', lines: [{ sku: 'SKU-TEA', quantity: 2 }], totalCents: 900, currency: 'EUR', paymentToken: 'tok_visa' });

    await publish(topics.inventoryEvents, StockReserved.create({ ...ref(orderId), lines: [{ sku: 'SKU-TEA', quantity: 2 }] }, { correlationId: orderId }));
    const completed = PaymentCompleted.create({ ...ref(orderId), paymentId: 'p-1', amountCents: 900 }, { correlationId: orderId });
    await publish(topics.paymentEvents, completed);
    await publish(topics.paymentEvents, completed); // a duplicate delivery changes nothing
    await eventually(async () => expect((await orderOf('alice', orderId)).status).toBe('APPROVED'));
    await eventually(() => expect(eventsAbout(orderId)).toEqual(['OrderCreated', 'OrderApproved']));

    const order = await eventually(async () => {
      const body = await orderOf('alice', orderId);
      expect(body.history.map((entry: { step: string }) => entry.step)).toEqual(['CREATE_ORDER', 'RESERVE_STOCK', 'CHARGE_PAYMENT', 'APPROVE_ORDER']);
      return body;
    });
    expect(order).toMatchObject({ sagaMode: 'choreography', totalCents: 900 });
    expect(orderViewSchema.parse(order)).toEqual(order);
    // Counted under the choreography mode, once: the duplicate PaymentCompleted was dropped by the inbox.
    expect(await metricValue(metrics, 'saga_started_total{service="order",mode="choreography"}')).toBe(1);
    expect(await settledAs('APPROVED', 'none')).toBe(1);
    expect(await metricValue(metrics, 'saga_duration_seconds_count{service="order",mode="choreography",outcome="APPROVED"}')).toBe(1);
    expect(await metricValue(metrics, 'saga_started_total{service="order",mode="orchestration"}')).toBe(0);
  });

  it('cancels a declined order only once the stock is back, even if the release is seen first', async () => {
    const orderId = await place('bob');
    // The two events travel on different topics: the release may well be consumed before the failure.
    await publish(topics.inventoryEvents, StockReleased.create({ ...ref(orderId), lines: [{ sku: 'SKU-TEA', quantity: 2 }] }, { correlationId: orderId }));
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect((await orderOf('bob', orderId)).status).toBe('PENDING');
    await publish(topics.paymentEvents, PaymentFailed.create({ ...ref(orderId), reason: 'DECLINED', message: 'card declined' }, { correlationId: orderId }));
    await eventually(async () => expect(await orderOf('bob', orderId)).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' }));
    await eventually(() => expect(eventsAbout(orderId)).toEqual(['OrderCreated', 'OrderCancelled']));
    const cancelled = await orderOf('bob', orderId);
    expect(orderViewSchema.parse(cancelled)).toEqual(cancelled);
    expect(await settledAs('CANCELLED', 'PAYMENT_DECLINED')).toBe(1);
  });

  it('absorbs a consumer duplicate fault: each participant event handled twice settles the order once', async () => {
    const approvedBefore = await settledAs('APPROVED', 'none');
    const orderId = await place('dora');
    // Fires on the choreography subscription only (the timeline projector is a read model, not wrapped): both events below.
    expect((await request(service.app).post('/admin/faults').set('Authorization', adminBearer()).send({ operation: 'consumer', effect: 'duplicate', times: 2 })).status).toBe(201);
    await publish(topics.inventoryEvents, StockReserved.create({ ...ref(orderId), lines: [{ sku: 'SKU-TEA', quantity: 2 }] }, { correlationId: orderId }));
    await publish(topics.paymentEvents, PaymentCompleted.create({ ...ref(orderId), paymentId: 'p-3', amountCents: 900 }, { correlationId: orderId }));

    await eventually(async () => expect((await orderOf('dora', orderId)).status).toBe('APPROVED'));
    await eventually(() => expect(service.faults.list()).toEqual([]));
    await eventually(() => expect(eventsAbout(orderId)).toEqual(['OrderCreated', 'OrderApproved']));
    expect((await orderOf('dora', orderId)).history.map((entry: { step: string }) => entry.step)).toEqual(['CREATE_ORDER', 'RESERVE_STOCK', 'CHARGE_PAYMENT', 'APPROVE_ORDER']);
    // Each event handled twice, the settlement counted once.
    expect(await settledAs('APPROVED', 'none')).toBe(approvedBefore + 1);
  });

  it('rebuilds an identical timeline from offset 0', async () => {
    const orderId = await place('carol');
    await publish(topics.inventoryEvents, StockReserved.create({ ...ref(orderId), lines: [{ sku: 'SKU-TEA', quantity: 2 }] }, { correlationId: orderId }));
    await publish(topics.paymentEvents, PaymentCompleted.create({ ...ref(orderId), paymentId: 'p-2', amountCents: 900 }, { correlationId: orderId }));
    const timeline = () => request(service.app).get(`/orders/${orderId}/timeline`).set('Authorization', bearerFor('carol')).then((response) => response.body.events);
    const before = await eventually(async () => {
      const events = await timeline();
      expect(events.map((event: { type: string }) => event.type)).toEqual(['OrderCreated', 'StockReserved', 'PaymentCompleted', 'OrderApproved']);
      return events;
    });
    const whole = (await request(service.app).get(`/orders/${orderId}/timeline`).set('Authorization', bearerFor('carol')).expect(200)).body;
    expect(orderTimelineSchema.parse(whole)).toEqual(whole);

    const replay = await request(service.app).post('/admin/replay').set('Authorization', adminBearer());
    expect(replay.status).toBe(202);
    expect(replay.body.generation).toBeGreaterThan(1);
    expect(replayStartedSchema.parse(replay.body)).toEqual(replay.body);
    await eventually(async () => expect(await timeline()).toEqual(before));
  });
});

describe('order service in choreography: the deadline (a participant never answers)', () => {
  const metrics = createMetrics({ service: 'order', defaultMetrics: false });
  const settledAs = (outcome: string, reason: string) => metricValue(metrics, `saga_completed_total{service="order",mode="choreography",outcome="${outcome}",reason="${reason}"}`);
  const eventLog = new InMemoryEventLog();
  const bus = new InMemoryCommandBus();
  const orderEvents: ConsumedEvent[] = [];
  let db: SqlClient;
  let service: OrderService;

  beforeAll(async () => {
    db = await createPgliteClient();
    await migrateOrderDb(db);
    const prices = { currentPrices: async () => ({ ok: true as const, source: 'live' as const, prices: new Map([['SKU-TEA', 450]]) }) };
    service = createOrderService({
      verifyToken: testTokenVerifier(), db, commandBus: bus, eventLog, prices, metrics, logger: createLogger({ service: 'test', level: 'silent' }),
      runtime: { now: () => new Date(), timeouts: { stepTimeoutMs: 60_000, maxCompensationAttempts: 3 } },
      choreographyDeadlineMs: 400,
      choreographyReapIntervalMs: 50,
    });
    await service.start();
    await eventLog.subscribe({ groupId: 'test-observer', topics: [topics.orderEvents], fromBeginning: true, handle: async (event) => { orderEvents.push(event); } });
  });

  afterAll(async () => {
    await service.stop();
    await eventLog.close();
    await bus.close();
    await db.close();
  });

  const place = async (customer: string, sagaMode: 'choreography' | 'orchestration' = 'choreography') => {
    const response = await request(service.app).post('/orders').set('Authorization', bearerFor(customer)).send({ items: [{ sku: 'SKU-TEA', quantity: 1 }], sagaMode, paymentToken: 'tok_visa' });
    expect(response.status).toBe(202);
    return response.body.orderId as string;
  };
  const orderOf = async (customer: string, orderId: string) => (await request(service.app).get(`/orders/${orderId}`).set('Authorization', bearerFor(customer))).body;
  const eventsAbout = (orderId: string) => orderEvents.filter((event) => event.key === orderId).map((event) => event.envelope);
  const ref = (orderId: string) => ({ orderId, sagaId: orderId });
  const publish = (topic: string, envelope: MessageEnvelope) => eventLog.publish(topic, [{ key: envelope.correlationId, envelope }]);

  it('cancels a silent order as DEADLINE_EXCEEDED with one OrderCancelled; a charge that comes later does not approve it', async () => {
    const orderId = await place('erin');
    await eventually(async () => expect(await orderOf('erin', orderId)).toMatchObject({ status: 'CANCELLED', failureReason: 'DEADLINE_EXCEEDED' }), 5_000);
    const cancelled = await eventually(() => {
      const found = eventsAbout(orderId).filter((envelope) => OrderCancelled.is(envelope));
      expect(found).toHaveLength(1);
      return found[0]!;
    });
    expect(cancelled.payload).toEqual({ orderId, sagaId: orderId, customerId: 'erin', reason: 'DEADLINE_EXCEEDED' });

    // Payment comes back and charges: the order stays cancelled (payment refunds on the OrderCancelled it got).
    await publish(topics.paymentEvents, PaymentCompleted.create({ ...ref(orderId), paymentId: 'p-late', amountCents: 450 }, { correlationId: orderId }));
    const history = await eventually(async () => {
      const body = await orderOf('erin', orderId);
      expect(body.history.map((entry: { step: string; status: string }) => `${entry.step} ${entry.status}`)).toEqual(['CREATE_ORDER SUCCEEDED', 'CANCEL_ORDER SUCCEEDED', 'CHARGE_PAYMENT LATE_REPLY']);
      return body;
    });
    expect(history).toMatchObject({ status: 'CANCELLED', failureReason: 'DEADLINE_EXCEEDED' });
    expect(eventsAbout(orderId).map((envelope) => envelope.type)).toEqual(['OrderCreated', 'OrderCancelled']);
    // The reaper's cancellation, counted once; the late charge is no outcome.
    expect(await settledAs('CANCELLED', 'DEADLINE_EXCEEDED')).toBe(1);
    expect(await settledAs('APPROVED', 'none')).toBe(0);
  });

  it('cancels with the payment\'s reason when its failure came but the stock is not back yet', async () => {
    const orderId = await place('finn');
    await publish(topics.paymentEvents, PaymentFailed.create({ ...ref(orderId), reason: 'DECLINED', message: 'card declined' }, { correlationId: orderId }));
    await eventually(async () => expect(await orderOf('finn', orderId)).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' }), 5_000);
    await publish(topics.inventoryEvents, StockReleased.create({ ...ref(orderId), lines: [{ sku: 'SKU-TEA', quantity: 1 }] }, { correlationId: orderId }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(eventsAbout(orderId).map((envelope) => envelope.type)).toEqual(['OrderCreated', 'OrderCancelled']);
    expect(await settledAs('CANCELLED', 'PAYMENT_DECLINED')).toBe(1);
  });

  it('leaves orchestrated orders to the orchestrator\'s own step deadlines', async () => {
    const orderId = await place('gail', 'orchestration');
    await new Promise((resolve) => setTimeout(resolve, 700));
    expect((await orderOf('gail', orderId)).status).toBe('PENDING');
    expect(await service.choreographyDeadlines!.reapOnce()).toBe(0);
  });
});
