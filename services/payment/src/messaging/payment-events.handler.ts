// Kafka adapter (choreography): OrderCreated → remember what to charge; StockReserved → charge through the same use case
// as ChargePayment (same idempotency key charge:<orderId>), its outcome published on payments.events.v1 via the outbox.
import { ChargePayment, OrderCancelled, OrderCreated, RefundPayment, StockReserved, consumerGroups, topics, type MessageEnvelope } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import { handleOnce, type EventSubscription, type OutboxMessage, type RetryPolicy } from '@saga/messaging';
import { withCorrelation, type Logger } from '@saga/platform';
import type { ChargePaymentPayload } from '../app/charge-payment.use-case';
import type { Clock } from '../app/clock';
import { findPaymentsOfOrder } from '../app/find-payments.query';
import { findChargeRequest, recordChargeRequest } from '../store/charge-request-repository';
import { parseOrPoison, type PaymentCommandHandlers } from './payment-command.handler';

/** Dedup name for events, distinct from the RabbitMQ consumer's. */
export const PAYMENT_EVENTS_CONSUMER = 'payment.events';

export interface PaymentEventDeps {
  db: SqlClient;
  charge: PaymentCommandHandlers['charge'];
  refund: PaymentCommandHandlers['refund'];
  clock: Clock;
  logger: Logger;
  retry?: Partial<RetryPolicy>;
}

/** Thrown for a StockReserved whose OrderCreated is not recorded yet: an ordinary error, so the adapter retries it. */
export class ChargeRequestNotYetKnownError extends Error {
  override readonly name = 'ChargeRequestNotYetKnownError';
}

/** Outcomes become payment events keyed by orderId (their correlationId), so one order's payment events stay on one partition, in order. */
const asPaymentEvent = (envelope: MessageEnvelope): OutboxMessage => ({ transport: 'event', topic: topics.paymentEvents, key: envelope.correlationId, envelope });

export function paymentEventSubscription(deps: PaymentEventDeps): EventSubscription {
  const { db, logger } = deps;

  async function recordOrder(event: MessageEnvelope): Promise<void> {
    const { payload } = parseOrPoison(OrderCreated, event);
    const result = await handleOnce(db, PAYMENT_EVENTS_CONSUMER, event, (tx) =>
      recordChargeRequest(tx, {
        orderId: payload.orderId,
        sagaId: payload.sagaId,
        customerId: payload.customerId,
        amountCents: payload.totalCents,
        currency: payload.currency,
        paymentToken: payload.paymentToken,
        createdAt: deps.clock.now(),
      }),
    );
    withCorrelation(logger, { orderId: payload.orderId, sagaId: payload.sagaId }).info({ messageId: event.messageId, result }, 'charge request recorded');
  }

  async function chargeReservedOrder(event: MessageEnvelope): Promise<void> {
    const { orderId } = parseOrPoison(StockReserved, event).payload;
    const request = await findChargeRequest(db, orderId);
    // Topics are not ordered with each other: inventory may have answered this order's OrderCreated before our own
    // consumer of orders.events.v1 recorded it. Throwing an ordinary error makes the adapter retry with backoff; by
    // then the OrderCreated consumer has recorded it: it is on another partition, consumed concurrently, not behind
    // this event (main.ts sizes the Kafka consumer's concurrency to every partition it reads for exactly this).
    if (!request) throw new ChargeRequestNotYetKnownError(`no OrderCreated recorded yet for order ${orderId}; retrying`);
    // The charge use case takes a ChargePayment-shaped message: the payload from OrderCreated, the identity (messageId
    // for dedup, causation, trace) from this StockReserved. Validated by the same contract as the RabbitMQ command.
    const payload: ChargePaymentPayload = ChargePayment.schema.parse({
      orderId,
      sagaId: request.sagaId,
      customerId: request.customerId,
      amountCents: request.amountCents,
      currency: request.currency,
      paymentToken: request.paymentToken,
    });
    await deps.charge({ message: { ...event, payload }, consumer: PAYMENT_EVENTS_CONSUMER, route: asPaymentEvent, channel: 'event' });
  }

  /**
   * C3 in choreography. An order is cancelled after its charge failed. When money may have moved (a charge recorded,
   * one still claimed, or a TIMEOUT whose outcome is unknown), refund through the same idempotent refund use case as
   * RefundPayment: it voids the charge's key at the provider (or refunds the charge the key made), so a charge request
   * still on its way can never take money from a cancelled order. A decline or a refusal (provider unavailable)
   * certainly moved none, and its recorded outcome is final, so nothing can charge it later: no provider call needed
   * (reconciliation checks the books anyway). No payment at all: the stock ran out, nothing was ever charged.
   */
  async function refundCancelledOrder(event: MessageEnvelope): Promise<void> {
    const { orderId, sagaId } = parseOrPoison(OrderCancelled, event).payload;
    const [payment] = await findPaymentsOfOrder(db, orderId);
    const mayHaveMoved = payment && (payment.status === 'CHARGED' || payment.status === 'CHARGING' || (payment.status === 'FAILED' && payment.failureReason === 'TIMEOUT'));
    if (!mayHaveMoved) return;
    const payload = RefundPayment.schema.parse({ orderId, sagaId });
    await deps.refund({ message: { ...event, payload }, consumer: PAYMENT_EVENTS_CONSUMER, route: asPaymentEvent, channel: 'event' });
  }

  return {
    groupId: consumerGroups.payment,
    topics: [topics.orderEvents, topics.inventoryEvents],
    fromBeginning: true,
    ...(deps.retry ? { retry: deps.retry } : {}),
    handle: async ({ envelope }) => {
      if (OrderCreated.is(envelope)) return recordOrder(envelope);
      if (StockReserved.is(envelope)) return chargeReservedOrder(envelope);
      if (OrderCancelled.is(envelope)) return refundCancelledOrder(envelope);
      // OrderApproved, StockReservationFailed, StockReleased, …: nothing for payment to do.
    },
  };
}
