// Test harness: the whole service in-process on PGlite, the in-memory bus and event log, with the order side's reply queue
// and the inventory's event topic consumed.
import { testTokenVerifier } from '@saga/auth/testing';
import { queues, routingKeys, topics, type MessageEnvelope } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import type { FaultInjector } from '@saga/faults';
import { InMemoryCommandBus, InMemoryEventLog, type ConsumedCommand, type ConsumedEvent } from '@saga/messaging';
import { createLogger } from '@saga/platform';
import { createInventoryService, type InventoryService } from '../inventory-service';
import { catalogSeedSql, migrateInventoryDb } from '../store/inventory-migrations';

export const FIXED_NOW = new Date('2030-06-01T12:00:00.000Z');

export interface InventoryHarness {
  db: SqlClient;
  bus: InMemoryCommandBus;
  eventLog: InMemoryEventLog;
  service: InventoryService;
  /** Everything that reached order.saga-replies, in arrival order. */
  replies: ConsumedCommand[];
  /** Everything published on inventory.events.v1, in arrival order (as another service's consumer group sees it). */
  events: ConsumedEvent[];
  availableOf(sku: string): Promise<number>;
  /** Back to the seeded catalog, with no reservations: tests stay independent while sharing one PGlite. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

/** `faults`: an injector of the test's own (e.g. one whose crash throws instead of killing jest). */
export async function startInventoryHarness(options: { faults?: FaultInjector } = {}): Promise<InventoryHarness> {
  const db = await createPgliteClient();
  await migrateInventoryDb(db);
  const bus = new InMemoryCommandBus();
  const eventLog = new InMemoryEventLog();
  const logger = createLogger({ service: 'inventory', level: 'silent' });
  const service = createInventoryService({ verifyToken: testTokenVerifier(),
    db,
    commandBus: bus,
    eventLog,
    logger,
    clock: () => FIXED_NOW,
    relayPollIntervalMs: 50,
    eventRetry: { maxAttempts: 3, initialDelayMs: 5, maxDelayMs: 20 },
    ...(options.faults ? { faults: options.faults } : {}),
  });
  await service.start();
  const events: ConsumedEvent[] = [];
  const eventSubscription = await eventLog.subscribe({
    groupId: 'test-observer',
    topics: [topics.inventoryEvents],
    fromBeginning: true,
    handle: async (event) => void events.push(event),
  });
  const replies: ConsumedCommand[] = [];
  const replySubscription = await bus.consume({
    queue: queues.orderSagaReplies,
    bindings: [routingKeys.sagaReply],
    handle: async (reply) => {
      replies.push(reply);
    },
  });
  return {
    db,
    bus,
    eventLog,
    service,
    replies,
    events,
    async availableOf(sku) {
      const { rows } = await db.query<{ available: number }>('SELECT available FROM products WHERE sku = $1', [sku]);
      if (!rows[0]) throw new Error(`no product ${sku}`);
      return rows[0].available;
    },
    async reset() {
      await db.transaction(async (tx) => {
        await tx.exec('DELETE FROM products; DELETE FROM reservations;');
        await tx.exec(catalogSeedSql);
      });
      replies.length = 0;
      events.length = 0;
    },
    async close() {
      await service.stop();
      await replySubscription.close();
      await eventSubscription.close();
      await bus.close();
      await eventLog.close();
      await db.close();
    },
  };
}

/** Replies travel through the outbox relay, asynchronously: tests poll for them. */
export { eventually } from '@saga/resilience';

/** Replies about one order, as the orchestrator would pick them out. */
export const repliesFor = (replies: readonly ConsumedCommand[], orderId: string): MessageEnvelope[] =>
  replies.map((reply) => reply.envelope).filter((envelope) => envelope.correlationId === orderId);

/** Inventory events about one order, as the other services' consumers would see them. */
export const eventsFor = (events: readonly ConsumedEvent[], orderId: string): ConsumedEvent[] =>
  events.filter((event) => event.envelope.correlationId === orderId);
