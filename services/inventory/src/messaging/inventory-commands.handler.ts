// RabbitMQ adapter: decode ReserveStock / ReleaseStock, run the use case and enqueue the reply in one inbox transaction.
import { randomUUID } from 'node:crypto';
import {
  ReleaseStock,
  ReserveStock,
  StockReleased,
  StockReservationFailed,
  StockReserved,
  routingKeys,
  type EnvelopeMeta,
  type MessageContract,
  type MessageEnvelope,
} from '@saga/contracts';
import type { SqlClient, SqlExecutor } from '@saga/db';
import { PoisonMessageError, enqueueOutbox, handleOnce, type CommandConsumer, type ConsumedCommand } from '@saga/messaging';
import { withCorrelation, type Logger } from '@saga/platform';
import type { Inventory } from '../app/inventory';
import type { InventoryStore } from '../app/inventory-store.port';
import type { Clock } from '../domain/clock';

/** The inbox's consumer name: dedup records are per consumer, so keep it stable across releases. */
export const INBOX_CONSUMER = 'inventory.commands';

export interface InventoryCommandDeps {
  db: SqlClient;
  inventory: Inventory;
  /** Binds a store to the inbox transaction, so stock, dedup record and reply commit together. */
  storeOn: (tx: SqlExecutor) => InventoryStore;
  logger: Logger;
  clock: Clock;
  queue: string;
  prefetch?: number;
}

function decode<P>(contract: MessageContract<string, P>, envelope: MessageEnvelope): MessageEnvelope<P> {
  const parsed = contract.parse(envelope);
  // Invalid now means invalid forever: dead-letter it at once rather than retrying.
  if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
  return parsed.message;
}

/** Replies answer the order (correlation) and point back at the command that caused them. */
const replyMeta = (command: MessageEnvelope<{ orderId: string }>): EnvelopeMeta => ({
  correlationId: command.payload.orderId,
  causationId: command.messageId,
  ...(command.traceparent === undefined ? {} : { traceparent: command.traceparent }),
});

export function inventoryCommandConsumer(deps: InventoryCommandDeps): CommandConsumer {
  const { db, inventory, storeOn, logger, clock } = deps;
  const envelopeDeps = { now: clock, newId: randomUUID };

  /** Runs the use case for one command and returns its reply; throws PoisonMessageError for anything we cannot read. */
  async function reply(envelope: MessageEnvelope, tx: SqlExecutor): Promise<MessageEnvelope> {
    if (ReserveStock.is(envelope)) {
      const command = decode(ReserveStock, envelope);
      const { orderId, sagaId, lines } = command.payload;
      const outcome = await inventory.reserveStock({ orderId, sagaId, lines }, storeOn(tx));
      return outcome.ok
        ? StockReserved.create({ orderId, sagaId, lines: outcome.lines }, replyMeta(command), envelopeDeps)
        : StockReservationFailed.create({ orderId, sagaId, reason: outcome.reason, skus: outcome.skus }, replyMeta(command), envelopeDeps);
    }
    if (ReleaseStock.is(envelope)) {
      const command = decode(ReleaseStock, envelope);
      const { orderId, sagaId } = command.payload;
      const outcome = await inventory.releaseStock({ orderId, sagaId }, storeOn(tx));
      return StockReleased.create({ orderId, sagaId, lines: outcome.lines }, replyMeta(command), envelopeDeps);
    }
    throw new PoisonMessageError(`inventory does not handle ${envelope.type}`);
  }

  const handle = async ({ envelope, replyTo, routingKey }: ConsumedCommand): Promise<void> => {
    let answer: MessageEnvelope | undefined;
    const result = await handleOnce(db, INBOX_CONSUMER, envelope, async (tx) => {
      answer = await reply(envelope, tx);
      await enqueueOutbox(tx, [{ transport: 'command', routingKey: replyTo ?? routingKeys.sagaReply, envelope: answer }]);
    });
    // A duplicate builds no reply (the first delivery sent it), so its log line goes without the sagaId.
    const sagaId = (answer?.payload as { sagaId?: string } | undefined)?.sagaId;
    const log = withCorrelation(logger, { orderId: envelope.correlationId, sagaId });
    if (result === 'duplicate') log.info({ messageId: envelope.messageId, type: envelope.type }, 'duplicate command skipped');
    else log.info({ messageId: envelope.messageId, routingKey, command: envelope.type, reply: answer?.type }, 'command handled');
  };

  return { queue: deps.queue, bindings: [routingKeys.reserveStock, routingKeys.releaseStock], prefetch: deps.prefetch ?? 10, handle };
}
