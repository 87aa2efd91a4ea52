// End to end through the gateway: a command the inventory keeps failing on is dead-lettered, listed at
// /api/admin/dead-letters with its reason, re-driven once the fault is gone, handled once; a second re-drive changes nothing.
import { randomUUID } from 'node:crypto';
import { ReserveStock } from '@saga/contracts';
import { RabbitMqCommandBus, type ConsumedCommand, type DeadLetterView } from '@saga/messaging';
import { eventually } from '@saga/resilience';
import { gatewayCall, login, type ErrorBody } from './support/gateway-client';
import { getProduct } from './support/order-client';
import { PLATFORM_LOCK_TIMEOUT_MS, startPlatform, withServiceLogs, type Platform } from './support/platform-processes';

jest.setTimeout(120_000);

let platform: Platform | undefined;
const p = () => platform!;

beforeAll(async () => {
  platform = await startPlatform({ services: ['provider', 'inventory', 'payment', 'notification', 'order', 'gateway'] });
}, PLATFORM_LOCK_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

interface Listing {
  items: DeadLetterView[];
  services: Record<string, string>;
}

it('dead-letters a command, lists it with its reason, re-drives it once the fault is gone, and it is handled once', withServiceLogs(() => platform, async () => {
  const gw = p().urls.gateway;
  const admin = await login(gw, 'admin', 'admin-secret');
  const call = <T>(method: string, path: string, body?: unknown) => gatewayCall<T>(gw, method, path, { authorization: admin, ...(body === undefined ? {} : { body }) });
  // A sender of our own on the run's vhost, with a reply queue of our own: we see exactly what inventory answers.
  const bus = await RabbitMqCommandBus.connect({ url: p().rabbitUrl, connectionName: 'e2e-dead-letters' });
  const replies: ConsumedCommand[] = [];
  const run = randomUUID().slice(0, 8);
  const replyQueue = { queue: `e2e-dlq-replies-${run}`, bindings: [`e2e.dlq.${run}`] };
  try {
    await bus.consume({ ...replyQueue, handle: async (reply) => { replies.push(reply); } });
    const fault = await call<{ id: string }>('POST', '/api/admin/faults/inventory', { operation: 'consumer', effect: 'error' });
    expect(fault.status).toBe(201);

    const orderId = `dlq-${run}`;
    await bus.send('inventory.reserve-stock', ReserveStock.create({ orderId, sagaId: orderId, lines: [{ sku: 'SKU-APPLE', quantity: 1 }] }, { correlationId: orderId }), { replyTo: replyQueue.bindings[0]! });
    const letter = await eventually(async () => {
      const listing = await call<Listing>('GET', '/api/admin/dead-letters?state=dead-lettered');
      expect(listing.status).toBe(200);
      const found = listing.body.items.find((item) => item.orderId === orderId);
      expect(found).toBeDefined();
      expect(listing.body.services).toEqual({ order: 'ok', inventory: 'ok', payment: 'ok', notification: 'ok' });
      return found!;
    }, 40_000, 500);
    expect(letter).toMatchObject({ service: 'inventory', broker: 'rabbitmq', source: 'inventory.commands', type: 'ReserveStock', state: 'dead-lettered', reason: expect.stringMatching(/^HANDLER_FAILED after \d+ attempts: /) });
    expect(letter.id).toMatch(/^inventory:rabbitmq:/);
    expect(letter.attempts).toBeGreaterThan(1);
    expect(replies).toEqual([]);

    expect((await call('DELETE', `/api/admin/faults/inventory/${fault.body.id}`)).status).toBe(204);
    const before = (await getProduct(p().urls.inventory, 'SKU-APPLE')).available;
    const redriven = await call('POST', `/api/admin/dead-letters/${letter.id}/redrive`);
    expect(redriven).toMatchObject({ status: 202, body: { id: letter.id, outcome: 'redriven' } });
    await eventually(() => expect(replies.map((reply) => reply.envelope.type)).toEqual(['StockReserved']), 20_000);
    expect(replies[0]!.envelope.correlationId).toBe(orderId);

    // Out of the dead-letter queue: a second re-drive finds nothing, and nothing more happens.
    const again = await call<ErrorBody>('POST', `/api/admin/dead-letters/${letter.id}/redrive`);
    expect(again).toMatchObject({ status: 404, body: { error: { code: 'DEAD_LETTER_NOT_FOUND' } } });
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    expect(replies).toHaveLength(1);
    expect((await getProduct(p().urls.inventory, 'SKU-APPLE')).available).toBe(before - 1);
    const listed = await call<Listing>('GET', '/api/admin/dead-letters?service=inventory');
    expect(listed.body.items.find((item) => item.orderId === orderId)).toBeUndefined();

    // Client input never becomes a 5xx.
    expect((await call<ErrorBody>('POST', '/api/admin/dead-letters/not-an-id/redrive')).status).toBe(400);
    expect((await call<ErrorBody>('POST', '/api/admin/dead-letters/inventory:kafka:inventory-service.dlt:0:999999999/redrive')).status).toBe(404);
  } finally {
    await call('DELETE', '/api/admin/faults/inventory').catch(() => undefined);
    await bus.close();
  }
}));
