// Follows the run's orders to APPROVED or CANCELLED: from the admin's live order stream (one connection, no polling),
// with GET /api/orders/{id} as the safety net when the stream is down, was reconnected, or an order stays quiet.
import { performance } from 'node:perf_hooks';
import type { SagaMode } from '@saga/contracts';
import type { LoadClient, OrderSummary, Session } from './load-client';
import type { LoadStats } from './load-report';
import type { OrderKind } from './load-schedule';

export interface TrackedOrder {
  index: number;
  orderId: string;
  sagaMode: SagaMode;
  kind: OrderKind;
  /** performance.now() when the order was due: latency counts from here. */
  dueAt: number;
  /** performance.now() when it was seen APPROVED or CANCELLED. */
  finalAt?: number;
  /** The username it was placed as. */
  customer: string;
  items: { sku: string; quantity: number }[];
  totalCents: number;
  status: 'PENDING' | 'APPROVED' | 'CANCELLED';
  failureReason?: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const isFinal = (status: string): status is 'APPROVED' | 'CANCELLED' => status === 'APPROVED' || status === 'CANCELLED';

export class OrderTracker {
  readonly #orders = new Map<string, TrackedOrder>();
  /** Final changes of orders whose 202 has not arrived yet (the stream can be faster), or that are not this run's. */
  readonly #early = new Map<string, { order: OrderSummary; at: number }>();
  /** Every order the stream mentioned. */
  readonly #seen = new Set<string>();
  readonly #abort = new AbortController();
  #streaming = false;
  #sweeping = false;
  #timer: NodeJS.Timeout | undefined;
  #streamNote = '';

  constructor(private readonly client: LoadClient, private readonly admin: Session, private readonly stats: LoadStats) {}

  get pending(): TrackedOrder[] {
    return [...this.#orders.values()].filter((order) => order.status === 'PENDING');
  }

  get all(): TrackedOrder[] {
    return [...this.#orders.values()];
  }

  /** Orders that changed during the run without being known to it: someone else's, or one whose POST got no answer. */
  get foreign(): number {
    return [...this.#seen].filter((id) => !this.#orders.has(id)).length;
  }

  /** How finals were observed: the stream, or polling because it was refused. */
  get how(): string {
    return this.#streamNote || 'the live order stream (GET /api/orders/stream as admin)';
  }

  /** Opens the stream (waiting up to 5 s for it to be live) and starts the safety-net sweeps. */
  async start(): Promise<void> {
    let timer: NodeJS.Timeout | undefined;
    await new Promise<void>((resolve) => {
      timer = setTimeout(resolve, 5_000);
      void this.#follow(resolve);
    });
    clearTimeout(timer);
    this.#timer = setInterval(() => void this.#sweep(this.#streaming ? 30_000 : 1_000), 2_000);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#abort.abort();
  }

  placed(order: TrackedOrder): void {
    this.#orders.set(order.orderId, order);
    const early = this.#early.get(order.orderId);
    this.#early.delete(order.orderId);
    if (early) this.#settle(order, early.order, early.at);
  }

  /** Every order still pending is read once more (at the drain's end, before calling one stuck). */
  async sweepAll(): Promise<void> {
    while (this.#sweeping) await sleep(50);
    await this.#sweep(0, Number.POSITIVE_INFINITY);
  }

  #observe(change: OrderSummary, at: number): void {
    this.#seen.add(change.orderId);
    if (!isFinal(change.status)) return;
    const order = this.#orders.get(change.orderId);
    if (order) this.#settle(order, change, at);
    else this.#early.set(change.orderId, { order: change, at });
  }

  #settle(order: TrackedOrder, change: OrderSummary, at: number): void {
    if (order.status !== 'PENDING' || !isFinal(change.status)) return;
    order.status = change.status;
    order.failureReason = change.failureReason;
    order.finalAt = at;
    this.stats.recordFinal(order.sagaMode, change.status, change.failureReason, at - order.dueAt);
  }

  /** Reconnects until stopped; a stream refused outright (404, 403, 503) leaves the polling sweeps to do the work. */
  async #follow(live: () => void): Promise<void> {
    let connections = 0;
    while (!this.#abort.signal.aborted) {
      try {
        await this.client.stream(this.admin, {
          onReady: () => {
            this.#streaming = true;
            connections += 1;
            live();
            // Reconnected: changes made while it was down were not pushed; read the pending orders instead.
            if (connections > 1) void this.#sweep(0);
          },
          onOrder: (change) => this.#observe(change, performance.now()),
        }, this.#abort.signal);
      } catch (error) {
        if (this.#abort.signal.aborted) return;
        if (connections === 0) {
          this.#streamNote = `polling GET /api/orders/{id} (the order stream was refused: ${error instanceof Error ? error.message : String(error)})`;
          live();
          return;
        }
      }
      this.#streaming = false;
      await sleep(1_000);
    }
  }

  /** Reads pending orders older than `olderThanMs` (at most `max` per sweep, 8 at a time); one sweep at a time. */
  async #sweep(olderThanMs: number, max = 200): Promise<void> {
    if (this.#sweeping) return;
    this.#sweeping = true;
    try {
      const now = performance.now();
      const due = this.pending.filter((order) => now - order.dueAt > olderThanMs).slice(0, max);
      for (let i = 0; i < due.length; i += 8) {
        await Promise.all(due.slice(i, i + 8).map(async (order) => {
          const seen = await this.client.getOrder(this.admin, order.orderId).catch(() => undefined);
          if (seen) this.#observe(seen, performance.now());
        }));
      }
    } finally {
      this.#sweeping = false;
    }
  }
}
