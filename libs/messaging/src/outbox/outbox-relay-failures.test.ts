// Unit tests of the relay's failure path on PGlite and the in-memory twins: stop at the failing row, record it, retry in order.
import type { SqlClient } from '@saga/db';
import { createHttpApp, createLogger } from '@saga/platform';
import request from 'supertest';
import { UnroutableMessageError } from '../ports/command-bus.port';
import { eventually } from '../testing/eventually';
import { enqueueOutbox } from './enqueue-outbox';
import { outboxAdminRoutes, outboxListSchema, outboxRedrivenSchema } from './outbox-admin.routes';
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

it('a command the broker cannot route holds back neither the event lane nor other commands, and goes out once its queue exists', async () => {
  const transports = recordingTransports();
  await transports.memoryBus.ensureQueue({ queue: 'bound', bindings: ['test.do'] });
  const relay = relayWith({ ...transports, retryInitialDelayMs: 20, retryMaxDelayMs: 100, maxRefusals: 1_000 });
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1), commandMessage(2, 'not.bound.yet'), eventMessage(3), commandMessage(4, 'test.do')]));

  // Marked in the transaction that records the failure: everything else went out.
  expect(await relay.flush()).toBe(3);
  expect([...transports.published].sort()).toEqual([1, 3, 4]);
  const { rows } = await db.query<{ n: number; published: boolean; attempts: number; last_error: string | null }>(
    "SELECT (envelope->'payload'->>'n')::int AS n, published_at IS NOT NULL AS published, attempts, last_error FROM outbox ORDER BY id",
  );
  expect(rows.map(({ n, published }) => ({ n, published }))).toEqual([
    { n: 1, published: true },
    { n: 2, published: false },
    { n: 3, published: true },
    { n: 4, published: true },
  ]);
  expect(rows[1]!.attempts).toBeGreaterThanOrEqual(1);
  expect(rows[1]!.last_error).toContain(new UnroutableMessageError('not.bound.yet').message);
  expect(logged).toContainEqual({ level: 'warn', message: expect.stringContaining('outbox publish failed') });

  await relay.start(); // automatic retries with backoff, still failing
  await eventually(async () => expect((await relay.stats()).failures).toBeGreaterThanOrEqual(3));
  await transports.memoryBus.ensureQueue({ queue: 'late-queue', bindings: ['not.bound.yet'] });
  await eventually(() => expect([...transports.published].sort()).toEqual([1, 2, 3, 4]));
  expect((await relay.stats()).pending).toBe(0);
});

it('parks a row refused again and again (an unroutable reply), lists it, and re-drives it once its queue exists', async () => {
  const transports = recordingTransports();
  await transports.memoryBus.ensureQueue({ queue: 'bound', bindings: ['test.do'] });
  const relay = relayWith({ ...transports, retryInitialDelayMs: 10, retryMaxDelayMs: 20, maxRefusals: 3 });
  await relay.start();
  await db.transaction((tx) => enqueueOutbox(tx, [commandMessage(1, 'test.do', 'nowhere.reply'), commandMessage(2, 'nowhere.reply')]));
  await eventually(async () => expect(await relay.stats()).toMatchObject({ pending: 0, parked: 1 }));
  // Later commands flow past the parked one.
  await db.transaction((tx) => enqueueOutbox(tx, [commandMessage(3)]));
  await eventually(() => expect([...transports.published].sort()).toEqual([1, 3]));

  // Through the operator routes (no guard here: the services mount them behind their admin check), held to their documented schemas.
  const app = createHttpApp({ service: 'test', logger: createLogger({ service: 'test', level: 'silent' }), readiness: async () => ({ status: 'ready', checks: {} }), routes: outboxAdminRoutes(db, []) });
  const parked = (await request(app).get('/admin/outbox?state=parked&limit=10').expect(200)).body;
  expect(outboxListSchema.parse(parked)).toEqual(parked);
  expect(parked.counts).toEqual({ pending: 0, parked: 1 });
  expect(parked.items).toEqual([expect.objectContaining({ transport: 'command', destination: 'nowhere.reply', type: 'TestMessage', attempts: 3, lastError: expect.stringContaining('UnroutableMessageError'), parkedAt: expect.any(String) })]);
  expect(logged).toContainEqual({ level: 'warn', message: expect.stringContaining('parked') });

  await transports.memoryBus.ensureQueue({ queue: 'reply-queue', bindings: ['nowhere.reply'] });
  const redriven = (await request(app).post(`/admin/outbox/${parked.items[0].id}/redrive`).expect(202)).body;
  expect(redriven).toEqual({ id: parked.items[0].id, state: 'pending' });
  expect(outboxRedrivenSchema.parse(redriven)).toEqual(redriven);
  expect((await request(app).post(`/admin/outbox/${parked.items[0].id}/redrive`).expect(404)).body.error.code).toBe('OUTBOX_ROW_NOT_FOUND');
  await eventually(() => expect([...transports.published].sort()).toEqual([1, 2, 3]));
  expect(await relay.stats()).toMatchObject({ pending: 0, parked: 0 });
});

it('never parks anything while the broker itself is away: the lane waits in order and resumes', async () => {
  const transports = recordingTransports();
  let down = true;
  const flakyLog = { ...transports.eventLog, publish: async (topic: string, events: Parameters<typeof transports.eventLog.publish>[1]) => {
    if (down) throw Object.assign(new Error('broker unreachable'), { retriable: true });
    return transports.eventLog.publish(topic, events);
  } };
  const relay = relayWith({ commandBus: transports.commandBus, eventLog: flakyLog, retryInitialDelayMs: 10, retryMaxDelayMs: 20, maxRefusals: 2 });
  await relay.start();
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1), eventMessage(2)]));
  await eventually(async () => expect((await relay.stats()).failures).toBeGreaterThanOrEqual(6));
  expect(await relay.stats()).toMatchObject({ pending: 2, parked: 0 });
  down = false;
  await eventually(() => expect(transports.published).toEqual([1, 2]));
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
