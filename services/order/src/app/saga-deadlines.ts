// Finds sagas whose awaited step is overdue and feeds them DEADLINE_PASSED: what turns a lost reply into a compensation.
import type { SqlClient } from '@saga/db';
import type { SagaMetrics } from '@saga/metrics';
import { dueSagaIds } from '../store/order-repository';
import type { SagaState } from '../domain/order-saga.types';
import { applySagaInput, type SagaRuntime } from './apply-saga-input';
import { orchestrationTransitions, recordSagaTransitions } from './record-saga-metrics';

export interface DeadlineScannerOptions {
  db: SqlClient;
  runtime: SagaRuntime;
  intervalMs: number;
  onError: (error: unknown) => void;
  /** Told about every saga a deadline moved on: a timed-out step is worth a log line. */
  onAdvanced?: (state: SagaState) => void;
  /** Timed-out steps, compensations begun, sagas parked or cancelled by a deadline; absent: nothing recorded. */
  sagaMetrics?: SagaMetrics;
}

export class DeadlineScanner {
  private timer?: NodeJS.Timeout;
  private running?: Promise<number>;

  constructor(private readonly options: DeadlineScannerOptions) {}

  start(): void {
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.scanOnce().catch((error: unknown) => { this.options.onError(error); return 0; }).finally(() => { this.running = undefined; });
    }, this.options.intervalMs);
  }

  /** One pass; returns how many sagas advanced. Each saga is its own transaction, locked, so instances never double-apply. */
  async scanOnce(): Promise<number> {
    const { db, runtime } = this.options;
    let advanced = 0;
    for (const sagaId of await dueSagaIds(db, runtime.now(), 100)) {
      const outcome = await db.transaction((tx) => applySagaInput(tx, sagaId, { type: 'DEADLINE_PASSED' }, runtime));
      if (outcome.kind === 'advanced') {
        advanced += 1;
        // After the saga's own transaction committed (record-saga-metrics.ts).
        recordSagaTransitions(this.options.sagaMetrics, orchestrationTransitions(outcome.before, outcome.state, outcome.at));
        this.options.onAdvanced?.(outcome.state);
      }
    }
    return advanced;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
