// `npm start`'s platform, in this test process: both saga modes run to their end on PGlite and the in-memory twins.
import { adminBearer, bearerFor } from '@saga/auth/testing';
import { createMetrics } from '@saga/metrics';
import { eventually } from '@saga/resilience';
import request from 'supertest';
import type { EmbeddedPlatform } from './embedded-platform';
import { startTestPlatform } from './testing/test-platform';

jest.setTimeout(60_000);

describe('embedded platform', () => {
  let platform: EmbeddedPlatform;
  // One registry for the whole process, as npm start has.
  const metrics = createMetrics({ service: 'embedded', defaultMetrics: false });

  beforeAll(async () => {
    platform = await startTestPlatform({ metrics });
  });
  afterAll(() => platform?.stop());

  it('registers every service in the in-memory registry, where the gateway and the services find each other', async () => {
    for (const name of ['order', 'inventory', 'payment', 'notification', 'payment-provider']) {
      const instances = await platform.registry.healthyInstances(name);
      expect(instances).toEqual([expect.objectContaining({ id: expect.stringMatching(new RegExp(`^${name}-embedded-\\d+$`)), address: '127.0.0.1' })]);
    }
    const [inventory] = await platform.registry.healthyInstances('inventory');
    expect(`http://127.0.0.1:${inventory?.port}`).toBe(platform.urls.inventory);
  });

  it.each(['orchestration', 'choreography'])('runs a %s order to APPROVED and a declined one to CANCELLED', async (sagaMode) => {
    const alice = bearerFor('alice');
    const place = (paymentToken: string) =>
      request(platform.urls.order).post('/orders').set('Authorization', alice).send({ items: [{ sku: 'SKU-BREAD', quantity: 1 }], sagaMode, paymentToken });
    const approved = await place('tok_visa');
    const declined = await place('tok_chargeDeclined');
    expect([approved.status, declined.status]).toEqual([202, 202]);
    const statusOf = async (orderId: string) => (await request(platform.urls.order).get(`/orders/${orderId}`).set('Authorization', alice)).body;
    await eventually(async () => expect(await statusOf(approved.body.orderId)).toMatchObject({ status: 'APPROVED', sagaMode }));
    await eventually(async () => expect(await statusOf(declined.body.orderId)).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' }));
    await eventually(async () => {
      const notices = (await request(platform.urls.notification).get(`/notifications?orderId=${declined.body.orderId}`).set('Authorization', alice)).body.items;
      expect(notices.map((notice: { kind: string }) => notice.kind)).toEqual(['ORDER_CANCELLED']);
    });
  });

  it('takes fault rules per service over HTTP: a notification `send` delay fires on the way to APPROVED', async () => {
    // Straight to the service's own URL, as an operator would in embedded mode (the gateway does not route /admin/faults).
    const admin = adminBearer();
    const faults = `${platform.urls.notification}/admin/faults`;
    const rule = await request(faults).post('').set('Authorization', admin).send({ operation: 'send', effect: 'delay', delayMs: 50 });
    expect(rule.status).toBe(201);
    const alice = bearerFor('alice');
    const placed = await request(platform.urls.order).post('/orders').set('Authorization', alice).send({ items: [{ sku: 'SKU-BREAD', quantity: 1 }], sagaMode: 'orchestration' });
    expect(placed.status).toBe(202);
    await eventually(async () => expect((await request(platform.urls.order).get(`/orders/${placed.body.orderId}`).set('Authorization', alice)).body).toMatchObject({ status: 'APPROVED' }));

    // The delay held the confirmation before its channel; the delivery then went through on its first attempt.
    const listed = (await request(faults).get('').set('Authorization', admin)).body;
    expect(listed.items).toEqual([expect.objectContaining({ id: rule.body.id, service: 'notification', operation: 'send', effect: 'delay' })]);
    expect(listed.items[0].triggered).toBeGreaterThanOrEqual(1);
    // APPROVED comes with the charge; the confirmation is sent after it (SENDING meanwhile: no transaction holds it).
    await eventually(async () => {
      const notices = (await request(platform.urls.notification).get(`/notifications?orderId=${placed.body.orderId}`).set('Authorization', alice)).body.items;
      expect(notices).toEqual([expect.objectContaining({ kind: 'ORDER_CONFIRMED', status: 'SENT', attempts: 1 })]);
    });
    expect((await request(`${faults}/${rule.body.id}`).delete('').set('Authorization', admin)).status).toBe(204);
  });

  it('simulates crash-after-commit in-process: the order consumer throws after committing, the reply comes back, the saga still ends once', async () => {
    const admin = adminBearer();
    const faults = `${platform.urls.order}/admin/faults`;
    expect((await request(faults).post('').set('Authorization', admin).send({ operation: 'consumer', effect: 'crash-after-commit', times: 1 })).status).toBe(201);
    const alice = bearerFor('alice');
    const placed = await request(platform.urls.order).post('/orders').set('Authorization', alice).send({ items: [{ sku: 'SKU-BREAD', quantity: 1 }], sagaMode: 'orchestration' });
    const orderOf = async () => (await request(platform.urls.order).get(`/orders/${placed.body.orderId}`).set('Authorization', alice)).body;
    await eventually(async () => expect(await orderOf()).toMatchObject({ status: 'APPROVED' }));

    // The platform is still up (no SIGKILL), the rule was used up, and every step succeeded exactly once.
    expect((await request(faults).get('').set('Authorization', admin)).body.items).toEqual([]);
    // NOTIFY_CONFIRMED succeeds after APPROVED, once the notification's reply is back.
    await eventually(async () => {
      const succeeded = (await orderOf()).history.filter((entry: { status: string }) => entry.status === 'SUCCEEDED').map((entry: { step: string }) => entry.step);
      expect(succeeded).toEqual([...new Set(succeeded)]);
      expect(succeeded).toEqual(expect.arrayContaining(['RESERVE_STOCK', 'CHARGE_PAYMENT', 'NOTIFY_CONFIRMED']));
    });
  });

  it('takes a payment `charge` error rule at the payment URL: the next order is cancelled as provider unavailable, the one after is approved', async () => {
    const admin = adminBearer();
    const faults = `${platform.urls.payment}/admin/faults`;
    const rule = await request(faults).post('').set('Authorization', admin).send({ operation: 'charge', effect: 'error', times: 1 });
    expect(rule.status).toBe(201);
    expect(rule.body).toMatchObject({ service: 'payment', operation: 'charge', effect: 'error' });
    const alice = bearerFor('alice');
    const place = () => request(platform.urls.order).post('/orders').set('Authorization', alice).send({ items: [{ sku: 'SKU-BREAD', quantity: 1 }], sagaMode: 'orchestration' });
    const statusOf = async (orderId: string) => (await request(platform.urls.order).get(`/orders/${orderId}`).set('Authorization', alice)).body;

    const failed = await place();
    await eventually(async () => expect(await statusOf(failed.body.orderId)).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_PROVIDER_UNAVAILABLE' }));
    expect((await request(faults).get('').set('Authorization', admin)).body.items).toEqual([]);
    const next = await place();
    await eventually(async () => expect(await statusOf(next.body.orderId)).toMatchObject({ status: 'APPROVED' }));
  });

  it('records every service into the one registry, each under its own service label, fired fault rules included', async () => {
    const text = await metrics.registry.metrics();
    expect(text).toMatch(/http_requests_total\{service="order",method="POST",route="\/orders",status="202"\} \d+/);
    expect(text).toMatch(/http_requests_total\{service="order",method="GET",route="\/orders\/:orderId",status="200"\} \d+/);
    expect(text).toMatch(/http_requests_total\{service="payment-provider",method="POST",route="[^"]+",status="\d+"\} \d+/);
    expect(text).toContain('fault_rules_fired_total{service="payment",operation="charge",effect="error"} 1');
    expect(text).toContain('fault_rules_fired_total{service="order",operation="consumer",effect="crash-after-commit"} 1');
    // The saga instruments, recorded by the order service (both modes ran above).
    expect(text).toMatch(/saga_started_total\{service="order",mode="orchestration"\} \d+/);
    expect(text).toMatch(/saga_started_total\{service="order",mode="choreography"\} \d+/);
    expect(text).toMatch(/saga_completed_total\{service="order",mode="choreography",outcome="CANCELLED",reason="PAYMENT_DECLINED"\} \d+/);
  });
});
