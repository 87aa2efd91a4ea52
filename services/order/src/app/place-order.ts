// Use case: place an order — check the idempotency key, price the lines, then write order, saga and first command at once.
import { createHash, randomUUID } from 'node:crypto';
import { OrderCreated, topics, type OrderLine, type SagaMode } from '@saga/contracts';
import { isUniqueViolation, type SqlClient, type SqlExecutor } from '@saga/db';
import { enqueueOutbox } from '@saga/messaging';
import type { SagaMetrics } from '@saga/metrics';
import { startSaga, type NewSaga } from '../domain/order-saga';
import { priceOrder } from '../domain/price-order';
import { findAnswer, saveAnswer } from '../store/idempotency-repository';
import { insertOrder, saveSaga } from '../store/order-repository';
import type { SagaRuntime } from './apply-saga-input';
import type { PriceCatalog } from './price-catalog.port';
import { recordSagaTransitions } from './record-saga-metrics';
import { toOutboxMessage } from './saga-commands';

export interface PlaceOrderRequest {
  customerId: string;
  lines: OrderLine[];
  sagaMode: SagaMode;
  paymentToken: string;
  idempotencyKey?: string;
  requestId?: string;
}

export interface PlacedOrder {
  orderId: string;
  status: 'PENDING';
  sagaMode: SagaMode;
  totalCents: number;
}

export type PlaceOrderOutcome =
  | { ok: true; order: PlacedOrder; replayed: boolean }
  | { ok: false; reason: 'IDEMPOTENCY_KEY_REUSED' }
  | { ok: false; reason: 'UNKNOWN_SKU'; skus: string[] }
  | { ok: false; reason: 'PRICES_UNAVAILABLE'; message: string };

export interface PlaceOrderDeps {
  db: SqlClient;
  prices: PriceCatalog;
  runtime: SagaRuntime;
  /** Absent: nothing recorded. */
  sagaMetrics?: SagaMetrics;
}

/** What makes two requests "the same" for an idempotency key: everything but the key itself. */
function requestHash(request: PlaceOrderRequest): string {
  const { customerId, lines, sagaMode, paymentToken } = request;
  return createHash('sha256').update(JSON.stringify({ customerId, lines, sagaMode, paymentToken })).digest('hex');
}

export async function placeOrder(deps: PlaceOrderDeps, request: PlaceOrderRequest): Promise<PlaceOrderOutcome> {
  const hash = requestHash(request);
  const key = request.idempotencyKey;
  const replay = async (): Promise<PlaceOrderOutcome | undefined> => {
    if (!key) return undefined;
    const answer = await findAnswer(deps.db, request.customerId, key);
    if (!answer) return undefined;
    return answer.requestHash === hash ? { ok: true, order: answer.response as PlacedOrder, replayed: true } : { ok: false, reason: 'IDEMPOTENCY_KEY_REUSED' };
  };
  const earlier = await replay();
  if (earlier) return earlier;

  const priceList = await deps.prices.currentPrices();
  if (!priceList.ok) return { ok: false, reason: 'PRICES_UNAVAILABLE', message: priceList.reason };
  const priced = priceOrder(request.lines, priceList.prices);
  if (!priced.ok) return priced;

  const orderId = randomUUID();
  const now = deps.runtime.now();
  const order: PlacedOrder = { orderId, status: 'PENDING', sagaMode: request.sagaMode, totalCents: priced.totalCents };
  const staleNote = priceList.source === 'cache' ? `priced from the last known price list (${priceList.fetchedAt.toISOString()}): inventory unavailable` : undefined;
  try {
    await deps.db.transaction(async (tx) => {
      await insertOrder(tx, { orderId, customerId: request.customerId, status: 'PENDING', sagaMode: request.sagaMode, items: priced.lines, totalCents: priced.totalCents, failureReason: null, createdAt: now, updatedAt: now });
      if (key) await saveAnswer(tx, request.customerId, key, { requestHash: hash, response: order }, now);
      const sagaOrder = { orderId, customerId: request.customerId, lines: request.lines, totalCents: priced.totalCents, paymentToken: request.paymentToken };
      if (request.sagaMode === 'orchestration') await startOrchestration(tx, sagaOrder, now, deps.runtime, request.requestId, staleNote);
      else await startChoreography(tx, sagaOrder, now, request.requestId);
    });
  } catch (error) {
    // Two requests with one key raced: the other committed first, so answer as it did.
    if (key && isUniqueViolation(error)) {
      const winner = await replay();
      if (winner) return winner;
    }
    throw error;
  }
  // Committed: a saga started. Only here, never for a replay (an Idempotency-Key answered again, or a lost race).
  recordSagaTransitions(deps.sagaMetrics, [{ kind: 'started', mode: request.sagaMode }]);
  return { ok: true, order, replayed: false };
}

type SagaOrder = Omit<NewSaga, 'sagaId'>;

/** Orchestration: the saga row and its first command (ReserveStock), in the order's transaction. */
async function startOrchestration(tx: SqlExecutor, order: SagaOrder, now: Date, runtime: SagaRuntime, requestId: string | undefined, note: string | undefined): Promise<void> {
  const started = startSaga({ ...order, sagaId: randomUUID() }, now, runtime.timeouts);
  // Said in the order's own history, so nobody wonders later where a stale price came from.
  if (note) started.state.history[0] = { ...started.state.history[0]!, detail: note };
  await saveSaga(tx, started.state, now, true);
  await enqueueOutbox(tx, started.commands.map((command) => toOutboxMessage(command, started.state, requestId, runtime.now)));
}

/** Choreography: no central state, just the fact that the order exists, for the participants to react to. */
async function startChoreography(tx: SqlExecutor, order: SagaOrder, now: Date, requestId: string | undefined): Promise<void> {
  const envelope = OrderCreated.create(
    { ...order, sagaId: order.orderId, currency: 'EUR' },
    { correlationId: order.orderId, ...(requestId ? { causationId: requestId } : {}) },
    { now: () => now, newId: randomUUID },
  );
  await enqueueOutbox(tx, [{ transport: 'event', topic: topics.orderEvents, key: order.orderId, envelope }]);
}
