// Kafka adapter (choreography): OrderCreated → remember what to charge; StockReserved → charge through the same use case
// as ChargePayment (same idempotency key charge:<orderId>), its outcome published on payments.events.v1 via the outbox;
// OrderCancelled → refund what may have been charged, or close the order to charges still on their way.
import { ChargePayment, OrderCancelled, OrderCreated, RefundPayment, StockReserved, consumerGroups, topics, type MessageEnvelope } from '@saga/contracts';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { SqlClient } from '@saga/db';
import { handleOnce, type EventSubscription, type OutboxMessage, type RetryPolicy } from '@saga/messaging';
import { withCorrelation, type Logger } from '@saga/platform';
import type { ChargePaymentPayload } from '../app/charge-payment.use-case';
import type { Clock } from '../app/clock';
import { closeCancelledOrder } from '../app/close-cancelled-order.use-case';
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
  /** Ids of payment rows this adapter writes (a closed order's tombstone); random by default. */
  newId?: () => string;
}

/** Thrown for a StockReserved whose OrderCreated is not recorded yet: an ordinary error, so the adapter retries it. */
export class ChargeRequestNotYetKnownError extends Error {
  override readonly name = 'ChargeRequestNotYetKnownError';
}

/** Outcomes become payment events keyed by orderId (their correlationId), so one order's payment events stay on one partition, in order. */
const asPaymentEvent = (envelope: MessageEnvelope): OutboxMessage => ({ transport: 'event', topic: topics.paymentEvents, key: envelope.correlationId, envelope });

/**
 * How long, within one attempt, a StockReserved looks again for its OrderCreated before the attempt fails (ms between
 * looks; 315 ms in all). The two events come from different topics, consumed side by side, and under load the
 * OrderCreated is usually a few milliseconds behind: failing at once cost the order the retry's 100–200 ms and more (the
 * open loop's slowest orders, docs/benchmarks.md). Waiting here is never longer than that retry would be, and a
 * partition's events wait behind either alike.
 */
const chargeRequestLooks = [5, 10, 20, 40, 80, 160];

export function paymentEventSubscription(deps: PaymentEventDeps): EventSubscription {
  const { db, logger } = deps;

  async function chargeRequestOf(orderId: string): ReturnType<typeof findChargeRequest> {
    let request = await findChargeRequest(db, orderId);
    for (const pauseMs of chargeRequestLooks) {
      if (request) return request;
      await sleep(pauseMs);
      request = await findChargeRequest(db, orderId);
    }
    return request;
  }

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
    const request = await chargeRequestOf(orderId);
    // Topics are not ordered with each other: inventory may have answered this order's OrderCreated before our own
    // consumer of orders.events.v1 recorded it. It is on another partition, consumed concurrently, not behind this
    // event (main.ts sizes the Kafka consumer's concurrency to every partition it reads for exactly this), so it is
    // usually recorded while chargeRequestOf looks again; if not, throwing an ordinary error makes the adapter retry
    // with backoff.
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
   * C3 in choreography. When money may have moved (a charge recorded, one still claimed, or a TIMEOUT whose outcome is
   * unknown), refund through the same idempotent refund use case as RefundPayment: it voids the charge's key at the
   * provider (or refunds the charge the key made), so a charge request still on its way can never take money from a
   * cancelled order. A decline or a refusal (provider unavailable) certainly moved none and is final: no provider call.
   * No payment at all: either the stock ran out (no charge can follow), or the order's deadline passed before payment
   * saw its StockReserved; then the order is closed, and that late StockReserved is answered PaymentFailed, uncharged.
   */
  async function settleCancelledOrder(event: MessageEnvelope): Promise<void> {
    const { orderId, sagaId, reason } = parseOrPoison(OrderCancelled, event).payload;
    const decision = await closeCancelledOrder({ db, clock: deps.clock, newId: deps.newId ?? randomUUID }, { orderId, sagaId, reason });
    const log = withCorrelation(logger, { orderId, sagaId });
    if (decision === 'close') log.info({ reason }, 'order cancelled before any charge: closed, a later charge request is refused');
    if (decision !== 'refund') return;
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
      if (OrderCancelled.is(envelope)) return settleCancelledOrder(envelope);
      // OrderApproved, StockReservationFailed, StockReleased, …: nothing for payment to do.
    },
  };
}
