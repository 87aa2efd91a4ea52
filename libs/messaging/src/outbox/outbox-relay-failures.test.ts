// Unit tests of the relay's failure path on PGlite and the in-memory twins: stop at the failing row, record it, retry in order.
import type { SqlClient } from '@saga/db';
import { UnroutableMessageError } from '../ports/command-bus.port';
import { eventually } from '../testing/eventually';
import { enqueueOutbox } from './enqueue-outbox';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
import { commandMessage, eventMessage, migratedPglite, recordingTransports } from './testing/outbox-fixtures';

jest.setTimeout(30_000);

let db: SqlClient;
let relays: OutboxRelay[] = [];
const logged: Array<{ level: string; message: string }> = [];

beforeAll(async () => {
  db = await migratedPglite();
});
afterAll(() => db.close());
beforeEach(async () => {
  await db.exec('DELETE FROM outbox');
  logged.length = 0;
});
afterEach(async () => {
  await Promise.all(relays.map((relay) => relay.stop()));
  relays = [];
});

function relayWith(options: Omit<OutboxRelayOptions, 'db'>): OutboxRelay {
  const relay = new OutboxRelay({ db, log: (level, message) => logged.push({ level, message }), ...options });
  relays.push(relay);
  return relay;
}

it('stops at a failing row, keeps later rows behind it, and retries until the queue exists', async () => {
  const transports = recordingTransports();
  const relay = relayWith({ ...transports, retryInitialDelayMs: 20, retryMaxDelayMs: 100 });
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1), commandMessage(2, 'not.bound.yet'), eventMessage(3), commandMessage(4, 'not.bound.yet')]));

  // The row confirmed before the failure is marked in the same transaction that records the failure.
  expect(await relay.flush()).toBe(1);
  expect(transports.published).toEqual([1]);
  const { rows } = await db.query<{ n: number; published: boolean; attempts: number; last_error: string | null }>(
    "SELECT (envelope->'payload'->>'n')::int AS n, published_at IS NOT NULL AS published, attempts, last_error FROM outbox ORDER BY id",
  );
  expect(rows.map(({ n, published, attempts }) => ({ n, published, attempts }))).toEqual([
    { n: 1, published: true, attempts: 0 },
    { n: 2, published: false, attempts: 1 },
    { n: 3, published: false, attempts: 0 },
    { n: 4, published: false, attempts: 0 },
  ]);
  expect(rows[1]!.last_error).toContain(new UnroutableMessageError('not.bound.yet').message);
  expect(logged).toContainEqual({ level: 'warn', message: expect.stringContaining('outbox publish failed') });

  await relay.start(); // automatic retries with backoff, still failing
  await eventually(async () => expect((await relay.stats()).failures).toBeGreaterThanOrEqual(3));
  expect(transports.published).toEqual([1]);

  await transports.memoryBus.ensureQueue({ queue: 'late-queue', bindings: ['not.bound.yet'] });
  await eventually(() => expect(transports.published).toEqual([1, 2, 3, 4]));
  expect((await relay.stats()).pending).toBe(0);
});

it('records a failure when the relay lacks the transport a row needs', async () => {
  const { eventLog } = recordingTransports();
  const relay = relayWith({ eventLog });
  await db.transaction((tx) => enqueueOutbox(tx, [commandMessage(1)]));
  expect(await relay.flush()).toBe(0);
  const { rows } = await db.query<{ last_error: string }>('SELECT last_error FROM outbox');
  expect(rows[0]!.last_error).toContain('no commandBus');
  expect((await relay.stats()).failures).toBe(1);
});

it('backs off after a database error too, and recovers when the table is back', async () => {
  const transports = recordingTransports();
  const relay = relayWith({ ...transports, retryInitialDelayMs: 20, retryMaxDelayMs: 50 });
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1)]));
  await db.exec('ALTER TABLE outbox RENAME TO outbox_away');
  await expect(relay.flush()).rejects.toThrow(/outbox/);
  await relay.start();
  await eventually(() => expect(logged.filter((entry) => entry.level === 'error').length).toBeGreaterThanOrEqual(2));
  await db.exec('ALTER TABLE outbox_away RENAME TO outbox');
  await eventually(() => expect(transports.published).toEqual([1]));
});
