// Runs reconciliation passes on an interval, one at a time; stop() waits for the pass in progress.
import type { Logger } from '@saga/platform';
import type { PaymentReconciler } from './reconcile-payments.use-case';

export class ReconciliationScheduler {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;

  constructor(private readonly options: { reconciler: PaymentReconciler; intervalMs: number; logger: Logger }) {}

  start(): void {
    if (this.options.intervalMs <= 0) return;
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
      const report = await this.options.reconciler.reconcileDue();
      if (report.repairs.length > 0 || report.errors.length > 0) {
        this.options.logger.warn({ checked: report.checked, repairs: report.repairs, errors: report.errors.slice(0, 10) }, 'reconciliation pass repaired or could not check payments');
      }
    } catch (err) {
      this.options.logger.error({ err }, 'reconciliation pass failed');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
