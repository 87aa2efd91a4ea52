// Runs reconciliation passes on an interval, one at a time, each spread over the interval; stop() ends the pass in progress at its next pause.
import type { Logger } from '@saga/platform';
import type { PaymentReconciler } from './reconcile-payments.use-case';

export class ReconciliationScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private stopping = new AbortController();

  constructor(private readonly options: { reconciler: PaymentReconciler; intervalMs: number; logger: Logger }) {}

  start(): void {
    if (this.options.intervalMs <= 0) return;
    this.stopping = new AbortController();
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.pass().finally(() => {
        this.running = undefined;
      });
    }, this.options.intervalMs);
    this.timer.unref();
  }

  private async pass(): Promise<void> {
    try {
      // Spread over the interval: a backlog (after a burst of orders, or a restart) is not one burst at the provider.
      const report = await this.options.reconciler.reconcileDue({ spreadOverMs: this.options.intervalMs, signal: this.stopping.signal });
      if (report.repairs.length > 0 || report.errors.length > 0) {
        this.options.logger.warn({ checked: report.checked, repairs: report.repairs, errors: report.errors.slice(0, 10) }, 'reconciliation pass repaired or could not check payments');
      }
    } catch (err) {
      this.options.logger.error({ err }, 'reconciliation pass failed');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.stopping.abort();
    await this.running;
  }
}
