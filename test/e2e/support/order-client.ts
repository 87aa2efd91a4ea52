// Small typed HTTP helpers for what a user (and an operator) sees: orders, stock, payments, notifications.
import { adminBearer, bearerFor } from '@saga/auth/testing';

export type SagaMode = 'orchestration' | 'choreography';
export type OrderStatus = 'PENDING' | 'APPROVED' | 'CANCELLED';
export type SagaStep =
  | 'CREATE_ORDER'
  | 'RESERVE_STOCK'
  | 'CHARGE_PAYMENT'
  | 'NOTIFY_CONFIRMED'
  | 'REFUND_PAYMENT'
  | 'RELEASE_STOCK'
  | 'CANCEL_ORDER'
  | 'NOTIFY_CANCELLED'
  /** Choreography only: the order service's OrderApproved. */
  | 'APPROVE_ORDER'
  /** Not a step: payment's reconciliation note (money it refunded, or a capture it found missing). */
  | 'RECONCILE_PAYMENT';
export type StepStatus = 'STARTED' | 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT' | 'RETRIED' | 'LATE_REPLY';
export type FailureReason = 'OUT_OF_STOCK' | 'UNKNOWN_SKU' | 'PAYMENT_DECLINED' | 'PAYMENT_PROVIDER_UNAVAILABLE' | 'PAYMENT_TIMEOUT' | 'INVENTORY_TIMEOUT';

export interface OrderItem {
  sku: string;
  quantity: number;
}

export interface PlaceOrderRequest {
  customerId: string;
  items: OrderItem[];
  sagaMode?: SagaMode | string;
  paymentToken?: string;
  idempotencyKey?: string;
}

export interface PlacedOrder {
  orderId: string;
  status: 'PENDING';
  sagaMode: SagaMode;
  totalCents: number;
}

export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  sagaMode: SagaMode;
  items: OrderItem[];
  totalCents: number;
  failureReason?: FailureReason;
  /** Orchestration: from the saga row. Choreography: from the timeline read model, with the event each entry comes from. */
  history: { step: SagaStep; status: StepStatus; at: string; detail?: string; event?: string }[];
}

/** One Kafka event about an order, as the order service's timeline read model holds it. */
export interface TimelineEvent {
  messageId: string;
  orderId: string;
  type: string;
  topic: string;
  partition: number;
  offset: string;
  occurredAt: string;
  payload: Record<string, unknown>;
}

export interface ErrorBody {
  error: { code: string; message: string; details?: unknown };
}

export interface Product {
  sku: string;
  name: string;
  priceCents: number;
  available: number;
}

export interface PaymentView {
  paymentId: string;
  orderId: string;
  amountCents: number;
  refundedCents: number;
  status: 'CHARGED' | 'DECLINED' | 'FAILED' | 'REFUNDED';
  failureReason?: string;
}

export interface NotificationView {
  notificationId: string;
  orderId: string;
  customerId: string;
  kind: 'ORDER_CONFIRMED' | 'ORDER_CANCELLED';
  status: 'PENDING' | 'SENT' | 'FAILED';
  reason: string | null;
}

/** An HTTP answer as the client saw it; `body` is parsed JSON, or the raw text if it was not JSON. */
export interface HttpAnswer<T> {
  status: number;
  body: T;
}

const requestTimeoutMs = 10_000;

async function call<T>(url: string, init: RequestInit = {}): Promise<HttpAnswer<T>> {
  const response = await fetch(url, { ...init, signal: AbortSignal.timeout(requestTimeoutMs) });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON: keep the text, the assertion will show it
  }
  return { status: response.status, body: body as T };
}

async function getOk<T>(url: string, headers: Record<string, string> = {}): Promise<T> {
  const answer = await call<T>(url, { headers });
  if (answer.status !== 200) throw new Error(`GET ${url} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** POST /orders as the customer (a token signed with the dev settings). 202 PlacedOrder, or an error body. */
/** `headers`: more request headers, e.g. a `traceparent` (the bench's untraced sagas). */
export function placeOrder(baseUrl: string, request: PlaceOrderRequest, headers: Record<string, string> = {}): Promise<HttpAnswer<PlacedOrder | ErrorBody>> {
  const { customerId, idempotencyKey, ...body } = request;
  return postOrderRaw(baseUrl, customerId, JSON.stringify(body), idempotencyKey, headers);
}

/** Like placeOrder, but the body is sent as given (malformed JSON included). */
export function postOrderRaw(baseUrl: string, customerId: string, rawBody: string, idempotencyKey?: string, headers: Record<string, string> = {}): Promise<HttpAnswer<PlacedOrder | ErrorBody>> {
  return call(`${baseUrl}/orders`, {
    method: 'POST',
    headers: { ...headers, 'content-type': 'application/json', authorization: bearerFor(customerId), ...(idempotencyKey ? { 'idempotency-key': idempotencyKey } : {}) },
    body: rawBody,
  });
}

/** placeOrder that insists on 202. */
export async function placeOrderAccepted(baseUrl: string, request: PlaceOrderRequest, headers: Record<string, string> = {}): Promise<PlacedOrder> {
  const answer = await placeOrder(baseUrl, request, headers);
  if (answer.status !== 202) throw new Error(`POST /orders ${JSON.stringify(request)} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body as PlacedOrder;
}

export function getOrder(baseUrl: string, customerId: string, orderId: string): Promise<OrderView> {
  return getOk(`${baseUrl}/orders/${encodeURIComponent(orderId)}`, { authorization: bearerFor(customerId) });
}

/** GET /orders/:id/timeline: every event about a choreographed order, from every producer's topic. */
export function getTimeline(baseUrl: string, customerId: string, orderId: string): Promise<{ orderId: string; events: TimelineEvent[] }> {
  return getOk(`${baseUrl}/orders/${encodeURIComponent(orderId)}/timeline`, { authorization: bearerFor(customerId) });
}

/** POST /admin/replay: the order service rebuilds its timeline read model under a new consumer group. */
export async function replayTimeline(baseUrl: string): Promise<HttpAnswer<{ generation: number; groupId: string } | ErrorBody>> {
  return call(`${baseUrl}/admin/replay`, { method: 'POST', headers: { authorization: adminBearer() } });
}

/** GET /orders: one page of the customer's orders, newest first (the API's default page size unless `page` says). */
export function listOrders(baseUrl: string, customerId: string, page: { limit?: number; cursor?: string } = {}): Promise<{ items: OrderView[]; nextCursor?: string }> {
  const query = new URLSearchParams(Object.entries(page).flatMap(([name, value]) => (value === undefined ? [] : [[name, String(value)]])));
  return getOk(`${baseUrl}/orders${query.size > 0 ? `?${query}` : ''}`, { authorization: bearerFor(customerId) });
}

/** Polls GET /orders/:id until APPROVED or CANCELLED; on timeout the error shows the order as last seen. */
export async function waitForFinalStatus(baseUrl: string, customerId: string, orderId: string, timeoutMs: number): Promise<OrderView> {
  const deadline = Date.now() + timeoutMs;
  let last: OrderView | string;
  for (;;) {
    try {
      last = await getOrder(baseUrl, customerId, orderId);
      if (last.status === 'APPROVED' || last.status === 'CANCELLED') return last;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(`order ${orderId} did not reach APPROVED or CANCELLED within ${timeoutMs} ms; last seen: ${JSON.stringify(last)}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export function getProduct(inventoryUrl: string, sku: string): Promise<Product> {
  return getOk(`${inventoryUrl}/products/${encodeURIComponent(sku)}`);
}

export async function listProducts(inventoryUrl: string): Promise<Product[]> {
  return (await getOk<{ items: Product[] }>(`${inventoryUrl}/products`)).items;
}

/** sku → units available, read from GET /products. */
export async function stockLevels(inventoryUrl: string): Promise<Record<string, number>> {
  return Object.fromEntries((await listProducts(inventoryUrl)).map((product) => [product.sku, product.available]));
}

export async function listPayments(paymentUrl: string, orderId: string): Promise<PaymentView[]> {
  return (await getOk<{ items: PaymentView[] }>(`${paymentUrl}/payments?orderId=${encodeURIComponent(orderId)}`, { authorization: adminBearer() })).items;
}

/** One charge in the provider's own books, as payment's admin route reports it (GET /admin/provider/charges). */
export interface LedgerCharge {
  chargeId: string;
  orderId: string | null;
  amountCents: number;
  refundedCents: number;
  status: 'CAPTURED' | 'REFUNDED' | 'PARTIALLY_REFUNDED' | 'DECLINED';
}

/** The provider's books for an order: the source of truth for money, not payment's own table. */
export async function providerLedger(paymentUrl: string, orderId: string): Promise<LedgerCharge[]> {
  return (await getOk<{ items: LedgerCharge[] }>(`${paymentUrl}/admin/provider/charges?orderId=${encodeURIComponent(orderId)}`, { authorization: adminBearer() })).items;
}

export async function listNotifications(notificationUrl: string, orderId: string): Promise<NotificationView[]> {
  return (await getOk<{ items: NotificationView[] }>(`${notificationUrl}/notifications?orderId=${encodeURIComponent(orderId)}`, { authorization: adminBearer() })).items;
}
