// Domain events of the choreographed saga (Kafka): what each service announces, keyed by orderId, versioned.
// Participants' outcomes reuse the reply contracts of saga-messages.ts (StockReserved, PaymentFailed, …): the same
// fact is a reply to the orchestrator on RabbitMQ and a domain event on Kafka.
import { z } from 'zod';
import { defineMessage } from './message-contract';
import { topics } from './names';
import {
  NotificationSent,
  PaymentCompleted,
  PaymentFailed,
  PaymentReconciled,
  PaymentRefunded,
  StockReleased,
  StockReservationFailed,
  StockReserved,
  orderLineSchema,
} from './saga-messages';

const id = z.string().min(1).max(100);

/** T1: an order was placed in choreography mode. Carries what the participants need (event-carried state). */
export const OrderCreated = defineMessage('OrderCreated', 1, z.object({
  orderId: id,
  sagaId: id,
  customerId: id,
  lines: z.array(orderLineSchema).min(1).max(50),
  totalCents: z.number().int().positive(),
  currency: z.literal('EUR'),
  paymentToken: z.string().min(1).max(100),
}));

/** The pivot passed: the order is approved (notification reacts with the confirmation). */
export const OrderApproved = defineMessage('OrderApproved', 1, z.object({ orderId: id, sagaId: id, customerId: id, totalCents: z.number().int().positive() }));

/**
 * C1 done: the order is cancelled, with the reason (notification reacts with the cancellation notice; inventory gives
 * back what the order still holds; payment refunds what may have been charged). The reason is a free string in v1
 * (events already in the log stay valid); the values are listed in cancellationReasons.
 */
export const OrderCancelled = defineMessage('OrderCancelled', 1, z.object({ orderId: id, sagaId: id, customerId: id, reason: z.string().min(1).max(200) }));

/** OrderCancelled reasons participants act on (the others are the payment's failure: PAYMENT_DECLINED, …). */
export const cancellationReasons = {
  /** The order service's choreography deadline passed before the participants settled the order (docs/decisions/0014). */
  deadlineExceeded: 'DEADLINE_EXCEEDED',
  /** Inventory refused the reservation: nothing was reserved, and no StockReserved (so no charge) can ever follow. */
  stockRefused: ['OUT_OF_STOCK', 'UNKNOWN_SKU'],
} as const;

/** Which contracts each producing service publishes, on which topic: the single source for producers, consumers and topic creation. */
export const eventTopics = {
  [topics.orderEvents]: [OrderCreated, OrderApproved, OrderCancelled],
  [topics.inventoryEvents]: [StockReserved, StockReservationFailed, StockReleased],
  [topics.paymentEvents]: [PaymentCompleted, PaymentFailed, PaymentRefunded, PaymentReconciled],
  [topics.notificationEvents]: [NotificationSent],
} as const;

