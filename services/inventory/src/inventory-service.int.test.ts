// Integration: the service on real PostgreSQL (a throwaway database) and real RabbitMQ (private exchange and queues).
import { testTokenVerifier } from '@saga/auth/testing';
import { randomBytes } from 'node:crypto';
import { ReserveStock, createEnvelope, routingKeys, type MessageEnvelope } from '@saga/contracts';
import { createPgClient, type SqlClient } from '@saga/db';
import { RabbitMqCommandBus } from '@saga/messaging';
import { createLogger } from '@saga/platform';
import { connect } from 'amqplib';
import { createInventoryService, type InventoryService } from './inventory-service';
import { migrateInventoryDb } from './store/inventory-migrations';
import { eventually } from './testing/inventory-harness';

const POSTGRES_URL = process.env.POSTGRES_URL ?? 'postgres://saga:saga@127.0.0.1:5432';
const RABBITMQ_URL = process.env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672';
// Private names per run: running inventory services and parallel test runs never see our messages, nor we theirs.
const run = randomBytes(4).toString('hex');
const database = `inventory_it_${run}`;
const busOptions = { url: RABBITMQ_URL, exchange: `it.commands.${run}`, deadLetterExchange: `it.dlx.${run}`, deadLetterQueue: `it.dlq.${run}` };
const queues = { commands: `it.inventory-commands.${run}`, replies: `it.saga-replies.${run}` };
const logger = createLogger({ service: 'inventory', level: 'silent' });

let admin: SqlClient;
let db: SqlClient;
const buses: RabbitMqCommandBus[] = [];
const services: InventoryService[] = [];
const replies: MessageEnvelope[] = [];

/** One more service instance on its own pool and connection, as another replica would be. */
async function startReplica(): Promise<{ service: InventoryService; bus: RabbitMqCommandBus }> {
  const pool = await createPgClient({ connectionString: `${POSTGRES_URL}/${database}`, max: 8, applicationName: `inventory-it-${run}` });
  const bus = await RabbitMqCommandBus.connect({ ...busOptions, connectionName: `inventory-it-${run}` });
  buses.push(bus);
  const service = createInventoryService({ verifyToken: testTokenVerifier(), db: pool, commandBus: bus, logger, queues, relayPollIntervalMs: 100 });
  services.push(service);
  await service.start();
  cleanups.push(() => pool.close());
  return { service, bus };
}
const cleanups: (() => Promise<void>)[] = [];

const availableOf = async (sku: string) =>
  (await db.query<{ available: number }>('SELECT available FROM products WHERE sku = $1', [sku])).rows[0]!.available;

beforeAll(async () => {
  admin = await createPgClient({ connectionString: `${POSTGRES_URL}/postgres`, max: 1 });
  await admin.exec(`CREATE DATABASE ${database}`);
  db = await createPgClient({ connectionString: `${POSTGRES_URL}/${database}`, max: 12 });
  await migrateInventoryDb(db);
  await startReplica();
  await startReplica();
  await buses[0]!.consume({
    queue: queues.replies,
    bindings: [routingKeys.sagaReply],
    handle: async ({ envelope }) => {
      replies.push(envelope);
    },
  });
}, 60_000);

afterAll(async () => {
  for (const service of services) await service.stop();
  for (const bus of buses) await bus.close();
  for (const cleanup of cleanups) await cleanup();
  await db?.close();
  await deleteRunTopology().catch((error: unknown) => console.error('could not delete the test topology', error));
  await admin?.exec(`DROP DATABASE IF EXISTS ${database} WITH (FORCE)`);
  await admin?.close();
}, 60_000);

async function deleteRunTopology(): Promise<void> {
  const connection = await connect(RABBITMQ_URL);
  const channel = await connection.createChannel();
  for (const queue of [queues.commands, queues.replies, busOptions.deadLetterQueue]) await channel.deleteQueue(queue);
  await channel.deleteExchange(busOptions.exchange);
  await channel.deleteExchange(busOptions.deadLetterExchange);
  await connection.close();
}

describe('inventory on PostgreSQL and RabbitMQ', () => {
  it('lets exactly one of many concurrent orders take the last unit, across two replicas, never going negative', async () => {
    await db.query(`UPDATE products SET available = 1 WHERE sku = 'SKU-RARE'`);
    const apples = await availableOf('SKU-APPLE');
    const orders = Array.from({ length: 30 }, (_, i) => `order-race-${run}-${i}`);
    // Half list the lines one way round, half the other: the sku-ordered locks must keep them from deadlocking.
    const commands = orders.map((orderId, i) => {
      const lines = [{ sku: 'SKU-RARE', quantity: 1 }, { sku: 'SKU-APPLE', quantity: 1 }];
      return ReserveStock.create({ orderId, sagaId: orderId, lines: i % 2 ? lines : lines.reverse() }, { correlationId: orderId });
    });
    await Promise.all(commands.map((command) => buses[1]!.send(routingKeys.reserveStock, command)));

    // The outbox publishes at least once (a relay crash between confirm and commit repeats a row), so the
    // orchestrator dedupes replies by messageId; what inventory itself must guarantee is one reply row per order.
    const answersSoFar = () => [...new Map(replies.filter((r) => orders.includes(r.correlationId)).map((r) => [r.messageId, r])).values()];
    await eventually(() => expect(answersSoFar()).toHaveLength(orders.length), 30_000);
    const answers = answersSoFar();
    expect(new Set(answers.map((r) => r.correlationId)).size).toBe(orders.length);
    expect(answers.filter((r) => r.type === 'StockReserved')).toHaveLength(1);
    expect(answers.filter((r) => r.type === 'StockReservationFailed').map((r) => r.payload)).toEqual(
      Array.from({ length: orders.length - 1 }, () => expect.objectContaining({ reason: 'OUT_OF_STOCK', skus: ['SKU-RARE'] })),
    );
    expect(await availableOf('SKU-RARE')).toBe(0);
    expect(await availableOf('SKU-APPLE')).toBe(apples - 1);
  }, 60_000);

  it('serialises concurrent reserves and releases of one order: one reservation, given back once', async () => {
    const inventory = services[0]!.inventory;
    const orderId = `order-same-${run}`;
    const before = await availableOf('SKU-TEA');
    const reserve = () => inventory.reserveStock({ orderId, sagaId: orderId, lines: [{ sku: 'SKU-TEA', quantity: 4 }] });
    const outcomes = await Promise.all(Array.from({ length: 8 }, reserve));
    expect(outcomes).toEqual(Array.from({ length: 8 }, () => ({ ok: true, lines: [{ sku: 'SKU-TEA', quantity: 4 }] })));
    expect(await availableOf('SKU-TEA')).toBe(before - 4);

    await Promise.all(Array.from({ length: 8 }, () => inventory.releaseStock({ orderId, sagaId: orderId })));
    expect(await availableOf('SKU-TEA')).toBe(before);
  }, 30_000);

  it('dead-letters a poison command on the real broker', async () => {
    const orderId = `order-poison-${run}`;
    const bad = createEnvelope('ReserveStock', 1, { orderId, sagaId: orderId, lines: [] }, { correlationId: orderId });
    await buses[0]!.send(routingKeys.reserveStock, bad);
    await eventually(async () => {
      const letters = await buses[0]!.peekDeadLetters();
      expect(letters.find((l) => l.messageId === bad.messageId)).toMatchObject({ source: queues.commands, reason: expect.stringMatching(/^POISON: ReserveStock: lines/) });
    }, 20_000);
    expect(replies.filter((r) => r.correlationId === orderId)).toEqual([]);
  }, 30_000);
});
