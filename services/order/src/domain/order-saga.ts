// The orchestrated order saga as one pure function: (state, input, now) → (next state, commands to send). No I/O.
//
//   T1 CREATE_ORDER ──► T2 RESERVE_STOCK ──► T3 CHARGE_PAYMENT (pivot) ──► T4 NOTIFY_CONFIRMED ──► APPROVED
//        │                    │ fails/times out        │ fails/times out
//        ▼                    ▼                        ▼
//   C1 CANCEL_ORDER ◄── C2 RELEASE_STOCK ◄──── C3 REFUND_PAYMENT (only if the charge may have happened: a timeout)
//        │
//        ▼
//   C4 NOTIFY_CANCELLED ──► CANCELLED
//
// Every compensation is awaited with a deadline: resent up to maxCompensationAttempts, then parked in
// COMPENSATION_FAILED until an operator retries it (a reply for the parked step after all resumes the saga).
// A success that arrives after its step was given up (late StockReserved / PaymentCompleted) gets its compensation
// as such a tracked step, never a one-off command:
//   COMPENSATING         → C2/C3 runs next (or once more after the same one in flight)
//   CANCELLED            → re-opens: COMPENSATING for that one compensation ──► CANCELLED again (no second C1/C4)
//   COMPENSATION_FAILED  → re-opens if parked on that same compensation; otherwise queued behind the parked step
// Payment's reconciliation notes (PAYMENT_RECONCILED) only add a history line, whatever the saga's status.
import type { Advanced, FailureReason, HistoryEntry, SagaCommand, SagaInput, SagaState, SagaStep, SagaTimeouts, StepStatus } from './order-saga.types';

export interface NewSaga {
  sagaId: string;
  orderId: string;
  customerId: string;
  lines: SagaState['lines'];
  totalCents: number;
  paymentToken: string;
}

/** T1 is the order row itself, written in the same transaction as this state: the saga begins at T2. */
export function startSaga(order: NewSaga, now: Date, timeouts: SagaTimeouts): Advanced {
  const state: SagaState = {
    ...order,
    status: 'RUNNING',
    orderStatus: 'PENDING',
    awaiting: null,
    pendingCompensations: [],
    history: [entry('CREATE_ORDER', 'SUCCEEDED', now)],
  };
  return begin(state, 'RESERVE_STOCK', now, timeouts, 1);
}

/** Which step a participant's reply answers. */
const answeredStep: Record<Exclude<SagaInput['type'], 'START' | 'DEADLINE_PASSED' | 'RETRY_COMPENSATION' | 'NOTIFICATION_SENT' | 'PAYMENT_RECONCILED'>, SagaStep> = {
  STOCK_RESERVED: 'RESERVE_STOCK',
  STOCK_RESERVATION_FAILED: 'RESERVE_STOCK',
  PAYMENT_COMPLETED: 'CHARGE_PAYMENT',
  PAYMENT_FAILED: 'CHARGE_PAYMENT',
  PAYMENT_REFUNDED: 'REFUND_PAYMENT',
  STOCK_RELEASED: 'RELEASE_STOCK',
};

export function advance(state: SagaState, input: SagaInput, now: Date, timeouts: SagaTimeouts): Advanced {
  switch (input.type) {
    case 'START':
      return unchanged(state);
    case 'DEADLINE_PASSED':
      return onDeadline(state, now, timeouts);
    case 'RETRY_COMPENSATION':
      if (state.status !== 'COMPENSATION_FAILED' || !state.awaiting) return unchanged(state);
      return begin({ ...state, status: 'COMPENSATING' }, state.awaiting.step, now, timeouts, 1, 'RETRIED');
    case 'PAYMENT_RECONCILED': {
      // What payment found at the provider and did about it: a line in the order's history, never a step of the saga.
      const status: StepStatus = input.action === 'REFUNDED_CAPTURE' ? 'SUCCEEDED' : 'FAILED';
      return { state: { ...state, history: [...state.history, entry('RECONCILE_PAYMENT', status, now, input.detail)] }, commands: [] };
    }
    default: {
      const step = input.type === 'NOTIFICATION_SENT' ? (input.kind === 'ORDER_CONFIRMED' ? 'NOTIFY_CONFIRMED' : 'NOTIFY_CANCELLED') : answeredStep[input.type];
      if (state.awaiting?.step !== step) return onUnexpectedReply(state, input, now, timeouts);
      // The parked compensation was done after all: the saga resumes, and what follows has deadlines again.
      const resumed = state.status === 'COMPENSATION_FAILED' ? { ...state, status: 'COMPENSATING' as const } : state;
      return onReply(resumed, input, now, timeouts);
    }
  }
}

function onReply(state: SagaState, input: SagaInput, now: Date, timeouts: SagaTimeouts): Advanced {
  switch (input.type) {
    case 'STOCK_RESERVED':
      return begin(succeed(state, 'RESERVE_STOCK', now), 'CHARGE_PAYMENT', now, timeouts, 1);
    case 'STOCK_RESERVATION_FAILED':
      return compensate(fail(state, 'RESERVE_STOCK', now, `${input.reason}: ${input.skus.join(', ')}`), input.reason, [], now, timeouts);
    case 'PAYMENT_COMPLETED': {
      // Past the pivot: the order is approved now; the confirmation is retried until it goes out.
      const approved = { ...succeed(state, 'CHARGE_PAYMENT', now, input.paymentId), orderStatus: 'APPROVED' as const };
      return begin(approved, 'NOTIFY_CONFIRMED', now, timeouts, 1);
    }
    case 'PAYMENT_FAILED': {
      const failed = fail(state, 'CHARGE_PAYMENT', now, `${input.reason}: ${input.message}`);
      // Declined or refused (provider unavailable: not called, or it turned the request away) means no money moved;
      // after a timeout the outcome is unknown and the provider may have charged, so refund first.
      const uncertain = input.reason === 'TIMEOUT';
      const reason: FailureReason = input.reason === 'DECLINED' ? 'PAYMENT_DECLINED' : input.reason === 'TIMEOUT' ? 'PAYMENT_TIMEOUT' : 'PAYMENT_PROVIDER_UNAVAILABLE';
      return compensate(failed, reason, uncertain ? ['REFUND_PAYMENT', 'RELEASE_STOCK'] : ['RELEASE_STOCK'], now, timeouts);
    }
    case 'PAYMENT_REFUNDED':
      return next(succeed(state, 'REFUND_PAYMENT', now, `${input.amountCents} cents`), now, timeouts);
    case 'STOCK_RELEASED':
    case 'NOTIFICATION_SENT':
      return next(succeed(state, state.awaiting!.step, now), now, timeouts);
    default:
      return unchanged(state);
  }
}

/**
 * A reply for a step the saga no longer waits for: a duplicate (ignored), or a success after the saga gave the step up.
 * Stock reserved or money taken late must be given back, and that compensation is tracked like any other (deadline,
 * resends, parking): a one-off command that got lost would leave a real charge on a cancelled order, unnoticed.
 */
function onUnexpectedReply(state: SagaState, input: SagaInput, now: Date, timeouts: SagaTimeouts): Advanced {
  const late = lateSuccess(state, input);
  if (!late) return unchanged(state);
  const { step, compensation } = late;
  const { awaiting, pendingCompensations: pending } = state;
  const noted = (outcome: string): SagaState => ({ ...state, history: [...state.history, entry(step, 'LATE_REPLY', now, `arrived after the step was given up; ${outcome}`)] });
  const queued = (outcome: string, pendingCompensations: SagaStep[]): Advanced => ({ state: { ...noted(outcome), pendingCompensations }, commands: [] });
  // Scheduled but not yet sent: that send comes after this success, so it covers it (and duplicates add nothing).
  if (pending.includes(compensation)) return queued(`${compensation} already scheduled`, pending);
  switch (state.status) {
    case 'COMPENSATING':
      // It runs next. If the same compensation is in flight, it may have been answered "nothing there" before this
      // success landed: it runs once more, right after.
      if (awaiting?.step === compensation) return queued(`${compensation} runs once more after the one in flight`, [compensation, ...pending]);
      return queued(`${compensation} runs next`, [compensation, ...pending]);
    case 'CANCELLED':
      // Re-opened for this compensation alone: nothing is pending, so its reply ends the saga CANCELLED again, without
      // a second C1/C4 (the order is already cancelled and the customer was told).
      return begin({ ...noted(`${compensation} sent`), status: 'COMPENSATING' }, compensation, now, timeouts, 1);
    case 'COMPENSATION_FAILED':
      // Parked on this very compensation: resend it now, with fresh attempts (this send comes after the success).
      if (awaiting?.step === compensation) return begin({ ...noted(`${compensation} sent again`), status: 'COMPENSATING' }, compensation, now, timeouts, 1);
      // Parked on another step: parked means nothing runs until an operator acts, so the compensation joins the queue
      // and the operator's retry runs the parked step, the rest, then this one. The saga stays in the parked list.
      return queued(`${compensation} runs after the parked compensations`, [...pending, compensation]);
    default:
      // RUNNING or APPROVED: every started forward step has succeeded or is the awaited one, so no success is late.
      return unchanged(state);
  }
}

/** The step a success answers and its compensation, if that success is late: the step was sent but never succeeded. */
function lateSuccess(state: SagaState, input: SagaInput): { step: SagaStep; compensation: SagaStep } | undefined {
  const late =
    input.type === 'STOCK_RESERVED' ? { step: 'RESERVE_STOCK' as const, compensation: 'RELEASE_STOCK' as const }
    : input.type === 'PAYMENT_COMPLETED' ? { step: 'CHARGE_PAYMENT' as const, compensation: 'REFUND_PAYMENT' as const }
    : undefined;
  // A success for a step never sent cannot be about this saga's stock or money; one already recorded is a duplicate.
  if (!late || !hasEntry(state, late.step, 'STARTED') || hasEntry(state, late.step, 'SUCCEEDED')) return undefined;
  return late;
}

function onDeadline(state: SagaState, now: Date, timeouts: SagaTimeouts): Advanced {
  const awaiting = state.awaiting;
  if (!awaiting || state.status === 'COMPENSATION_FAILED' || now.getTime() < Date.parse(awaiting.deadline)) return unchanged(state);
  const timedOut = { ...state, history: [...state.history, entry(awaiting.step, 'TIMED_OUT', now)] };
  switch (awaiting.step) {
    case 'RESERVE_STOCK':
      // The reservation may have been made after all: release it (releasing nothing is a no-op).
      return compensate(timedOut, 'INVENTORY_TIMEOUT', ['RELEASE_STOCK'], now, timeouts);
    case 'CHARGE_PAYMENT':
      return compensate(timedOut, 'PAYMENT_TIMEOUT', ['REFUND_PAYMENT', 'RELEASE_STOCK'], now, timeouts);
    case 'NOTIFY_CONFIRMED':
      return begin(timedOut, awaiting.step, now, timeouts, awaiting.attempt + 1, 'RETRIED');
    default:
      if (awaiting.attempt >= timeouts.maxCompensationAttempts) {
        const parked = { ...timedOut, status: 'COMPENSATION_FAILED' as const, history: [...timedOut.history, entry(awaiting.step, 'FAILED', now, `no reply after ${awaiting.attempt} attempts`)] };
        return { state: parked, commands: [] };
      }
      return begin(timedOut, awaiting.step, now, timeouts, awaiting.attempt + 1, 'RETRIED');
  }
}

/** Turns the saga around: the given compensations (reverse order of what may have happened), then C1 and C4. */
function compensate(state: SagaState, reason: FailureReason, undo: SagaStep[], now: Date, timeouts: SagaTimeouts): Advanced {
  const compensating: SagaState = { ...state, status: 'COMPENSATING', failureReason: reason, awaiting: null, pendingCompensations: [...undo, 'CANCEL_ORDER', 'NOTIFY_CANCELLED'] };
  return next(compensating, now, timeouts);
}

/** Moves to the next step: the next compensation when compensating, otherwise the end of the forward path. */
function next(state: SagaState, now: Date, timeouts: SagaTimeouts): Advanced {
  if (state.status === 'RUNNING') {
    // The only forward step that calls next() is T4: the saga is done.
    return { state: { ...state, status: 'APPROVED', awaiting: null }, commands: [] };
  }
  const [step, ...rest] = state.pendingCompensations;
  if (!step) return { state: { ...state, status: 'CANCELLED', awaiting: null }, commands: [] };
  const remaining = { ...state, pendingCompensations: rest };
  if (step === 'CANCEL_ORDER') {
    // C1 is local: the order row changes in the same transaction as this state, so it succeeds at once.
    const cancelled = { ...remaining, orderStatus: 'CANCELLED' as const, history: [...remaining.history, entry('CANCEL_ORDER', 'SUCCEEDED', now, remaining.failureReason)] };
    return next(cancelled, now, timeouts);
  }
  return begin(remaining, step, now, timeouts, 1);
}

function begin(state: SagaState, step: SagaStep, now: Date, timeouts: SagaTimeouts, attempt: number, status: StepStatus = 'STARTED'): Advanced {
  const deadline = new Date(now.getTime() + timeouts.stepTimeoutMs).toISOString();
  const started = { ...state, awaiting: { step, deadline, attempt }, history: [...state.history, entry(step, status, now, attempt > 1 ? `attempt ${attempt}` : undefined)] };
  return { state: started, commands: [commandFor(step, state)] };
}

function commandFor(step: SagaStep, state: SagaState): SagaCommand {
  switch (step) {
    case 'RESERVE_STOCK':
      return { type: 'ReserveStock', lines: state.lines };
    case 'CHARGE_PAYMENT':
      return { type: 'ChargePayment', amountCents: state.totalCents, customerId: state.customerId, paymentToken: state.paymentToken };
    case 'NOTIFY_CONFIRMED':
      return { type: 'SendNotification', kind: 'ORDER_CONFIRMED', customerId: state.customerId };
    case 'REFUND_PAYMENT':
      return { type: 'RefundPayment' };
    case 'RELEASE_STOCK':
      return { type: 'ReleaseStock' };
    case 'NOTIFY_CANCELLED':
      return { type: 'SendNotification', kind: 'ORDER_CANCELLED', customerId: state.customerId, ...(state.failureReason ? { reason: state.failureReason } : {}) };
    default:
      throw new Error(`${step} is a local step and sends no command`);
  }
}

function succeed(state: SagaState, step: SagaStep, now: Date, detail?: string): SagaState {
  return { ...state, awaiting: null, history: [...state.history, entry(step, 'SUCCEEDED', now, detail)] };
}

function fail(state: SagaState, step: SagaStep, now: Date, detail: string): SagaState {
  return { ...state, awaiting: null, history: [...state.history, entry(step, 'FAILED', now, detail)] };
}

function hasEntry(state: SagaState, step: SagaStep, status: StepStatus): boolean {
  return state.history.some((item) => item.step === step && item.status === status);
}

function entry(step: SagaStep, status: StepStatus, now: Date, detail?: string): HistoryEntry {
  return { step, status, at: now.toISOString(), ...(detail === undefined ? {} : { detail }) };
}

function unchanged(state: SagaState): Advanced {
  return { state, commands: [] };
}
