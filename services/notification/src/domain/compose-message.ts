// Pure rules for the customer-facing text of a notification: subject and body per kind, with a readable cancellation reason.
import type { NotificationKind } from './notification';

export interface ComposedMessage {
  subject: string;
  body: string;
}

/** Reason codes the saga uses, as a customer should read them. Unknown reasons are shown as given. */
const reasonTexts: Record<string, string> = {
  OUT_OF_STOCK: 'some items are out of stock',
  UNKNOWN_SKU: 'an item is no longer in our catalogue',
  DECLINED: 'the payment was declined',
  PROVIDER_UNAVAILABLE: 'the payment service was unavailable',
  TIMEOUT: 'the payment could not be confirmed in time',
  // The order service's failure reasons (what OrderCancelled and the orchestrator's notice carry).
  PAYMENT_DECLINED: 'the payment was declined',
  PAYMENT_PROVIDER_UNAVAILABLE: 'the payment service was unavailable',
  PAYMENT_TIMEOUT: 'the payment could not be confirmed in time',
  INVENTORY_TIMEOUT: 'we could not confirm the items were in stock in time',
};

const codeWithDetail = /^([A-Z][A-Z_]*)(?::\s*(.+))?$/s;

/** "OUT_OF_STOCK: sku-1" -> "some items are out of stock (sku-1)"; free text passes through unchanged. */
export function describeReason(reason: string | undefined): string {
  const trimmed = reason?.trim();
  if (!trimmed) return 'no reason was given';
  const match = codeWithDetail.exec(trimmed);
  const text = match ? reasonTexts[match[1] ?? ''] : undefined;
  if (!match || text === undefined) return trimmed;
  return match[2] ? `${text} (${match[2].trim()})` : text;
}

export function composeMessage(kind: NotificationKind, orderId: string, reason?: string): ComposedMessage {
  switch (kind) {
    case 'ORDER_CONFIRMED':
      return {
        subject: `Your order ${orderId} is confirmed`,
        body: `Good news: your order ${orderId} is confirmed and paid. We will let you know when it ships.`,
      };
    case 'ORDER_CANCELLED':
      // The saga cancels only after its compensations (refund included): say so, it is the customer's first worry.
      return {
        subject: `Your order ${orderId} was cancelled`,
        body: `We are sorry: your order ${orderId} was cancelled because ${describeReason(reason)}. Any amount charged for it is refunded.`,
      };
  }
}
