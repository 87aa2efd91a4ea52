// Integration tests on real PostgreSQL, RabbitMQ and Kafka: competing relays publish each row once; enqueue → Kafka end to end.
import { randomBytes } from 'node:crypto';
import { createPgClient, migrate, type SqlClient } from '@saga/db';
import { connect } from 'amqplib';
import { KafkaEventLog } from '../kafka/kafka-event-log';
import type { ConsumedCommand } from '../ports/command-bus.port';
import type { Subscription } from '../ports/delivery.types';
import type { ConsumedEvent } from '../ports/event-log.port';
import { RabbitMqCommandBus } from '../rabbitmq/rabbitmq-command-bus';
import { eventually } from '../testing/eventually';
import { enqueueOutbox, type OutboxMessage } from './enqueue-outbox';
import { messagingMigrations } from './outbox-migrations';
import { listOutbox, redriveOutboxRow } from './outbox-admin';
import { OutboxRelay } from './outbox-relay';
import { commandMessage, eventMessage, numberOf, sleep } from './testing/outbox-fixtures';

jest.setTimeout(90_000);

const run = randomBytes(4).toString('hex');
const schema = `outbox_it_${run}`;
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://saga:saga@127.0.0.1:5432/saga_test';
const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
// A private exchange, dead-letter queue and schema per run: parallel runs and other suites never see each other's rows.
const rabbit = { url: RABBITMQ_URL, exchange: `outbox-it.commands.${run}`, deadLetterExchange: `outbox-it.dlx.${run}`, deadLetterQueue: `outbox-it.dlq.${run}` };
const queue = `outbox-it-${run}`;
const topic = `outbox-it-${run}`;

/** One "service instance": its own pool (search_path = this run's schema), broker connections and relay. */
interface Instance { db: SqlClient; bus: RabbitMqCommandBus; log: KafkaEventLog; relay: OutboxRelay }
const instances: Instance[] = [];
const subscriptions: Subscription[] = [];
let admin: SqlClient;
// Relay logs are kept, not printed: the unroutable test makes it warn on purpose.
const relayLog: Array<{ level: string; message: string; extra: Record<string, unknown> }> = [];

async function startInstance(name: string): Promise<Instance> {
  const url = new URL(DATABASE_URL);
  url.searchParams.set('options', `-c search_path=${schema}`);
  const db = await createPgClient({ connectionString: url.toString(), applicationName: `outbox-it-${name}`, max: 4 });
  const bus = await RabbitMqCommandBus.connect({ ...rabbit, connectionName: `outbox-it-${name}` });
  const log = await KafkaEventLog.connect({ brokers, clientId: `outbox-it-${name}`, heartbeatIntervalMs: 300, sessionTimeoutMs: 6_000, maxWaitTimeMs: 250 });
  const relay = new OutboxRelay({
    db, commandBus: bus, eventLog: log, batchSize: 10, pollIntervalMs: 200, retryInitialDelayMs: 50, retryMaxDelayMs: 500,
    log: (level, message, extra) => relayLog.push({ level, message, extra }),
  });
  const instance = { db, bus, log, relay };
  instances.push(instance);
  return instance;
}

beforeAll(async () => {
  admin = await createPgClient({ connectionString: DATABASE_URL });
  await admin.exec(`CREATE SCHEMA ${schema}`);
  const [a, b] = await Promise.all([startInstance('a'), startInstance('b')]);
  // Both instances migrate at once, as two pods starting together would.
  await Promise.all([migrate(a.db, messagingMigrations), migrate(b.db, messagingMigrations)]);
  await a.bus.ensureQueue({ queue, bindings: [`${run}.do`] });
  await a.log.ensureTopics([{ name: topic, partitions: 3 }]);
});

afterAll(async () => {
  await Promise.all(subscriptions.map((subscription) => subscription.close()));
  for (const { relay, bus, log, db } of instances) {
    await relay.stop();
    await Promise.all([bus.close(), log.close(), db.close()]);
  }
  await admin?.exec(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await admin?.close();
  const connection = await connect(RABBITMQ_URL);
  const channel = await connection.createChannel();
  for (const name of [queue, `${queue}-late`, `${queue}-flowing`, `${queue}-rescued`, rabbit.deadLetterQueue]) await channel.deleteQueue(name);
  await channel.deleteExchange(rabbit.exchange);
  await channel.deleteExchange(rabbit.deadLetterExchange);
  await connection.close();
});

it('publishes every row exactly once and in order when two relays share the outbox table', async () => {
  const [a, b] = instances as [Instance, Instance];
  const commands: ConsumedCommand[] = [];
  subscriptions.push(await a.bus.consume({ queue, bindings: [`${run}.do`], prefetch: 1, handle: async (command) => void commands.push(command) }));
  const events: ConsumedEvent[] = [];
  subscriptions.push(await b.log.subscribe({ groupId: `outbox-it-${run}`, topics: [topic], fromBeginning: true, handle: async (event) => void events.push(event) }));
  await Promise.all([a.relay.start(), b.relay.start()]);

  // 40 transactions from both instances at once, while both relays are woken by every commit.
  const expected: OutboxMessage[] = [];
  await Promise.all(Array.from({ length: 40 }, async (_, txNo) => {
    const messages = Array.from({ length: 5 }, (__, i) => {
      const n = txNo * 5 + i;
      return i % 2 === 0 ? commandMessage(n, `${run}.do`) : eventMessage(n, topic, `order-${txNo % 4}`);
    });
    expected.push(...messages);
    await (txNo % 2 === 0 ? a : b).db.transaction((tx) => enqueueOutbox(tx, messages));
  }));

  const expectedCommands = expected.filter((m) => m.transport === 'command').length;
  const expectedEvents = expected.length - expectedCommands;
  await eventually(() => {
    expect(commands).toHaveLength(expectedCommands);
    expect(events).toHaveLength(expectedEvents);
  }, 60_000, 100);
  await sleep(1_000); // a duplicate would arrive now
  const ids = [...commands.map((c) => c.envelope.messageId), ...events.map((e) => e.envelope.messageId)];
  expect(new Set(ids).size).toBe(expected.length);
  expect(ids).toHaveLength(expected.length);
  // Publish order is commit order; within a transaction, list order: so each transaction's numbers arrive ascending.
  const ascendingWithinTx = (ns: number[]) => ns.every((n, i) => i === 0 || Math.floor(n / 5) !== Math.floor(ns[i - 1]! / 5) || n > ns[i - 1]!);
  expect(ascendingWithinTx(commands.map((c) => numberOf(c.envelope)))).toBe(true);
  for (let key = 0; key < 4; key += 1) {
    const perKey = events.filter((e) => e.key === `order-${key}`).map((e) => numberOf(e.envelope));
    expect(ascendingWithinTx(perKey)).toBe(true);
  }
  const [statsA, statsB] = await Promise.all([a.relay.stats(), b.relay.stats()]);
  expect(statsA.published + statsB.published).toBe(expected.length);
  expect(statsA.pending).toBe(0);
});

it('carries events from a committed transaction to a Kafka consumer, in order per key', async () => {
  const [a] = instances as [Instance];
  const endToEndTopic = `${topic}-e2e`;
  await a.log.ensureTopics([{ name: endToEndTopic, partitions: 3 }]);
  const received: ConsumedEvent[] = [];
  subscriptions.push(await a.log.subscribe({ groupId: `outbox-it-e2e-${run}`, topics: [endToEndTopic], fromBeginning: true, handle: async (event) => void received.push(event) }));
  const messages = Array.from({ length: 12 }, (_, n) => eventMessage(n, endToEndTopic, `order-${n % 3}`));
  await a.db.transaction((tx) => enqueueOutbox(tx, messages.slice(0, 6)));
  await a.db.transaction((tx) => enqueueOutbox(tx, messages.slice(6)));
  await eventually(() => expect(received).toHaveLength(12), 30_000, 100);
  for (let key = 0; key < 3; key += 1) {
    expect(received.filter((e) => e.key === `order-${key}`).map((e) => numberOf(e.envelope))).toEqual([key, key + 3, key + 6, key + 9]);
  }
  expect(received[0]!.envelope).toEqual(messages.find((m) => m.envelope.messageId === received[0]!.envelope.messageId)!.envelope);
});

it('holds a command the real broker cannot route, then delivers it and what follows once its queue exists', async () => {
  const [a] = instances as [Instance];
  const lateKey = `${run}.late`;
  await a.db.transaction((tx) => enqueueOutbox(tx, [commandMessage(1, lateKey), commandMessage(2, lateKey)]));
  await eventually(async () => {
    const { rows } = await a.db.query<{ last_error: string | null }>('SELECT last_error FROM outbox WHERE destination = $1 ORDER BY id', [lateKey]);
    expect(rows[0]!.last_error).toContain('UnroutableMessageError');
  }, 10_000, 50);
  const late: ConsumedCommand[] = [];
  subscriptions.push(await a.bus.consume({ queue: `${queue}-late`, bindings: [lateKey], prefetch: 1, handle: async (command) => void late.push(command) }));
  await eventually(() => expect(late.map((c) => numberOf(c.envelope))).toEqual([1, 2]), 20_000, 50);
  expect(relayLog.filter((entry) => entry.level === 'error')).toEqual([]);
});

it('parks a command the real broker keeps refusing, lets the lane flow past it, and re-drives it once it can be routed', async () => {
  const [a] = instances as [Instance];
  const nowhere = `${run}.parked`;
  await a.db.transaction((tx) => enqueueOutbox(tx, [commandMessage(101, nowhere)]));
  const parkedRow = await eventually(async () => {
    const { items } = await listOutbox(a.db, 'parked', 100);
    const row = items.find((item) => item.destination === nowhere);
    expect(row).toMatchObject({ attempts: 5, lastError: expect.stringContaining('UnroutableMessageError') });
    return row!;
  }, 20_000, 100);

  // The lane flows past it.
  const flowing: ConsumedCommand[] = [];
  subscriptions.push(await a.bus.consume({ queue: `${queue}-flowing`, bindings: [`${run}.flowing`], handle: async (command) => void flowing.push(command) }));
  await a.db.transaction((tx) => enqueueOutbox(tx, [commandMessage(102, `${run}.flowing`)]));
  await eventually(() => expect(flowing.map((c) => numberOf(c.envelope))).toEqual([102]), 10_000, 50);

  const rescued: ConsumedCommand[] = [];
  subscriptions.push(await a.bus.consume({ queue: `${queue}-rescued`, bindings: [nowhere], handle: async (command) => void rescued.push(command) }));
  expect(await redriveOutboxRow(a.db, parkedRow.id)).toBe(true);
  await eventually(() => expect(rescued.map((c) => numberOf(c.envelope))).toEqual([101]), 10_000, 50);
  expect((await listOutbox(a.db, 'parked', 100)).items.filter((item) => item.destination === nowhere)).toEqual([]);
});
