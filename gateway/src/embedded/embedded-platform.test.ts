// `npm start`'s platform, in this test process: both saga modes run to their end on PGlite and the in-memory twins.
import { createTokenVerifier, defaultJwtSettings } from '@saga/auth';
import { bearerFor } from '@saga/auth/testing';
import { createLogger } from '@saga/platform';
import { eventually } from '@saga/resilience';
import request from 'supertest';
import { startEmbeddedPlatform, type EmbeddedPlatform } from './embedded-platform';

jest.setTimeout(60_000);

describe('embedded platform', () => {
  let platform: EmbeddedPlatform;

  beforeAll(async () => {
    platform = await startEmbeddedPlatform({
      host: '127.0.0.1',
      ports: { order: 0, inventory: 0, payment: 0, notification: 0, provider: 0 },
      logger: createLogger({ service: 'embedded-test', level: 'silent' }),
      stepTimeoutMs: 10_000,
      defaultSagaMode: 'orchestration',
      verifyToken: createTokenVerifier(defaultJwtSettings()),
    });
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
});
