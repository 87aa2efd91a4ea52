// On real PostgreSQL (PGlite has one connection, so no real concurrency): three order-service instances reaping the
// same overdue orders, while participant events settle some of them, cancel each order at most once, one
// OrderCancelled each, and never touch an order that settled first or is not yet due.
import { randomUUID } from 'node:crypto';
import { PaymentCompleted } from '@saga/contracts';
import { createPgClient, type SqlClient } from '@saga/db';
import { createTempDatabase, type TempDatabase } from '@saga/db/testing';
import { enqueueOutbox } from '@saga/messaging';
import { migrateOrderDb } from './store/order-migrations';
import { insertOrder } from './store/order-repository';
import { ChoreographyReaper } from './app/choreography-deadlines';
import { reactToParticipantEvent } from './app/react-to-participant-event';

jest.setTimeout(60_000);

describe('choreography reaper on PostgreSQL, several instances', () => {
  let database: TempDatabase;
  const clients: SqlClient[] = [];
  const now = new Date('2030-01-01T12:00:00Z');
  const deadlineMs = 30_000;

  beforeAll(async () => {
    database = await createTempDatabase('order_reaper_it');
    for (let i = 0; i < 3; i += 1) clients.push(await createPgClient({ connectionString: database.url, applicationName: `order-reaper-${i}` }));
    await migrateOrderDb(clients[0]!);
  });

  afterAll(async () => {
    for (const client of clients) await client.close();
    await database?.drop();
  });

  const placeChoreographed = async (db: SqlClient, ageMs: number): Promise<string> => {
    const orderId = randomUUID();
    const at = new Date(now.getTime() - ageMs);
    await insertOrder(db, { orderId, customerId: 'c-1', status: 'PENDING', sagaMode: 'choreography', items: [{ sku: 'SKU-TEA', quantity: 1, unitPriceCents: 450 }], totalCents: 450, failureReason: null, createdAt: at, updatedAt: at });
    return orderId;
  };

  it('cancels every overdue order exactly once while events race it, and leaves the young ones alone', async () => {
    const db = clients[0]!;
    const overdue = await Promise.all(Array.from({ length: 60 }, () => placeChoreographed(db, deadlineMs + 1_000)));
    const young = await Promise.all(Array.from({ length: 5 }, () => placeChoreographed(db, deadlineMs - 5_000)));
    const reapers = clients.map((client) => new ChoreographyReaper({ db: client, now: () => now, deadlineMs, intervalMs: 1_000, batchSize: 7, onError: (error) => { throw error; } }));
    // Payment answers ten of the overdue orders at the same moment the reapers run: whoever locks the row first wins.
    const raced = overdue.slice(0, 10);
    const paymentsLand = raced.map((orderId, i) =>
      clients[i % clients.length]!.transaction(async (tx) => {
        const envelope = PaymentCompleted.create({ orderId, sagaId: orderId, paymentId: `p-${i}`, amountCents: 450 }, { correlationId: orderId });
        await enqueueOutbox(tx, (await reactToParticipantEvent(tx, envelope, now)).messages);
      }),
    );
    const counts = await Promise.all([...reapers.map((reaper) => reaper.reapOnce()), ...reapers.map((reaper) => reaper.reapOnce())]);
    await Promise.all(paymentsLand);
    expect(await Promise.all(reapers.map((reaper) => reaper.reapOnce()))).toEqual([0, 0, 0]);

    const { rows } = await db.query<{ order_id: string; status: string; failure_reason: string | null; announced: string[] }>(
      `SELECT o.order_id, o.status, o.failure_reason,
              coalesce(array_agg(x.envelope->>'type' ORDER BY x.id) FILTER (WHERE x.id IS NOT NULL), '{}') AS announced
         FROM orders o LEFT JOIN outbox x ON x.partition_key = o.order_id::text
        GROUP BY o.order_id, o.status, o.failure_reason`,
    );
    const byId = new Map(rows.map((row) => [row.order_id, row]));
    const approved = raced.filter((orderId) => byId.get(orderId)!.status === 'APPROVED');
    for (const orderId of overdue) {
      const row = byId.get(orderId)!;
      expect({ orderId, announced: row.announced }).toEqual({ orderId, announced: [row.status === 'APPROVED' ? 'OrderApproved' : 'OrderCancelled'] });
      if (row.status === 'CANCELLED') expect(row.failure_reason).toBe('DEADLINE_EXCEEDED');
    }
    expect(counts.reduce((sum, n) => sum + n, 0)).toBe(overdue.length - approved.length);
    for (const orderId of young) expect(byId.get(orderId)).toMatchObject({ status: 'PENDING', announced: [] });
  });
});
