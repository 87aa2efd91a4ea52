// What each committed saga advance counts: steps timed once, compensations begun once, an outcome once per final status.
import { advance, startSaga } from '../domain/order-saga';
import type { SagaInput, SagaState } from '../domain/order-saga.types';
import { choreographyTransitions, orchestrationTransitions, type SagaTransition } from './record-saga-metrics';

const timeouts = { stepTimeoutMs: 1_000, maxCompensationAttempts: 2 };
const t0 = new Date('2026-03-01T10:00:00.000Z');
const order = { sagaId: 's-1', orderId: 'o-1', customerId: 'alice', lines: [{ sku: 'SKU-TEA', quantity: 1 }], totalCents: 450, paymentToken: 'tok_visa' };

/** Feeds the inputs, `ms` apart, as applySagaInput would: the transitions of each advance, flattened. */
function run(inputs: SagaInput[], ms = 250, start: SagaState = startSaga(order, t0, timeouts).state): { state: SagaState; transitions: SagaTransition[] } {
  let state = start;
  let now = Date.parse(state.history.at(-1)!.at);
  const transitions: SagaTransition[] = [];
  for (const input of inputs) {
    now += input.type === 'DEADLINE_PASSED' ? timeouts.stepTimeoutMs + 1 : ms;
    const at = new Date(now);
    const next = advance(state, input, at, timeouts).state;
    transitions.push(...orchestrationTransitions(state, next, at));
    state = next;
  }
  return { state, transitions };
}

const of = <K extends SagaTransition['kind']>(transitions: SagaTransition[], kind: K) => transitions.filter((t): t is Extract<SagaTransition, { kind: K }> => t.kind === kind);

describe('orchestrationTransitions', () => {
  it('times each step from its command to its reply, and completes APPROVED at the confirmation, from the order placed', () => {
    const { transitions } = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_COMPLETED', paymentId: 'p-1' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CONFIRMED' }]);
    expect(of(transitions, 'step')).toEqual([
      { kind: 'step', step: 'RESERVE_STOCK', result: 'SUCCEEDED', seconds: 0.25 },
      { kind: 'step', step: 'CHARGE_PAYMENT', result: 'SUCCEEDED', seconds: 0.25 },
      { kind: 'step', step: 'NOTIFY_CONFIRMED', result: 'SUCCEEDED', seconds: 0.25 },
    ]);
    expect(of(transitions, 'completed')).toEqual([{ kind: 'completed', mode: 'orchestration', outcome: 'APPROVED', seconds: 0.75 }]);
    expect(of(transitions, 'compensation')).toEqual([]);
  });

  it('counts the compensations begun on a decline (C2, C1, C4) and the CANCELLED outcome with its reason', () => {
    const { transitions } = run([
      { type: 'STOCK_RESERVED' },
      { type: 'PAYMENT_FAILED', reason: 'DECLINED', message: 'no' },
      { type: 'STOCK_RELEASED' },
      { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' },
    ]);
    expect(of(transitions, 'compensation').map((t) => t.step)).toEqual(['RELEASE_STOCK', 'CANCEL_ORDER', 'NOTIFY_CANCELLED']);
    expect(of(transitions, 'step').map((t) => `${t.step}:${t.result}`)).toEqual(['RESERVE_STOCK:SUCCEEDED', 'CHARGE_PAYMENT:FAILED', 'RELEASE_STOCK:SUCCEEDED', 'NOTIFY_CANCELLED:SUCCEEDED']);
    expect(of(transitions, 'completed')).toEqual([{ kind: 'completed', mode: 'orchestration', outcome: 'CANCELLED', reason: 'PAYMENT_DECLINED', seconds: 1 }]);
  });

  it('counts a resend as no new compensation, a parked step once, and the parking as COMPENSATION_FAILED', () => {
    const { state, transitions } = run([{ type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }]);
    expect(state.status).toBe('COMPENSATION_FAILED');
    expect(of(transitions, 'compensation').map((t) => t.step)).toEqual(['RELEASE_STOCK']);
    // Three attempts ended: the reservation and two release attempts, the last one's FAILED not timed a second time.
    expect(of(transitions, 'step').map((t) => `${t.step}:${t.result}`)).toEqual(['RESERVE_STOCK:TIMED_OUT', 'RELEASE_STOCK:TIMED_OUT', 'RELEASE_STOCK:TIMED_OUT']);
    expect(of(transitions, 'completed')).toEqual([expect.objectContaining({ outcome: 'COMPENSATION_FAILED', reason: 'INVENTORY_TIMEOUT' })]);
  });

  it('does not count a re-opened cancelled saga closing again', () => {
    const cancelled = run([{ type: 'DEADLINE_PASSED' }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(cancelled.state.status).toBe('CANCELLED');
    const reopened = run([{ type: 'STOCK_RESERVED' }, { type: 'STOCK_RELEASED' }], 250, cancelled.state);
    expect(reopened.state.status).toBe('CANCELLED');
    expect(of(reopened.transitions, 'compensation').map((t) => t.step)).toEqual(['RELEASE_STOCK']);
    expect(of(reopened.transitions, 'completed')).toEqual([]);
  });
});

describe('choreographyTransitions', () => {
  it('completes with the reason of a cancellation, none for an approval', () => {
    expect(choreographyTransitions({ status: 'CANCELLED', reason: 'DEADLINE_EXCEEDED' }, t0, new Date(t0.getTime() + 2_000))).toEqual([
      { kind: 'completed', mode: 'choreography', outcome: 'CANCELLED', reason: 'DEADLINE_EXCEEDED', seconds: 2 },
    ]);
    expect(choreographyTransitions({ status: 'APPROVED' }, t0, t0)).toEqual([{ kind: 'completed', mode: 'choreography', outcome: 'APPROVED', seconds: 0 }]);
  });
});
