// Saga instruments: starts, outcomes (with the cancellation reason), durations, steps and compensations. Never an order id.
import { counterOf, histogramOf, type Metrics } from './metrics';

export type SagaOutcome = 'APPROVED' | 'CANCELLED' | 'COMPENSATION_FAILED';

/** Seconds, for a whole saga or one step: 10 ms to 2 min (a step timeout is 10 s, compensations retry for longer). */
const sagaBuckets = [0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120];

export interface SagaMetrics {
  started(mode: string): void;
  /** reason: the cancellation reason (e.g. PAYMENT_DECLINED); absent for an approval. */
  completed(mode: string, outcome: SagaOutcome, seconds: number, reason?: string): void;
  step(step: string, result: string, seconds: number): void;
  compensation(step: string): void;
}

export function sagaMetrics(metrics: Metrics): SagaMetrics {
  const { service } = metrics;
  const started = counterOf(metrics, { name: 'saga_started_total', help: 'Sagas started, by mode.', labelNames: ['mode'] });
  const completed = counterOf(metrics, { name: 'saga_completed_total', help: 'Sagas that reached a final status, by mode, outcome and cancellation reason.', labelNames: ['mode', 'outcome', 'reason'] });
  const duration = histogramOf(metrics, { name: 'saga_duration_seconds', help: 'Time from a saga start to its final status.', labelNames: ['mode', 'outcome'], buckets: sagaBuckets });
  const steps = histogramOf(metrics, { name: 'saga_step_duration_seconds', help: 'Time from a step command to its reply, by step and result.', labelNames: ['step', 'result'], buckets: sagaBuckets });
  const compensations = counterOf(metrics, { name: 'saga_compensations_total', help: 'Compensations started, by the step they undo.', labelNames: ['step'] });
  return {
    started: (mode) => started.inc({ service, mode }),
    completed: (mode, outcome, seconds, reason) => {
      completed.inc({ service, mode, outcome, reason: reason ?? 'none' });
      duration.observe({ service, mode, outcome }, seconds);
    },
    step: (step, result, seconds) => steps.observe({ service, step, result }, seconds),
    compensation: (step) => compensations.inc({ service, step }),
  };
}
