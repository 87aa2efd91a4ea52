// Test harness: the whole service in-process on PGlite and the in-memory bus, with the order side's reply queue consumed.
import { queues, routingKeys, type MessageEnvelope } from '@saga/contracts';
import { createPgliteClient, type SqlClient } from '@saga/db';
import { InMemoryCommandBus, type ConsumedCommand } from '@saga/messaging';
import { createLogger } from '@saga/platform';
import { createInventoryService, type InventoryService } from '../inventory-service';
import { catalogSeedSql, migrateInventoryDb } from '../store/inventory-migrations';

export const FIXED_NOW = new Date('2030-06-01T12:00:00.000Z');

export interface InventoryHarness {
  db: SqlClient;
  bus: InMemoryCommandBus;
  service: InventoryService;
  /** Everything that reached order.saga-replies, in arrival order. */
  replies: ConsumedCommand[];
  availableOf(sku: string): Promise<number>;
  /** Back to the seeded catalog, with no reservations: tests stay independent while sharing one PGlite. */
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startInventoryHarness(): Promise<InventoryHarness> {
  const db = await createPgliteClient();
  await migrateInventoryDb(db);
  const bus = new InMemoryCommandBus();
  const logger = createLogger({ service: 'inventory', level: 'silent' });
  const service = createInventoryService({ db, commandBus: bus, logger, clock: () => FIXED_NOW, relayPollIntervalMs: 50 });
  await service.start();
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
    service,
    replies,
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
    },
    async close() {
      await service.stop();
      await replySubscription.close();
      await bus.close();
      await db.close();
    },
  };
}

/** Replies travel through the outbox relay, asynchronously: tests poll for them. */
export { eventually } from '@saga/resilience';

/** Replies about one order, as the orchestrator would pick them out. */
export const repliesFor = (replies: readonly ConsumedCommand[], orderId: string): MessageEnvelope[] =>
  replies.map((reply) => reply.envelope).filter((envelope) => envelope.correlationId === orderId);
