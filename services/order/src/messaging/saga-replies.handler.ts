// RabbitMQ adapter: participants' replies → saga inputs, applied once each (inbox) with the next commands (outbox).
import {
  NotificationSent,
  PaymentCompleted,
  PaymentFailed,
  PaymentReconciled,
  PaymentRefunded,
  StockReleased,
  StockReservationFailed,
  StockReserved,
  type MessageEnvelope,
} from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { PoisonMessageError, handleOnce, type CommandConsumer } from '@saga/messaging';
import type { SagaMetrics } from '@saga/metrics';
import { withCorrelation, type Logger } from '@saga/platform';
import { applySagaInput, type SagaRuntime } from '../app/apply-saga-input';
import { orchestrationTransitions, recordSagaTransitions } from '../app/record-saga-metrics';
import type { SagaInput } from '../domain/order-saga.types';

export const INBOX_CONSUMER = 'order.saga-replies';

/** Reads a reply into (sagaId, input); anything unreadable is poison: it can never become valid by retrying. */
export function toSagaInput(envelope: MessageEnvelope): { sagaId: string; input: SagaInput } {
  const read = <P extends { sagaId: string }>(contract: { parse(e: MessageEnvelope): { ok: true; message: MessageEnvelope<P> } | { ok: false; reason: string } }): P => {
    const parsed = contract.parse(envelope);
    if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
    return parsed.message.payload;
  };
  switch (envelope.type) {
    case StockReserved.type:
      return { sagaId: read(StockReserved).sagaId, input: { type: 'STOCK_RESERVED' } };
    case StockReservationFailed.type: {
      const reply = read(StockReservationFailed);
      return { sagaId: reply.sagaId, input: { type: 'STOCK_RESERVATION_FAILED', reason: reply.reason, skus: reply.skus } };
    }
    case PaymentCompleted.type: {
      const reply = read(PaymentCompleted);
      return { sagaId: reply.sagaId, input: { type: 'PAYMENT_COMPLETED', paymentId: reply.paymentId } };
    }
    case PaymentFailed.type: {
      const reply = read(PaymentFailed);
      return { sagaId: reply.sagaId, input: { type: 'PAYMENT_FAILED', reason: reply.reason, message: reply.message } };
    }
    case PaymentRefunded.type: {
      const reply = read(PaymentRefunded);
      return { sagaId: reply.sagaId, input: { type: 'PAYMENT_REFUNDED', amountCents: reply.amountCents } };
    }
    case StockReleased.type:
      return { sagaId: read(StockReleased).sagaId, input: { type: 'STOCK_RELEASED' } };
    case PaymentReconciled.type: {
      const note = read(PaymentReconciled);
      return { sagaId: note.sagaId, input: { type: 'PAYMENT_RECONCILED', action: note.action, amountCents: note.amountCents, detail: note.detail } };
    }
    case NotificationSent.type: {
      const reply = read(NotificationSent);
      return { sagaId: reply.sagaId, input: { type: 'NOTIFICATION_SENT', kind: reply.kind } };
    }
    default:
      throw new PoisonMessageError(`the orchestrator does not expect ${envelope.type}`);
  }
}

/** Replies applied at once (each holds one database connection while it runs, see derivePoolSize). */
export const SAGA_REPLIES_PREFETCH = 20;

export function sagaReplyConsumer(deps: { db: SqlClient; runtime: SagaRuntime; logger: Logger; queue: string; bindings: string[]; prefetch?: number; sagaMetrics?: SagaMetrics }): CommandConsumer {
  return {
    queue: deps.queue,
    bindings: deps.bindings,
    prefetch: deps.prefetch ?? SAGA_REPLIES_PREFETCH,
    handle: async ({ envelope }) => {
      const { sagaId, input } = toSagaInput(envelope);
      const log = withCorrelation(deps.logger, { orderId: envelope.correlationId, sagaId });
      let outcome: Awaited<ReturnType<typeof applySagaInput>> | undefined;
      const result = await handleOnce(deps.db, INBOX_CONSUMER, envelope, async (tx) => {
        outcome = await applySagaInput(tx, sagaId, input, deps.runtime, envelope.messageId);
        // A reply for a saga this database never had is not ours to apply: roll back and park it with the reason.
        if (outcome.kind === 'unknown-saga') throw new PoisonMessageError(`no saga ${sagaId}`);
      });
      // 'processed': this delivery's transaction committed. A redelivery is a 'duplicate', and `outcome` may then be left
      // over from an attempt that rolled back (handleOnce retries a serialization failure), so it is not counted.
      if (result === 'processed' && outcome?.kind === 'advanced') {
        recordSagaTransitions(deps.sagaMetrics, orchestrationTransitions(outcome.before, outcome.state, outcome.at));
        const { status, orderStatus, awaiting } = outcome.state;
        log.info({ reply: envelope.type, sagaStatus: status, orderStatus, awaiting: awaiting?.step }, 'saga advanced');
      } else {
        log.debug({ reply: envelope.type, result, outcome: outcome?.kind }, 'saga reply changed nothing (duplicate or late)');
      }
    },
  };
}
