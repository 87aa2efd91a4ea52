// The order saga's messages: commands the orchestrator sends over RabbitMQ and the replies (= domain events) participants answer with.
import { z } from 'zod';
import { defineMessage } from './message-contract';

const id = z.string().min(1).max(100);
export const orderLineSchema = z.object({ sku: z.string().min(1).max(64), quantity: z.number().int().positive().max(1_000) });
export type OrderLine = z.infer<typeof orderLineSchema>;

/** Every saga message names the order and the saga instance; in choreography the sagaId is the orderId. */
const sagaRef = { orderId: id, sagaId: id };

// T2 / C2 — inventory
export const ReserveStock = defineMessage('ReserveStock', 1, z.object({ ...sagaRef, lines: z.array(orderLineSchema).min(1).max(50) }));
export const StockReserved = defineMessage('StockReserved', 1, z.object({ ...sagaRef, lines: z.array(orderLineSchema) }));
export const StockReservationFailed = defineMessage('StockReservationFailed', 1, z.object({
  ...sagaRef,
  reason: z.enum(['OUT_OF_STOCK', 'UNKNOWN_SKU']),
  /** Which skus fell short, so the order's failure reason can say so. */
  skus: z.array(z.string()),
}));
export const ReleaseStock = defineMessage('ReleaseStock', 1, z.object({ ...sagaRef }));
export const StockReleased = defineMessage('StockReleased', 1, z.object({ ...sagaRef, lines: z.array(orderLineSchema) }));

// T3 / C3 — payment (the pivot)
export const ChargePayment = defineMessage('ChargePayment', 1, z.object({
  ...sagaRef,
  customerId: id,
  amountCents: z.number().int().positive(),
  currency: z.literal('EUR'),
  /** Card token handed to the payment provider; see the provider's documented test tokens. */
  paymentToken: z.string().min(1).max(100),
}));
export const PaymentCompleted = defineMessage('PaymentCompleted', 1, z.object({ ...sagaRef, paymentId: id, amountCents: z.number().int().positive() }));
export const PaymentFailed = defineMessage('PaymentFailed', 1, z.object({
  ...sagaRef,
  reason: z.enum(['DECLINED', 'PROVIDER_UNAVAILABLE', 'TIMEOUT']),
  message: z.string().max(500),
}));
export const RefundPayment = defineMessage('RefundPayment', 1, z.object({ ...sagaRef }));
/** amountCents is 0 when there was nothing to refund (the charge never happened): refunds are idempotent. */
export const PaymentRefunded = defineMessage('PaymentRefunded', 1, z.object({ ...sagaRef, amountCents: z.number().int().min(0) }));
/**
 * What payment's reconciliation found and did when the provider's books disagreed with the order's outcome: it refunded
 * money captured on a cancelled order, or it flags an approved order the provider holds no capture for. Informational:
 * the order records it in its history; it never changes the order's status. Sent to the orchestrator's reply queue for
 * an orchestrated order and published on payments.events.v1 for a choreographed one.
 */
export const paymentReconciliationActions = ['REFUNDED_CAPTURE', 'MISSING_CAPTURE'] as const;
export const PaymentReconciled = defineMessage('PaymentReconciled', 1, z.object({
  ...sagaRef,
  action: z.enum(paymentReconciliationActions),
  /** Refunded (REFUNDED_CAPTURE) or expected but not captured (MISSING_CAPTURE). */
  amountCents: z.number().int().min(0),
  /** The provider's charge, when there is one. */
  chargeId: id.optional(),
  detail: z.string().max(500),
}));

// T4 / C4 — notification
export const notificationKinds = ['ORDER_CONFIRMED', 'ORDER_CANCELLED'] as const;
export const SendNotification = defineMessage('SendNotification', 1, z.object({
  ...sagaRef,
  customerId: id,
  kind: z.enum(notificationKinds),
  reason: z.string().max(500).optional(),
}));
export const NotificationSent = defineMessage('NotificationSent', 1, z.object({ ...sagaRef, kind: z.enum(notificationKinds), notificationId: id }));
