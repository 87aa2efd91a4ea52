// The outbox relay: woken by NOTIFY after each commit, polling as a safety net, publishing pending rows in order, at least once.
import type { Unlisten } from '@saga/db';
import { backoffDelay } from '@saga/resilience';
import { CoalescingRunner } from './coalescing-runner';
import { OUTBOX_CHANNEL } from './enqueue-outbox';
import { defaultHousekeeping, Housekeeper } from './outbox-housekeeping';
import { publishBatch } from './outbox-publisher';
import { defaultLog, type OutboxRelayOptions } from './outbox-relay-options';

export type { OutboxRelayOptions } from './outbox-relay-options';

/**
 * Delivery is at-least-once: a row whose publish was confirmed but whose `published_at` did not
 * commit (crash, lost connection) is published again by the next flush, so consumers dedupe by
 * messageId (handleOnce). Order: rows go out in id order and a failing row stops the flush, so
 * nothing overtakes it; the next automatic attempt waits out an exponential backoff (wakes and
 * polls meanwhile are deferred), while an explicit flush() tries at once. Every instance of a
 * service may run a relay on the same table: one of them publishes at a time (see publishBatch).
 */
export class OutboxRelay {
  private readonly log: NonNullable<OutboxRelayOptions['log']>;
  private readonly flusher = new CoalescingRunner(() => this.drain());
  private readonly housekeeper: Housekeeper;
  private active = false;
  private unlisten?: Unlisten;
  private pollTimer?: NodeJS.Timeout;
  private retryTimer?: NodeJS.Timeout;
  private retryAt = 0;
  private consecutiveFailures = 0;
  private publishedCount = 0;
  private failureCount = 0;

  constructor(private readonly options: OutboxRelayOptions) {
    this.log = options.log ?? defaultLog;
    this.housekeeper = new Housekeeper(options.db, {
      retainPublishedMs: options.retainPublishedMs ?? defaultHousekeeping.retainPublishedMs,
      retainProcessedMs: options.retainProcessedMs ?? defaultHousekeeping.retainProcessedMs,
    }, this.log);
  }

  /** LISTENs for commits and starts the poll timer; rows left pending by a previous run are published right away. */
  async start(): Promise<void> {
    if (this.active) return;
    this.active = true;
    this.unlisten = await this.options.db.listen(OUTBOX_CHANNEL, () => this.wake()).catch((error: unknown) => {
      this.active = false;
      throw error;
    });
    this.pollTimer = setInterval(() => {
      this.wake();
      this.housekeeper.tick();
    }, this.options.pollIntervalMs ?? 1_000);
    this.pollTimer.unref();
    this.wake();
  }

  /** Publishes pending rows now; returns how many were published. Exposed for tests and for shutdown. */
  flush(): Promise<number> {
    return this.flusher.run();
  }

  /** Stops listening and polling, then waits for a flush (and housekeeping) in flight. */
  async stop(): Promise<void> {
    this.active = false;
    clearInterval(this.pollTimer);
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.unlisten?.();
    this.unlisten = undefined;
    await Promise.all([this.flusher.idle(), this.housekeeper.idle()]);
  }

  /** Counts for health/metrics: rows still to publish, and rows published / failures seen since start. */
  async stats(): Promise<{ pending: number; published: number; failures: number }> {
    const { rows } = await this.options.db.query<{ pending: number }>('SELECT count(*)::int AS pending FROM outbox WHERE published_at IS NULL');
    return { pending: rows[0]?.pending ?? 0, published: this.publishedCount, failures: this.failureCount };
  }

  /** Batches until the outbox is empty, another relay holds it, or a publish fails. */
  private async drain(): Promise<number> {
    const batchSize = this.options.batchSize ?? 100;
    let total = 0;
    for (;;) {
      // A database error (as opposed to a broker one) also backs off: the relay must not spin on a dead server.
      const batch = await publishBatch(this.options.db, this.options, batchSize).catch((error: unknown) => {
        this.backOff();
        throw error;
      });
      total += batch.published;
      this.publishedCount += batch.published;
      if (batch.failure) {
        const retryInMs = this.backOff();
        this.log('warn', 'outbox publish failed; later rows wait behind it', { ...batch.failure, retryInMs });
        return total;
      }
      this.consecutiveFailures = 0;
      this.retryAt = 0;
      if (!batch.locked || batch.claimed < batchSize) return total;
    }
  }

  /** Counts a failure and pushes the next automatic attempt back; returns the delay. */
  private backOff(): number {
    this.failureCount += 1;
    this.consecutiveFailures += 1;
    const { retryInitialDelayMs = 250, retryMaxDelayMs = 30_000 } = this.options;
    const capped = backoffDelay(this.consecutiveFailures, { baseDelayMs: retryInitialDelayMs, maxDelayMs: retryMaxDelayMs, jitter: 'none' });
    // Half fixed, half random: instances failing together (broker down) do not retry in lockstep.
    const delayMs = Math.round(capped / 2 + (Math.random() * capped) / 2);
    this.retryAt = Date.now() + delayMs;
    if (this.active) this.armRetryTimer(delayMs);
    return delayMs;
  }

  private armRetryTimer(delayMs: number): void {
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.wake();
    }, delayMs).unref();
  }

  /** NOTIFY, poll tick or end of a backoff: flush, unless backing off, in which case come back when it ends. */
  private wake(): void {
    if (!this.active) return;
    const waitMs = this.retryAt - Date.now();
    if (waitMs > 0) return this.armRetryTimer(waitMs);
    this.flusher.run().catch((error: unknown) => this.log('error', 'outbox flush failed', { error: String(error) }));
  }
}
