// Queries: one order with its saga history (owner only), and a customer's orders newest first.
import type { SqlClient } from '@saga/db';
import type { HistoryEntry } from '../domain/order-saga.types';
import { findOrder, findSagaByOrder, listOrders, type OrderRecord } from '../store/order-repository';
import { timelineOf, type TimelineEntry } from '../store/timeline-repository';
import { timelineToHistory, type ChoreographyHistoryEntry } from './timeline-history';

export interface OrderView {
  orderId: string;
  customerId: string;
  status: OrderRecord['status'];
  sagaMode: OrderRecord['sagaMode'];
  items: OrderRecord['items'];
  totalCents: number;
  failureReason?: string;
  createdAt: string;
  updatedAt: string;
  /** The saga's steps: from the saga row (orchestration) or from the Kafka timeline (choreography). */
  history: (HistoryEntry | ChoreographyHistoryEntry)[];
}

/**
 * What a customer may read of a step's detail. A failed payment step records "<REASON>: <the provider's or the
 * platform's own error text>"; the customer gets the reason code, the text stays for operators. Other details are
 * written by the platform for the customer (skus out of stock, amounts, the price list used) and are shown as is.
 */
export function customerDetail(entry: { step: string; status: string; detail?: string }): string | undefined {
  const { step, status, detail } = entry;
  if (detail === undefined || status !== 'FAILED' || (step !== 'CHARGE_PAYMENT' && step !== 'REFUND_PAYMENT')) return detail;
  return /^[A-Z][A-Z0-9_]*(?=:|$)/.exec(detail)?.[0];
}

/** Payload fields a customer never gets back: the card token they sent and internal error text. */
const privatePayloadKeys = new Set(['paymentToken', 'message', 'lastError', 'detail']);
const customerEntry = (entry: TimelineEntry): TimelineEntry => ({
  ...entry,
  payload: Object.fromEntries(Object.entries(entry.payload).filter(([key]) => !privatePayloadKeys.has(key))),
});

const view = (order: OrderRecord, history: OrderView['history']): OrderView => ({
  orderId: order.orderId,
  customerId: order.customerId,
  status: order.status,
  sagaMode: order.sagaMode,
  items: order.items,
  totalCents: order.totalCents,
  ...(order.failureReason ? { failureReason: order.failureReason } : {}),
  createdAt: order.createdAt.toISOString(),
  updatedAt: order.updatedAt.toISOString(),
  history: history.map((entry) => {
    const { detail: _internal, ...rest } = entry;
    const shown = customerDetail(entry);
    return shown === undefined ? rest : { ...rest, detail: shown };
  }),
});

/** Undefined for an order that does not exist and for someone else's: a caller cannot probe other customers' ids. */
export async function getOrder(db: SqlClient, customerId: string, orderId: string): Promise<OrderView | undefined> {
  const order = await findOrder(db, orderId);
  if (!order || order.customerId !== customerId) return undefined;
  if (order.sagaMode === 'choreography') return view(order, timelineToHistory(await timelineOf(db, orderId)));
  const saga = await findSagaByOrder(db, orderId);
  return view(order, saga?.history ?? []);
}

/** Every event about the order, as the timeline read model holds it (owner only, like the order). */
export async function getTimeline(db: SqlClient, customerId: string, orderId: string): Promise<TimelineEntry[] | undefined> {
  const order = await findOrder(db, orderId);
  if (!order || order.customerId !== customerId) return undefined;
  return (await timelineOf(db, orderId)).map(customerEntry);
}

export interface OrderPage {
  items: OrderSummary[];
  nextCursor?: string;
}

export type OrderSummary = Omit<OrderView, 'history'>;

/** An order without its history: a row of the orders list, and what the live stream pushes. */
export function orderSummary(order: OrderRecord): OrderSummary {
  const { history: _history, ...summary } = view(order, []);
  return summary;
}

/** The order's summary by id, for whoever may see it (its customer, or any admin); undefined otherwise. */
export async function findOrderSummary(db: SqlClient, orderId: string): Promise<OrderSummary | undefined> {
  const order = await findOrder(db, orderId);
  return order && orderSummary(order);
}

export async function listCustomerOrders(db: SqlClient, customerId: string, limit: number, cursor?: string): Promise<OrderPage> {
  const after = cursor ? decodeCursor(cursor) : undefined;
  const orders = await listOrders(db, customerId, limit + 1, after);
  const page = orders.slice(0, limit);
  const last = page.at(-1);
  return {
    items: page.map(orderSummary),
    ...(orders.length > limit && last ? { nextCursor: encodeCursor(last) } : {}),
  };
}

export class InvalidCursorError extends Error {}

/**
 * A page position, readable on purpose: `<createdAt in epoch ms>.<orderId>` of the last order on the page before.
 * Every value this pattern admits is a valid position (possibly past the end: an empty page), so the contract can
 * say exactly what a client may send, and a hand-made cursor is no more powerful than paging: the customer filter
 * applies to every page. At most 13 digits: up to the year 2286, inside what both JavaScript and PostgreSQL read as
 * a four-digit-year timestamp (a 15-digit one was a 500 the fuzzer found).
 */
export const ORDER_CURSOR_PATTERN = /^([0-9]{1,13})\.([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})$/;

function encodeCursor(order: OrderRecord): string {
  return `${order.createdAt.getTime()}.${order.orderId}`;
}

function decodeCursor(cursor: string): { createdAt: Date; orderId: string } {
  const match = ORDER_CURSOR_PATTERN.exec(cursor);
  if (!match) throw new InvalidCursorError('invalid cursor');
  return { createdAt: new Date(Number(match[1])), orderId: match[2] as string };
}
