// The timeline keeps the events of this database's orders, once each, and skips everyone else's without a write.
import { randomUUID } from 'node:crypto';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { ORDER_CHANGES_CHANNEL } from './order-changes';
import { migrateOrderDb } from './order-migrations';
import { insertOrder } from './order-repository';
import { appendTimeline, timelineOf, type TimelineEntry } from './timeline-repository';

let db: SqlClient;

beforeAll(async () => {
  db = await createPgliteClient();
  await migrateOrderDb(db);
});

afterAll(async () => {
  await db.close();
});

const event = (orderId: string, type = 'StockReserved'): TimelineEntry => ({
  messageId: randomUUID(),
  orderId,
  type,
  topic: 'inventory.events.v1',
  partition: 0,
  offset: '7',
  occurredAt: new Date().toISOString(),
  payload: { orderId },
});

async function placedOrder(): Promise<string> {
  const orderId = randomUUID();
  const now = new Date();
  await insertOrder(db, { orderId, customerId: 'alice', status: 'PENDING', sagaMode: 'choreography', items: [{ sku: 'SKU-APPLE', quantity: 1, unitPriceCents: 100 }], totalCents: 100, failureReason: null, createdAt: now, updatedAt: now });
  return orderId;
}

test('an event of one of its orders is appended once and announced once', async () => {
  const orderId = await placedOrder();
  const announced: string[] = [];
  const unlisten = await db.listen(ORDER_CHANGES_CHANNEL, (payload) => announced.push(payload));
  try {
    const entry = event(orderId);
    expect(await appendTimeline(db, entry)).toBe(true);
    expect(await appendTimeline(db, entry)).toBe(false);
    expect((await timelineOf(db, orderId)).map((e) => e.messageId)).toEqual([entry.messageId]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(announced).toEqual([orderId]);
  } finally {
    await unlisten();
  }
});

test('an event of an order this database does not hold (an earlier deployment\'s, on the same topics) is skipped', async () => {
  const foreign = randomUUID();
  expect(await appendTimeline(db, event(foreign))).toBe(false);
  expect(await appendTimeline(db, event('not-a-uuid'))).toBe(false);
  const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM order_timeline WHERE order_id = ANY($1)', [[foreign, 'not-a-uuid']]);
  expect(rows[0]?.n).toBe(0);
});
