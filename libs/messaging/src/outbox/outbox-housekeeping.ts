// Deletes what the outbox and the inbox no longer need: long-published rows and old dedup records.
import type { SqlExecutor } from '@saga/db';

export interface HousekeepingOptions {
  /** Published outbox rows older than this are deleted (kept a while for debugging). */
  retainPublishedMs: number;
  /** Dedup records older than this are deleted: a broker redelivers long before that, so they cannot matter. */
  retainProcessedMs: number;
}

export const defaultHousekeeping: HousekeepingOptions = {
  retainPublishedMs: 60 * 60 * 1_000,
  retainProcessedMs: 7 * 24 * 60 * 60 * 1_000,
};

/** Returns how many rows each table lost. Unpublished rows are never touched, whatever their age. */
export async function purgeOldMessages(db: SqlExecutor, opts: HousekeepingOptions): Promise<{ outbox: number; processed: number }> {
  // The cutoff is computed by the server (now()), so a skewed application clock cannot delete too much.
  const outbox = await db.query(
    "DELETE FROM outbox WHERE published_at IS NOT NULL AND published_at < now() - $1::double precision * interval '1 millisecond'",
    [opts.retainPublishedMs],
  );
  const processed = await db.query(
    "DELETE FROM processed_messages WHERE processed_at < now() - $1::double precision * interval '1 millisecond'",
    [opts.retainProcessedMs],
  );
  return { outbox: outbox.rowCount, processed: processed.rowCount };
}

type Log = (level: 'error' | 'warn' | 'info', message: string, extra: Record<string, unknown>) => void;

/** Runs purgeOldMessages from the relay's poll timer, at most once per `everyMs` and never twice at once. */
export class Housekeeper {
  private lastRunAt = 0;
  private inFlight?: Promise<void>;

  constructor(
    private readonly db: SqlExecutor,
    private readonly opts: HousekeepingOptions,
    private readonly log: Log,
    private readonly everyMs = 60_000,
  ) {}

  tick(): void {
    if (this.inFlight || Date.now() - this.lastRunAt < this.everyMs) return;
    this.lastRunAt = Date.now();
    this.inFlight = purgeOldMessages(this.db, this.opts)
      .then((deleted) => this.log('info', 'outbox housekeeping', deleted))
      .catch((error: unknown) => this.log('warn', 'outbox housekeeping failed', { error: String(error) }))
      .finally(() => {
        this.inFlight = undefined;
      });
  }

  async idle(): Promise<void> {
    await this.inFlight;
  }
}
