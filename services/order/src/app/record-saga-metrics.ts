// What a committed saga change means for the saga instruments (@saga/metrics), and recording it: called after commit only.
//
// Why after commit: a reply redelivered after a crash is dropped by the idempotent inbox, and a rolled-back change never
// happened, so recording what a committed transaction changed counts each transition once. The price: a crash between
// the commit and the recording loses that one count, acceptable for metrics (the order's history stays exact).
// Labels are steps, modes, outcomes and failure reasons: small fixed sets, never an order or saga id.
import type { SagaMode } from '@saga/contracts';
import type { SagaMetrics, SagaOutcome } from '@saga/metrics';
import type { ChoreographyOutcome } from '../domain/choreography-settlement';
import type { SagaState, SagaStep, StepStatus } from '../domain/order-saga.types';

export type SagaTransition =
  | { kind: 'started'; mode: SagaMode }
  | { kind: 'completed'; mode: SagaMode; outcome: SagaOutcome; reason?: string; seconds: number }
  | { kind: 'step'; step: SagaStep; result: StepEnd; seconds: number }
  | { kind: 'compensation'; step: SagaStep };

type StepEnd = Extract<StepStatus, 'SUCCEEDED' | 'FAILED' | 'TIMED_OUT'>;

const compensationSteps: ReadonlySet<SagaStep> = new Set(['RELEASE_STOCK', 'REFUND_PAYMENT', 'CANCEL_ORDER', 'NOTIFY_CANCELLED']);
const stepEnds: ReadonlySet<StepStatus> = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT']);
const finalStatuses: ReadonlySet<SagaState['status']> = new Set(['APPROVED', 'CANCELLED', 'COMPENSATION_FAILED']);

const secondsBetween = (from: string | Date, to: Date) => Math.max(0, (to.getTime() - new Date(from).getTime()) / 1000);

/**
 * The transitions of one orchestrated advance, read from the saga before and after it (the history is append-only, so
 * what this advance did is the entries past `before`'s).
 * - completed: the saga entered a final status. A cancelled saga re-opened by a late success (it compensates that one
 *   step) closes again without a new outcome: it is not counted twice. A parked saga (COMPENSATION_FAILED) that an
 *   operator's retry finishes is counted again as CANCELLED: both are final statuses it reached.
 * - step: each step attempt that ended here (SUCCEEDED / FAILED / TIMED_OUT), timed from its command (STARTED, or
 *   RETRIED for a resend); local steps (CREATE_ORDER, CANCEL_ORDER) have no command and no duration.
 * - compensation: each compensation begun here (a resend of the same one is not a new compensation); C1 is local, so
 *   its SUCCEEDED is its start.
 */
export function orchestrationTransitions(before: SagaState, after: SagaState, at: Date): SagaTransition[] {
  const transitions: SagaTransition[] = [];
  const sent = new Map<SagaStep, string>();
  after.history.forEach((entry, index) => {
    const isNew = index >= before.history.length;
    if (entry.status === 'STARTED' || entry.status === 'RETRIED') sent.set(entry.step, entry.at);
    else if (stepEnds.has(entry.status)) {
      const since = sent.get(entry.step);
      // One end per attempt: a parked step's FAILED follows its TIMED_OUT, and is not a second reply to time.
      sent.delete(entry.step);
      if (isNew && since !== undefined) transitions.push({ kind: 'step', step: entry.step, result: entry.status as StepEnd, seconds: secondsBetween(since, new Date(entry.at)) });
    }
    if (isNew && compensationSteps.has(entry.step) && (entry.status === 'STARTED' || (entry.step === 'CANCEL_ORDER' && entry.status === 'SUCCEEDED'))) {
      transitions.push({ kind: 'compensation', step: entry.step });
    }
  });
  if (finalStatuses.has(after.status) && after.status !== before.status && !reclosed(before, after)) {
    // The first history entry is T1, written with the order row at its createdAt (place-order.ts).
    const placedAt = after.history[0]?.at ?? at.toISOString();
    const reason = after.status === 'APPROVED' ? {} : after.failureReason ? { reason: after.failureReason } : {};
    transitions.push({ kind: 'completed', mode: 'orchestration', outcome: after.status as SagaOutcome, ...reason, seconds: secondsBetween(placedAt, at) });
  }
  return transitions;
}

/** A saga re-opened after it was CANCELLED (the customer was told already) comes back to CANCELLED: no new outcome. */
function reclosed(before: SagaState, after: SagaState): boolean {
  return after.status === 'CANCELLED' && before.history.some((entry) => entry.step === 'NOTIFY_CANCELLED' && entry.status === 'SUCCEEDED');
}

/** A choreographed order settled: its only transition the order service sees (its participants compensate by themselves). */
export function choreographyTransitions(outcome: ChoreographyOutcome, placedAt: Date, at: Date): SagaTransition[] {
  const reason = outcome.status === 'CANCELLED' ? { reason: outcome.reason } : {};
  return [{ kind: 'completed', mode: 'choreography', outcome: outcome.status, ...reason, seconds: secondsBetween(placedAt, at) }];
}

/** Records transitions of a committed change; without instruments (tests, tools) it records nothing. */
export function recordSagaTransitions(metrics: SagaMetrics | undefined, transitions: readonly SagaTransition[]): void {
  if (!metrics) return;
  for (const transition of transitions) {
    switch (transition.kind) {
      case 'started':
        metrics.started(transition.mode);
        break;
      case 'completed':
        metrics.completed(transition.mode, transition.outcome, transition.seconds, transition.reason);
        break;
      case 'step':
        metrics.step(transition.step, transition.result, transition.seconds);
        break;
      case 'compensation':
        metrics.compensation(transition.step);
        break;
    }
  }
}
