// Unit tests of the outbox tables on PGlite: migrations, what enqueueOutbox writes and refuses, and housekeeping.
import type { MessageEnvelope } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { enqueueOutbox } from './enqueue-outbox';
import { purgeOldMessages } from './outbox-housekeeping';
import { messagingMigrations } from './outbox-migrations';
import { commandMessage, envelopeFor, eventMessage, migratedPglite, sleep } from './testing/outbox-fixtures';

jest.setTimeout(30_000);

let db: SqlClient;
beforeAll(async () => {
  db = await migratedPglite();
});
afterAll(() => db.close());
beforeEach(() => db.exec('DELETE FROM outbox; DELETE FROM processed_messages'));

it('names every migration with the messaging- prefix, so they cannot clash with a service\'s own', () => {
  expect(messagingMigrations.map((migration) => migration.id)).toEqual(['messaging-001-outbox', 'messaging-002-processed-messages', 'messaging-003-outbox-lanes-and-parking']);
});

it('stores each message with its transport, destination, key, reply address and envelope, in list order', async () => {
  const messages = [eventMessage(1, 'orders', 'order-7'), commandMessage(2, 'payment.charge', 'orchestrator.replies'), commandMessage(3, 'payment.refund')];
  await db.transaction((tx) => enqueueOutbox(tx, messages));
  const { rows } = await db.query('SELECT message_id, transport, destination, partition_key, reply_to, envelope, published_at, attempts FROM outbox ORDER BY id');
  expect(rows).toEqual([
    { message_id: messages[0]!.envelope.messageId, transport: 'event', destination: 'orders', partition_key: 'order-7', reply_to: null, envelope: messages[0]!.envelope, published_at: null, attempts: 0 },
    { message_id: messages[1]!.envelope.messageId, transport: 'command', destination: 'payment.charge', partition_key: null, reply_to: 'orchestrator.replies', envelope: messages[1]!.envelope, published_at: null, attempts: 0 },
    { message_id: messages[2]!.envelope.messageId, transport: 'command', destination: 'payment.refund', partition_key: null, reply_to: null, envelope: messages[2]!.envelope, published_at: null, attempts: 0 },
  ]);
});

it('notifies the relay only when the transaction commits', async () => {
  const notified: string[] = [];
  const unlisten = await db.listen('outbox', (payload) => notified.push(payload));
  await db.transaction((tx) => enqueueOutbox(tx, [])); // nothing to publish, nothing to wake
  await expect(db.transaction(async (tx) => {
    await enqueueOutbox(tx, [eventMessage(1)]);
    throw new Error('rolled back');
  })).rejects.toThrow('rolled back');
  await sleep(20);
  expect(notified).toEqual([]);
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(2)]));
  await sleep(20);
  expect(notified).toEqual(['']);
  await unlisten();
});

it('refuses an invalid envelope, failing the caller\'s transaction rather than blocking the relay later', async () => {
  const broken = { ...envelopeFor(1), messageId: 'not-a-uuid' } as MessageEnvelope;
  await expect(db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1), { transport: 'event', topic: 'orders', key: 'k', envelope: broken }])))
    .rejects.toThrow(/Invalid envelope.*messageId/);
  expect((await db.query('SELECT 1 FROM outbox')).rowCount).toBe(0);
});

it('refuses the same messageId twice', async () => {
  const message = eventMessage(1);
  await db.transaction((tx) => enqueueOutbox(tx, [message]));
  await expect(db.transaction((tx) => enqueueOutbox(tx, [message]))).rejects.toMatchObject({ code: '23505' });
});

it('enqueues a list longer than one statement allows, keeping its order', async () => {
  const messages = Array.from({ length: 2_345 }, (_, n) => eventMessage(n));
  await db.transaction((tx) => enqueueOutbox(tx, messages));
  const { rows } = await db.query<{ n: number }>("SELECT (envelope->'payload'->>'n')::int AS n FROM outbox ORDER BY id");
  expect(rows.map((row) => row.n)).toEqual(messages.map((_, n) => n));
});

it('purges long-published rows and old dedup records, never a pending row', async () => {
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1), eventMessage(2), eventMessage(3)]));
  await db.exec(`
    UPDATE outbox SET published_at = now() - interval '2 hours' WHERE envelope->'payload'->>'n' = '1';
    UPDATE outbox SET published_at = now() - interval '5 minutes' WHERE envelope->'payload'->>'n' = '2';
    UPDATE outbox SET created_at = now() - interval '30 days';
    INSERT INTO processed_messages (consumer, message_id, processed_at) VALUES ('c', 'old', now() - interval '8 days'), ('c', 'recent', now() - interval '1 day');
  `);
  const deleted = await purgeOldMessages(db, { retainPublishedMs: 60 * 60 * 1_000, retainProcessedMs: 7 * 24 * 60 * 60 * 1_000 });
  expect(deleted).toEqual({ outbox: 1, processed: 1 });
  const { rows } = await db.query<{ n: string }>("SELECT envelope->'payload'->>'n' AS n FROM outbox ORDER BY id");
  expect(rows.map((row) => row.n)).toEqual(['2', '3']);
  expect((await db.query('SELECT message_id FROM processed_messages')).rows).toEqual([{ message_id: 'recent' }]);
});
