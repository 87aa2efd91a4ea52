// Cancels choreographed orders still PENDING past their deadline: without it, a silent participant strands an order.
import type { SqlClient } from '@saga/db';
import { enqueueOutbox } from '@saga/messaging';
import type { SagaMetrics } from '@saga/metrics';
import { lockOverdueChoreographedOrders } from '../store/choreography-repository';
import { choreographyTransitions, recordSagaTransitions } from './record-saga-metrics';
import { settleChoreographedOrder } from './settle-choreographed-order';

export interface ChoreographyReaperOptions {
  db: SqlClient;
  now: () => Date;
  /** How long after it was placed a choreographed order may stay PENDING (CHOREOGRAPHY_DEADLINE_MS). */
  deadlineMs: number;
  intervalMs: number;
  /** Orders per transaction; a pass takes batches until one comes back short. Default 100. */
  batchSize?: number;
  onError: (error: unknown) => void;
  /** Told about every order a deadline cancelled (after its transaction committed): worth a log line. */
  onCancelled?: (order: { orderId: string; reason: string }) => void;
  /** Each order it cancels, as a choreographed saga CANCELLED; absent: nothing recorded. */
  sagaMetrics?: SagaMetrics;
}

interface Reaped {
  orderId: string;
  reason: string;
  placedAt: Date;
}

/** A pass stops after this many full batches, so one tick never runs unbounded; the next tick goes on. */
const MAX_BATCHES_PER_PASS = 10;

export class ChoreographyReaper {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(private readonly options: ChoreographyReaperOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.reapOnce().catch((error: unknown) => { this.options.onError(error); return 0; }).finally(() => { this.running = undefined; });
    }, this.options.intervalMs);
  }

  /** One pass; returns how many orders it cancelled. */
  async reapOnce(): Promise<number> {
    const limit = this.options.batchSize ?? 100;
    let cancelled = 0;
    for (let batch = 0; batch < MAX_BATCHES_PER_PASS; batch += 1) {
      const { locked, settled, at } = await this.reapBatch(limit);
      for (const { orderId, reason, placedAt } of settled) {
        this.options.onCancelled?.({ orderId, reason });
        // After the batch's transaction committed (record-saga-metrics.ts).
        recordSagaTransitions(this.options.sagaMetrics, choreographyTransitions({ status: 'CANCELLED', reason }, placedAt, at));
      }
      cancelled += settled.length;
      if (locked < limit) break;
    }
    return cancelled;
  }

  /**
   * One transaction: the overdue orders no one else holds (SKIP LOCKED, so instances share the work and never wait on
   * each other), each settled by the same pure rules as a participant event, its OrderCancelled in the same outbox
   * commit. Idempotent: an order that settled meanwhile is no longer PENDING, and the rules settle an order once.
   */
  private async reapBatch(limit: number): Promise<{ locked: number; settled: Reaped[]; at: Date }> {
    const now = this.options.now();
    return this.options.db.transaction(async (tx) => {
      const due = await lockOverdueChoreographedOrders(tx, new Date(now.getTime() - this.options.deadlineMs), limit);
      const settled: Reaped[] = [];
      for (const orderId of due) {
        // In choreography the sagaId is the orderId (place-order.ts), and a deadline has no causing message.
        const result = await settleChoreographedOrder(tx, { orderId, sagaId: orderId }, { type: 'DEADLINE_PASSED' }, { correlationId: orderId }, now);
        await enqueueOutbox(tx, result.messages);
        if (result.outcome?.status === 'CANCELLED') settled.push({ orderId, reason: result.outcome.reason, placedAt: result.placedAt ?? now });
      }
      return { locked: due.length, settled, at: now };
    });
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
