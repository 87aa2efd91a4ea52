// Live order changes for GET /orders/stream: one LISTEN per process; each changed order is read once, after its commit,
// and handed to the watchers allowed to see it (its customer, and admins).
import type { SqlClient, Unlisten } from '@saga/db';
import { ORDER_CHANGES_CHANNEL } from '../store/order-changes';
import { findOrderSummary, type OrderSummary } from './read-orders';

/** What a watcher gets: the order's summary and when the change was seen (a saga step changes no order column). */
export type OrderChange = OrderSummary & { changedAt: string };

export interface OrderWatcher {
  /** The caller's subject: a customer sees the changes of their own orders. */
  customerId: string;
  /** An admin sees every order's changes. */
  admin: boolean;
  send(change: OrderChange): void;
  /** The feed is closing (shutdown): end the stream. */
  end(): void;
}

export interface OrderChangeFeedOptions {
  db: SqlClient;
  onError: (err: unknown) => void;
  /** Changes to one order within this window are read and sent once (a saga step writes the saga and the order). */
  coalesceMs?: number;
}

const uuidPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export class OrderChangeFeed {
  readonly #watchers = new Set<OrderWatcher>();
  readonly #pending = new Set<string>();
  #listening: Promise<Unlisten> | undefined;
  #timer: NodeJS.Timeout | undefined;
  #flushing: Promise<void> = Promise.resolve();
  #closed = false;

  constructor(private readonly options: OrderChangeFeedOptions) {}

  get size(): number {
    return this.#watchers.size;
  }

  /** Starts listening on the first watcher; resolves once LISTEN is live, so no later commit is missed. */
  async watch(watcher: OrderWatcher): Promise<() => void> {
    if (this.#closed) throw new Error('the order change feed is closed');
    this.#watchers.add(watcher);
    this.#listening ??= this.options.db.listen(ORDER_CHANGES_CHANNEL, (orderId) => this.#changed(orderId));
    try {
      await this.#listening;
    } catch (err) {
      this.#watchers.delete(watcher);
      this.#listening = undefined;
      throw err;
    }
    return () => {
      this.#watchers.delete(watcher);
    };
  }

  /** Ends every stream, stops listening and waits for a read in flight. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearTimeout(this.#timer);
    for (const watcher of [...this.#watchers]) watcher.end();
    this.#watchers.clear();
    await this.#flushing;
    const unlisten = await this.#listening?.catch(() => undefined);
    await unlisten?.().catch(this.options.onError);
  }

  #changed(orderId: string): void {
    if (this.#closed || !uuidPattern.test(orderId) || this.#watchers.size === 0) return;
    this.#pending.add(orderId);
    this.#timer ??= setTimeout(() => {
      this.#timer = undefined;
      this.#flushing = this.#flushing.then(() => this.#flush());
    }, this.options.coalesceMs ?? 25);
  }

  async #flush(): Promise<void> {
    const ids = [...this.#pending];
    this.#pending.clear();
    for (const orderId of ids) {
      if (this.#closed) return;
      try {
        const summary = await findOrderSummary(this.options.db, orderId);
        if (!summary) continue;
        const change: OrderChange = { ...summary, changedAt: new Date().toISOString() };
        for (const watcher of this.#watchers) {
          if (watcher.admin || watcher.customerId === summary.customerId) watcher.send(change);
        }
      } catch (err) {
        this.options.onError(err);
      }
    }
  }
}
