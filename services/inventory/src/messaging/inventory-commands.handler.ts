// RabbitMQ adapter: decode ReserveStock / ReleaseStock, run the use case and enqueue the reply in one inbox transaction.
import { queueBindings, ReleaseStock, ReserveStock, routingKeys, type MessageEnvelope } from '@saga/contracts';
import type { SqlClient, SqlExecutor } from '@saga/db';
import { PoisonMessageError, enqueueOutbox, handleOnce, type CommandConsumer, type ConsumedCommand } from '@saga/messaging';
import { withCorrelation, type Logger } from '@saga/platform';
import { createStockOutcomes, parseOrPoison, type StockOutcomeDeps } from './stock-outcomes';

/** The inbox's consumer name: dedup records are per consumer, so keep it stable across releases. */
export const INBOX_CONSUMER = 'inventory.commands';

export interface InventoryCommandDeps extends StockOutcomeDeps {
  db: SqlClient;
  logger: Logger;
  queue: string;
  prefetch?: number;
}

export function inventoryCommandConsumer(deps: InventoryCommandDeps): CommandConsumer {
  const { db, logger } = deps;
  const outcomes = createStockOutcomes(deps);

  /** Runs the use case for one command and returns its reply; throws PoisonMessageError for anything we cannot read. */
  async function reply(envelope: MessageEnvelope, tx: SqlExecutor): Promise<MessageEnvelope> {
    if (ReserveStock.is(envelope)) return outcomes.reserve(envelope, parseOrPoison(ReserveStock, envelope).payload, tx);
    if (ReleaseStock.is(envelope)) return outcomes.release(envelope, parseOrPoison(ReleaseStock, envelope).payload, tx);
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

  return { queue: deps.queue, bindings: queueBindings.inventoryCommands.bindings, prefetch: deps.prefetch ?? 10, handle };
}
