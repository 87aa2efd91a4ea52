// SQL for orders and their sagas; every function takes an executor, so it runs inside the caller's transaction.
import { type SagaMode } from '@saga/contracts';
import type { SqlExecutor } from '@saga/db';
import type { PricedLine } from '../domain/price-order';
import type { FailureReason, OrderStatus, SagaState, SagaStatus } from '../domain/order-saga.types';
import { announceOrderChange } from './order-changes';


export interface OrderRecord {
  orderId: string;
  customerId: string;
  status: OrderStatus;
  sagaMode: SagaMode;
  items: PricedLine[];
  totalCents: number;
  failureReason: FailureReason | null;
  createdAt: Date;
  updatedAt: Date;
}

interface OrderRow {
  order_id: string;
  customer_id: string;
  status: OrderStatus;
  saga_mode: SagaMode;
  items: PricedLine[];
  total_cents: number;
  failure_reason: FailureReason | null;
  created_at: Date;
  updated_at: Date;
}

const toOrder = (row: OrderRow): OrderRecord => ({
  orderId: row.order_id,
  customerId: row.customer_id,
  status: row.status,
  sagaMode: row.saga_mode,
  items: row.items,
  totalCents: row.total_cents,
  failureReason: row.failure_reason,
  createdAt: row.created_at,
  updatedAt: row.updated_at,
});

const ORDER_COLUMNS = 'order_id, customer_id, status, saga_mode, items, total_cents, failure_reason, created_at, updated_at';

export async function insertOrder(tx: SqlExecutor, order: OrderRecord): Promise<void> {
  await tx.query(
    `INSERT INTO orders (${ORDER_COLUMNS}) VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9)`,
    // A JSON array goes in as text: pg would otherwise send a JS array as a PostgreSQL array.
    [order.orderId, order.customerId, order.status, order.sagaMode, JSON.stringify(order.items), order.totalCents, order.failureReason, order.createdAt, order.updatedAt],
  );
  await announceOrderChange(tx, order.orderId);
}

export async function findOrder(tx: SqlExecutor, orderId: string): Promise<OrderRecord | undefined> {
  const { rows } = await tx.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE order_id = $1`, [orderId]);
  return rows[0] && toOrder(rows[0]);
}

/** Newest first, keyset-paginated: `after` is the last (createdAt, orderId) of the previous page. */
export async function listOrders(tx: SqlExecutor, customerId: string, limit: number, after?: { createdAt: Date; orderId: string }): Promise<OrderRecord[]> {
  const { rows } = after
    ? await tx.query<OrderRow>(
        `SELECT ${ORDER_COLUMNS} FROM orders WHERE customer_id = $1 AND (created_at, order_id) < ($2, $3)
          ORDER BY created_at DESC, order_id DESC LIMIT $4`,
        [customerId, after.createdAt, after.orderId, limit],
      )
    : await tx.query<OrderRow>(`SELECT ${ORDER_COLUMNS} FROM orders WHERE customer_id = $1 ORDER BY created_at DESC, order_id DESC LIMIT $2`, [customerId, limit]);
  return rows.map(toOrder);
}

export async function updateOrderOutcome(tx: SqlExecutor, orderId: string, status: OrderStatus, failureReason: FailureReason | null, now: Date): Promise<void> {
  await tx.query('UPDATE orders SET status = $2, failure_reason = $3, updated_at = $4 WHERE order_id = $1', [orderId, status, failureReason, now]);
  await announceOrderChange(tx, orderId);
}

/** Saga state is stored whole (it is small) plus the two columns the deadline scan needs. */
export async function saveSaga(tx: SqlExecutor, state: SagaState, now: Date, insert: boolean): Promise<void> {
  const live = state.status === 'RUNNING' || state.status === 'COMPENSATING';
  const deadline = live && state.awaiting ? new Date(state.awaiting.deadline) : null;
  const params = [state.sagaId, state.orderId, state.status, deadline, JSON.stringify(state), now];
  if (insert) {
    await tx.query('INSERT INTO sagas (saga_id, order_id, status, deadline, state, updated_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6)', params);
  } else {
    await tx.query('UPDATE sagas SET order_id = $2, status = $3, deadline = $4, state = $5::jsonb, updated_at = $6 WHERE saga_id = $1', params);
  }
  // The saga's history is what the order's step diagram shows: a new step is a change to watch.
  await announceOrderChange(tx, state.orderId);
}

/** Locks the saga row: replies and the deadline scan for one saga are applied one at a time, by any instance. */
export async function lockSaga(tx: SqlExecutor, sagaId: string): Promise<SagaState | undefined> {
  const { rows } = await tx.query<{ state: SagaState }>('SELECT state FROM sagas WHERE saga_id = $1 FOR UPDATE', [sagaId]);
  return rows[0]?.state;
}

export async function findSagaByOrder(tx: SqlExecutor, orderId: string): Promise<SagaState | undefined> {
  const { rows } = await tx.query<{ state: SagaState }>('SELECT state FROM sagas WHERE order_id = $1', [orderId]);
  return rows[0]?.state;
}

export async function dueSagaIds(tx: SqlExecutor, now: Date, limit: number): Promise<string[]> {
  const { rows } = await tx.query<{ saga_id: string }>('SELECT saga_id FROM sagas WHERE deadline <= $1 ORDER BY deadline LIMIT $2', [now, limit]);
  return rows.map((row) => row.saga_id);
}

export interface SagaSummaryRecord {
  orderId: string;
  sagaId: string;
  customerId: string;
  orderStatus: OrderStatus;
  sagaStatus: SagaStatus;
  awaiting: SagaState['awaiting'];
  failureReason: FailureReason | null;
  updatedAt: Date;
}

/** Sagas in one status with their order, most recently changed first: what an operator scans (e.g. the parked ones). */
export async function listSagasByStatus(tx: SqlExecutor, status: SagaStatus, limit: number): Promise<SagaSummaryRecord[]> {
  const { rows } = await tx.query<{
    order_id: string;
    saga_id: string;
    customer_id: string;
    order_status: OrderStatus;
    saga_status: SagaStatus;
    awaiting: SagaState['awaiting'];
    failure_reason: FailureReason | null;
    updated_at: Date;
  }>(
    `SELECT s.order_id, s.saga_id, o.customer_id, o.status AS order_status, s.status AS saga_status,
            s.state -> 'awaiting' AS awaiting, o.failure_reason, s.updated_at
       FROM sagas s JOIN orders o USING (order_id)
      WHERE s.status = $1 ORDER BY s.updated_at DESC, s.saga_id DESC LIMIT $2`,
    [status, limit],
  );
  return rows.map((row) => ({
    orderId: row.order_id,
    sagaId: row.saga_id,
    customerId: row.customer_id,
    orderStatus: row.order_status,
    sagaStatus: row.saga_status,
    awaiting: row.awaiting ?? null,
    failureReason: row.failure_reason,
    updatedAt: row.updated_at,
  }));
}
