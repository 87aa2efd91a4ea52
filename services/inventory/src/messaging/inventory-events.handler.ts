// Kafka adapter (choreography): OrderCreated → reserve stock, PaymentFailed or OrderCancelled → release it; the outcome
// is published as an inventory event through the outbox, in the same inbox transaction as the stock change.
import { OrderCancelled, OrderCreated, PaymentFailed, consumerGroups, topics, type MessageEnvelope } from '@saga/contracts';
import type { SqlClient, SqlExecutor } from '@saga/db';
import { enqueueOutbox, handleOnce, type EventSubscription, type RetryPolicy } from '@saga/messaging';
import { withCorrelation, type Logger } from '@saga/platform';
import { createStockOutcomes, parseOrPoison, type StockOutcomeDeps } from './stock-outcomes';

/** Dedup name for events: not the RabbitMQ one, so a command and an event can never shadow each other's records. */
export const EVENTS_INBOX_CONSUMER = 'inventory.events';

export interface InventoryEventDeps extends StockOutcomeDeps {
  db: SqlClient;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
}

interface Reaction {
  orderId: string;
  sagaId: string;
  /** The event to announce, if any. */
  run: (tx: SqlExecutor) => Promise<MessageEnvelope | undefined>;
}

export function inventoryEventSubscription(deps: InventoryEventDeps): EventSubscription {
  const { db, logger } = deps;
  const outcomes = createStockOutcomes(deps);

  /** What an event we react to asks for, or undefined for the others (OrderApproved, PaymentCompleted, …): not ours to act on. */
  function reactionTo(envelope: MessageEnvelope): Reaction | undefined {
    if (OrderCreated.is(envelope)) {
      const { orderId, sagaId, lines } = parseOrPoison(OrderCreated, envelope).payload;
      return { orderId, sagaId, run: (tx) => outcomes.reserve(envelope, { orderId, sagaId, lines }, tx) };
    }
    if (PaymentFailed.is(envelope)) {
      const { orderId, sagaId } = parseOrPoison(PaymentFailed, envelope).payload;
      return { orderId, sagaId, run: (tx) => outcomes.release(envelope, { orderId, sagaId }, tx) };
    }
    if (OrderCancelled.is(envelope)) {
      // The order is over, whatever the reason: what it still holds goes back. After its choreography deadline nothing
      // else would release it (no PaymentFailed may ever come). OrderCreated precedes it on the same partition, so the
      // reservation is decided by now; were it not (a dead-lettered OrderCreated re-driven later), the tombstone this
      // leaves makes that late reserve take nothing.
      const { orderId, sagaId } = parseOrPoison(OrderCancelled, envelope).payload;
      return { orderId, sagaId, run: (tx) => outcomes.releaseIfHeld(envelope, { orderId, sagaId }, tx) };
    }
    return undefined;
  }

  return {
    groupId: consumerGroups.inventory,
    topics: [topics.orderEvents, topics.paymentEvents],
    // A new group starts at the oldest event: orders placed before inventory's first start are still served.
    fromBeginning: true,
    ...(deps.retry ? { retry: deps.retry } : {}),
    handle: async ({ envelope, topic }) => {
      const reaction = reactionTo(envelope);
      if (!reaction) return;
      const { orderId, sagaId, run } = reaction;
      let published: MessageEnvelope | undefined;
      const result = await handleOnce(db, EVENTS_INBOX_CONSUMER, envelope, async (tx) => {
        published = await run(tx);
        // Keyed by orderId: one order's inventory events stay in order on one partition.
        if (published) await enqueueOutbox(tx, [{ transport: 'event', topic: topics.inventoryEvents, key: orderId, envelope: published }]);
      });
      const log = withCorrelation(logger, { orderId, sagaId });
      if (result === 'duplicate') log.info({ messageId: envelope.messageId, type: envelope.type }, 'duplicate event skipped');
      else log.info({ messageId: envelope.messageId, topic, event: envelope.type, published: published?.type }, 'event handled');
    },
  };
}
