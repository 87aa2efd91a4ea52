// One lane of the relay (the commands, or the events): its own flusher, its own backoff, its own lease.
import type { SqlClient } from '@saga/db';
import { backoffDelay } from '@saga/resilience';
import { CoalescingRunner } from './coalescing-runner';
import { publishLaneBatch, releaseLane, type LaneBatchOptions, type LaneLease, type OutboxLane, type OutboxTransports } from './outbox-publisher';
import type { OutboxRelayOptions } from './outbox-relay-options';

export class OutboxLaneRunner {
  private readonly flusher = new CoalescingRunner(() => this.drain());
  private readonly lease: LaneLease = { heldUntilMs: 0 };
  private retryTimer?: NodeJS.Timeout;
  private retryAt = 0;
  private consecutiveFailures = 0;
  active = false;
  published = 0;
  failures = 0;

  constructor(
    readonly lane: OutboxLane,
    private readonly db: SqlClient,
    private readonly transports: OutboxTransports,
    private readonly batch: LaneBatchOptions,
    private readonly options: Pick<OutboxRelayOptions, 'retryInitialDelayMs' | 'retryMaxDelayMs'>,
    private readonly log: NonNullable<OutboxRelayOptions['log']>,
  ) {}

  flush(): Promise<number> {
    return this.flusher.run();
  }

  /** NOTIFY, poll tick or end of a backoff: flush, unless backing off, in which case come back when it ends. */
  wake(): void {
    if (!this.active) return;
    const waitMs = this.retryAt - Date.now();
    if (waitMs > 0) return this.armRetryTimer(waitMs);
    this.flusher.run().catch((error: unknown) => this.log('error', 'outbox flush failed', { lane: this.lane, error: String(error) }));
  }

  async stop(): Promise<void> {
    this.active = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    await this.flusher.idle();
    this.lease.heldUntilMs = 0;
    await releaseLane(this.db, this.lane, this.batch.holder).catch(() => undefined);
  }

  /**
   * Batches until the lane is empty, another relay holds it, or nothing could be published (the broker is away, or
   * the head is refused and not parked yet): then back off. Rows refused while others went out do not stop the drain.
   */
  private async drain(): Promise<number> {
    let total = 0;
    for (;;) {
      // A database error (as opposed to a broker one) also backs off: the relay must not spin on a dead server.
      const batch = await publishLaneBatch(this.db, this.transports, this.lane, this.batch, this.lease).catch((error: unknown) => {
        this.backOff();
        throw error;
      });
      total += batch.published;
      this.published += batch.published;
      for (const failure of batch.failures) {
        this.log('warn', failure.parked ? 'outbox row parked after repeated refusals; the lane flows on' : 'outbox publish failed', { lane: this.lane, ...failure });
      }
      if (batch.failures.length > 0 && batch.published === 0) {
        this.log('warn', 'outbox lane backing off', { lane: this.lane, retryInMs: this.backOff() });
        return total;
      }
      if (batch.failures.length === 0) {
        this.consecutiveFailures = 0;
        this.retryAt = 0;
      } else {
        this.failures += batch.failures.length;
      }
      if (!batch.owned || (batch.claimed < this.batch.batchSize && batch.failures.length === 0)) return total;
    }
  }

  /** Counts a failure and pushes the next automatic attempt back; returns the delay. */
  private backOff(): number {
    this.failures += 1;
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
}
