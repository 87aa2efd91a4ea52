// Shared by both transport adapters: run reserveStock / releaseStock on the inbox transaction and build the outcome
// envelope (StockReserved, StockReservationFailed, StockReleased). Only where it is sent differs: a RabbitMQ reply or a Kafka event.
import { randomUUID } from 'node:crypto';
import {
  StockReleased,
  StockReservationFailed,
  StockReserved,
  type EnvelopeMeta,
  type MessageContract,
  type MessageEnvelope,
  type OrderLine,
} from '@saga/contracts';
import type { SqlExecutor } from '@saga/db';
import { PoisonMessageError } from '@saga/messaging';
import type { Inventory } from '../app/inventory';
import type { InventoryStore } from '../app/inventory-store.port';
import type { Clock } from '../domain/clock';
import type { OrderRef } from '../domain/reservation';

export interface StockOutcomeDeps {
  inventory: Inventory;
  /** Binds a store to the inbox transaction, so stock, dedup record and outcome commit together. */
  storeOn: (tx: SqlExecutor) => InventoryStore;
  clock: Clock;
}

export interface StockOutcomes {
  /** T2: reserves the lines and returns StockReserved or StockReservationFailed, caused by `cause`. */
  reserve(cause: MessageEnvelope, input: OrderRef & { lines: readonly OrderLine[] }, tx: SqlExecutor): Promise<MessageEnvelope>;
  /** C2: gives back what the order holds and returns StockReleased, caused by `cause`. */
  release(cause: MessageEnvelope, input: OrderRef, tx: SqlExecutor): Promise<MessageEnvelope>;
  /**
   * C2 on a cancellation: the same release, announced only when it changed something (stock given back, or a
   * tombstone so a later reserve takes nothing). A failed or already released reservation stays silent: the
   * cancellation of an out-of-stock or declined order must not add a second "released" to its history.
   */
  releaseIfHeld(cause: MessageEnvelope, input: OrderRef, tx: SqlExecutor): Promise<MessageEnvelope | undefined>;
}

/** Validates against the contract; invalid now means invalid forever, so it is dead-lettered at once rather than retried. */
export function parseOrPoison<P>(contract: MessageContract<string, P>, envelope: MessageEnvelope): MessageEnvelope<P> {
  const parsed = contract.parse(envelope);
  if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
  return parsed.message;
}

/** Outcomes are about the order (correlation), point back at the message that caused them, and stay in its trace. */
const outcomeMeta = (cause: MessageEnvelope, orderId: string): EnvelopeMeta => ({
  correlationId: orderId,
  causationId: cause.messageId,
  ...(cause.traceparent === undefined ? {} : { traceparent: cause.traceparent }),
});

export function createStockOutcomes({ inventory, storeOn, clock }: StockOutcomeDeps): StockOutcomes {
  const envelopeDeps = { now: clock, newId: randomUUID };
  return {
    async reserve(cause, { orderId, sagaId, lines }, tx) {
      const outcome = await inventory.reserveStock({ orderId, sagaId, lines }, storeOn(tx));
      const meta = outcomeMeta(cause, orderId);
      return outcome.ok
        ? StockReserved.create({ orderId, sagaId, lines: outcome.lines }, meta, envelopeDeps)
        : StockReservationFailed.create({ orderId, sagaId, reason: outcome.reason, skus: outcome.skus }, meta, envelopeDeps);
    },
    async release(cause, { orderId, sagaId }, tx) {
      const outcome = await inventory.releaseStock({ orderId, sagaId }, storeOn(tx));
      return StockReleased.create({ orderId, sagaId, lines: outcome.lines }, outcomeMeta(cause, orderId), envelopeDeps);
    },
    async releaseIfHeld(cause, { orderId, sagaId }, tx) {
      const outcome = await inventory.releaseStock({ orderId, sagaId }, storeOn(tx));
      return outcome.changed ? StockReleased.create({ orderId, sagaId, lines: outcome.lines }, outcomeMeta(cause, orderId), envelopeDeps) : undefined;
    },
  };
}
