// Unit tests of the relay on PGlite and the in-memory twins: commit-only delivery, NOTIFY wake-ups, order, failures and retries.
import type { SqlClient } from '@saga/db';
import type { ConsumedEvent } from '../ports/event-log.port';
import { eventually } from '../testing/eventually';
import { enqueueOutbox } from './enqueue-outbox';
import { OutboxRelay, type OutboxRelayOptions } from './outbox-relay';
import { commandMessage, eventMessage, migratedPglite, numberOf, recordingTransports, sleep } from './testing/outbox-fixtures';

jest.setTimeout(30_000);

let db: SqlClient;
let relays: OutboxRelay[] = [];
const logged: Array<{ level: string; message: string }> = [];

beforeAll(async () => {
  db = await migratedPglite();
});
afterAll(() => db.close());
beforeEach(async () => {
  await db.exec('DELETE FROM outbox; DELETE FROM processed_messages');
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

async function collectEvents(transports: ReturnType<typeof recordingTransports>, topic = 'orders'): Promise<ConsumedEvent[]> {
  const received: ConsumedEvent[] = [];
  await transports.eventLog.subscribe({ groupId: `g-${topic}`, topics: [topic], fromBeginning: true, handle: async (event) => void received.push(event) });
  return received;
}

it('publishes nothing from a transaction that rolled back', async () => {
  const transports = recordingTransports();
  const relay = relayWith(transports);
  await expect(db.transaction(async (tx) => {
    await enqueueOutbox(tx, [eventMessage(1)]);
    throw new Error('business rule failed');
  })).rejects.toThrow('business rule failed');
  expect(await relay.flush()).toBe(0);
  expect(transports.published).toEqual([]);
  expect(await relay.stats()).toEqual({ pending: 0, parked: 0, published: 0, failures: 0 });
});

it('publishes a committed message exactly once and marks it published', async () => {
  const transports = recordingTransports();
  const received = await collectEvents(transports);
  const relay = relayWith(transports);
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1)]));
  expect((await relay.stats()).pending).toBe(1);
  expect(await relay.flush()).toBe(1);
  expect(await relay.flush()).toBe(0);
  await eventually(() => expect(received.map((event) => numberOf(event.envelope))).toEqual([1]));
  await sleep(50);
  expect(received).toHaveLength(1);
  const { rows } = await db.query<{ published_at: Date | null; attempts: number }>('SELECT published_at, attempts FROM outbox');
  expect(rows).toEqual([{ published_at: expect.any(Date), attempts: 0 }]);
  expect(await relay.stats()).toEqual({ pending: 0, parked: 0, published: 1, failures: 0 });
});

it('is woken by the commit NOTIFY, without waiting for a poll', async () => {
  const transports = recordingTransports();
  await transports.memoryBus.ensureQueue({ queue: 'test-queue', bindings: ['test.do'] });
  const relay = relayWith({ ...transports, pollIntervalMs: 60_000 });
  await relay.start();
  expect(await relay.flush()).toBe(0); // start()'s own pass is over: only the NOTIFY can publish what comes next
  const committedAt = Date.now();
  await db.transaction((tx) => enqueueOutbox(tx, [commandMessage(1, 'test.do', 'test.replies')]));
  // Generous bound for a loaded CI machine; the poll would take 60 s.
  await eventually(() => expect(transports.published).toEqual([1]), 2_000, 5);
  expect(Date.now() - committedAt).toBeLessThan(2_000);
});

it('publishes rows left pending before start() without any new commit', async () => {
  const transports = recordingTransports();
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1), eventMessage(2)]));
  await relayWith({ ...transports, pollIntervalMs: 60_000 }).start();
  await eventually(() => expect(transports.published).toEqual([1, 2]), 2_000);
});

it('keeps the commit order within each lane across many rows, transactions and batches', async () => {
  const transports = recordingTransports();
  await transports.memoryBus.ensureQueue({ queue: 'test-queue', bindings: ['test.do'] });
  const received = await collectEvents(transports);
  await relayWith({ ...transports, batchSize: 7 }).start();
  const expected: number[] = [];
  for (let txNo = 0; txNo < 20; txNo += 1) {
    const messages = Array.from({ length: 1 + (txNo % 4) }, (_, i) => {
      const n = expected.length + i;
      return n % 5 === 0 ? commandMessage(n) : eventMessage(n, n % 2 === 0 ? 'orders' : 'payments');
    });
    expected.push(...messages.map((message) => numberOf(message.envelope)));
    await db.transaction((tx) => enqueueOutbox(tx, messages));
  }
  // Each transport is a lane of its own (a stalled broker delays only its own messages): order holds within a lane.
  const isCommand = (n: number) => n % 5 === 0;
  await eventually(() => expect([...transports.published].sort((a, b) => a - b)).toEqual(expected));
  expect(transports.published.filter(isCommand)).toEqual(expected.filter(isCommand));
  expect(transports.published.filter((n) => !isCommand(n))).toEqual(expected.filter((n) => !isCommand(n)));
  const onOrders = expected.filter((n) => n % 5 !== 0 && n % 2 === 0);
  await eventually(() => expect(received.map((event) => numberOf(event.envelope))).toEqual(onOrders));
});

it('runs one flush at a time and coalesces concurrent calls into one follow-up', async () => {
  const transports = recordingTransports();
  let inFlight = 0;
  let maxInFlight = 0;
  const slowLog = {
    ...transports.eventLog,
    publish: async (topic: string, events: Parameters<typeof transports.eventLog.publish>[1]) => {
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await sleep(20);
      await transports.eventLog.publish(topic, events);
      inFlight -= 1;
    },
  };
  const relay = relayWith({ eventLog: slowLog });
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1)]));
  const counts = await Promise.all([relay.flush(), relay.flush(), relay.flush(), relay.flush()]);
  expect(counts).toEqual([1, 0, 0, 0]);
  expect(maxInFlight).toBe(1);
  expect(transports.published).toEqual([1]);
});

it('stops listening on stop() and waits for the flush in flight', async () => {
  const transports = recordingTransports();
  const relay = relayWith({ ...transports, pollIntervalMs: 20 });
  await relay.start();
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1)]));
  await relay.stop();
  const afterStop = transports.published.length;
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(2)]));
  await sleep(100);
  expect(transports.published).toHaveLength(afterStop);
  expect(await relay.flush()).toBe(afterStop === 0 ? 2 : 1); // flush still works after stop, e.g. at shutdown
});

it('leaves its lanes to another relay once its lease runs out, when it died without giving them back', async () => {
  const crashed = recordingTransports();
  // Only flush(): no timers, no stop(), so nothing gives the lanes back, as with a killed process.
  const dead = new OutboxRelay({ db, ...crashed, laneLeaseMs: 300, log: () => undefined });
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(1)]));
  expect(await dead.flush()).toBe(1);

  const successor = recordingTransports();
  const relay = relayWith({ ...successor, laneLeaseMs: 300 });
  await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(2)]));
  expect(await relay.flush()).toBe(0); // the dead relay's lease still runs
  await sleep(350);
  expect(await relay.flush()).toBe(1);
  expect(successor.published).toEqual([2]);
  expect(crashed.published).toEqual([1]);
});

it('keeps its lanes for as long as it keeps publishing, however much longer than one lease that is', async () => {
  const holder = recordingTransports();
  const other = recordingTransports();
  const first = relayWith({ ...holder, laneLeaseMs: 200 });
  const second = relayWith({ ...other, laneLeaseMs: 200 });
  const expected: number[] = [];
  for (let n = 1; n <= 16; n += 1) {
    await db.transaction((tx) => enqueueOutbox(tx, [eventMessage(n)]));
    expected.push(n);
    if (n === 1) expect(await first.flush()).toBe(1);
    else {
      expect(await second.flush()).toBe(0);
      expect(await first.flush()).toBe(1);
    }
    await sleep(50); // 16 × 50 ms: four leases' worth
  }
  expect(holder.published).toEqual(expected);
  expect(other.published).toEqual([]);
});
