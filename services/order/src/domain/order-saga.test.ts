// Every path of the orchestrated order saga: happy, each failure, timeouts, late replies, duplicates, parked compensations.
import { advance, startSaga } from './order-saga';
import type { Advanced, SagaCommand, SagaInput, SagaState } from './order-saga.types';

const timeouts = { stepTimeoutMs: 5_000, maxCompensationAttempts: 3 };
const t0 = new Date('2026-03-01T10:00:00.000Z');
const at = (ms: number) => new Date(t0.getTime() + ms);
const order = { sagaId: 's-1', orderId: 'o-1', customerId: 'alice', lines: [{ sku: 'SKU-APPLE', quantity: 2 }], totalCents: 240, paymentToken: 'tok_visa' };

/** Feeds inputs one after another (each 1 ms later) and collects every command the saga emitted. */
function run(inputs: SagaInput[], start: Advanced = startSaga(order, t0, timeouts)): { state: SagaState; commands: SagaCommand[] } {
  let { state } = start;
  const commands = [...start.commands];
  inputs.forEach((input, index) => {
    const now = input.type === 'DEADLINE_PASSED' ? at((index + 1) * timeouts.stepTimeoutMs + 1) : at(index + 1);
    const result = advance(state, input, now, timeouts);
    state = result.state;
    commands.push(...result.commands);
  });
  return { state, commands };
}

const steps = (state: SagaState) => state.history.map((item) => `${item.step}:${item.status}`);
const types = (commands: SagaCommand[]) => commands.map((command) => (command.type === 'SendNotification' ? `${command.type}(${command.kind})` : command.type));

describe('order saga: forward path', () => {
  it('reserves, charges, approves and confirms', () => {
    const { state, commands } = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_COMPLETED', paymentId: 'p-1' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CONFIRMED' }]);
    expect(types(commands)).toEqual(['ReserveStock', 'ChargePayment', 'SendNotification(ORDER_CONFIRMED)']);
    expect(commands[1]).toEqual({ type: 'ChargePayment', amountCents: 240, customerId: 'alice', paymentToken: 'tok_visa' });
    expect(state).toMatchObject({ status: 'APPROVED', orderStatus: 'APPROVED', awaiting: null });
    expect(steps(state)).toEqual([
      'CREATE_ORDER:SUCCEEDED', 'RESERVE_STOCK:STARTED', 'RESERVE_STOCK:SUCCEEDED', 'CHARGE_PAYMENT:STARTED',
      'CHARGE_PAYMENT:SUCCEEDED', 'NOTIFY_CONFIRMED:STARTED', 'NOTIFY_CONFIRMED:SUCCEEDED',
    ]);
  });

  it('approves the order at the pivot, before the confirmation has gone out', () => {
    const { state } = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_COMPLETED', paymentId: 'p-1' }]);
    expect(state).toMatchObject({ status: 'RUNNING', orderStatus: 'APPROVED', awaiting: { step: 'NOTIFY_CONFIRMED' } });
  });

  it('resends the confirmation until it is sent, and never compensates after the pivot', () => {
    const { state, commands } = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_COMPLETED', paymentId: 'p-1' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CONFIRMED' }]);
    expect(types(commands).filter((type) => type === 'SendNotification(ORDER_CONFIRMED)')).toHaveLength(5);
    expect(types(commands)).not.toContain('RefundPayment');
    expect(state).toMatchObject({ status: 'APPROVED', orderStatus: 'APPROVED' });
  });
});

describe('order saga: failures and compensations', () => {
  it('out of stock: C1 then C4, nothing to release or refund', () => {
    const { state, commands } = run([{ type: 'STOCK_RESERVATION_FAILED', reason: 'OUT_OF_STOCK', skus: ['SKU-RARE'] }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(types(commands)).toEqual(['ReserveStock', 'SendNotification(ORDER_CANCELLED)']);
    expect(commands[1]).toMatchObject({ reason: 'OUT_OF_STOCK' });
    expect(state).toMatchObject({ status: 'CANCELLED', orderStatus: 'CANCELLED', failureReason: 'OUT_OF_STOCK' });
    expect(steps(state).slice(2)).toEqual(['RESERVE_STOCK:FAILED', 'CANCEL_ORDER:SUCCEEDED', 'NOTIFY_CANCELLED:STARTED', 'NOTIFY_CANCELLED:SUCCEEDED']);
  });

  it('payment declined: C2 then C1 then C4, and no refund (no money moved)', () => {
    const { state, commands } = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_FAILED', reason: 'DECLINED', message: 'card declined' }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(types(commands)).toEqual(['ReserveStock', 'ChargePayment', 'ReleaseStock', 'SendNotification(ORDER_CANCELLED)']);
    expect(state).toMatchObject({ status: 'CANCELLED', orderStatus: 'CANCELLED', failureReason: 'PAYMENT_DECLINED' });
    const history = steps(state);
    expect(history.indexOf('RELEASE_STOCK:SUCCEEDED')).toBeLessThan(history.indexOf('CANCEL_ORDER:SUCCEEDED'));
    expect(history.indexOf('CANCEL_ORDER:SUCCEEDED')).toBeLessThan(history.indexOf('NOTIFY_CANCELLED:STARTED'));
  });

  it('keeps the order PENDING until C1 runs, after the stock is back', () => {
    const { state } = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_FAILED', reason: 'DECLINED', message: 'no' }]);
    expect(state).toMatchObject({ status: 'COMPENSATING', orderStatus: 'PENDING', awaiting: { step: 'RELEASE_STOCK' } });
  });

  it('payment provider unavailable (not called, or refused): no money moved, so C2, C1, C4 without a refund', () => {
    const { state, commands } = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_FAILED', reason: 'PROVIDER_UNAVAILABLE', message: 'circuit open' }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(types(commands)).toEqual(['ReserveStock', 'ChargePayment', 'ReleaseStock', 'SendNotification(ORDER_CANCELLED)']);
    expect(state).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_PROVIDER_UNAVAILABLE' });
  });

  it('payment timed out at the provider: the charge may have happened, so C3 refund, then C2, C1, C4', () => {
    const { state, commands } = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_FAILED', reason: 'TIMEOUT', message: 'x' }, { type: 'PAYMENT_REFUNDED', amountCents: 0 }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(types(commands)).toEqual(['ReserveStock', 'ChargePayment', 'RefundPayment', 'ReleaseStock', 'SendNotification(ORDER_CANCELLED)']);
    expect(state).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_TIMEOUT' });
  });

  it('the charge step timing out is compensated like an uncertain charge', () => {
    const { state, commands } = run([{ type: 'STOCK_RESERVED' }, { type: 'DEADLINE_PASSED' }, { type: 'PAYMENT_REFUNDED', amountCents: 240 }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(types(commands)).toEqual(['ReserveStock', 'ChargePayment', 'RefundPayment', 'ReleaseStock', 'SendNotification(ORDER_CANCELLED)']);
    expect(steps(state)).toContain('CHARGE_PAYMENT:TIMED_OUT');
    expect(state).toMatchObject({ status: 'CANCELLED', failureReason: 'PAYMENT_TIMEOUT' });
  });

  it('the reservation timing out releases whatever may have been reserved', () => {
    const { state, commands } = run([{ type: 'DEADLINE_PASSED' }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(types(commands)).toEqual(['ReserveStock', 'ReleaseStock', 'SendNotification(ORDER_CANCELLED)']);
    expect(state).toMatchObject({ status: 'CANCELLED', failureReason: 'INVENTORY_TIMEOUT' });
  });

  it('does nothing on a deadline that has not passed yet', () => {
    const started = startSaga(order, t0, timeouts);
    expect(advance(started.state, { type: 'DEADLINE_PASSED' }, at(timeouts.stepTimeoutMs - 1), timeouts)).toEqual({ state: started.state, commands: [] });
  });
});

describe('order saga: late and duplicate replies', () => {
  it('ignores a duplicate reply: same state, no commands', () => {
    const once = run([{ type: 'STOCK_RESERVED' }]);
    const twice = advance(once.state, { type: 'STOCK_RESERVED' }, at(10), timeouts);
    expect(twice).toEqual({ state: once.state, commands: [] });
    const approved = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_COMPLETED', paymentId: 'p' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CONFIRMED' }]);
    expect(advance(approved.state, { type: 'PAYMENT_COMPLETED', paymentId: 'p' }, at(20), timeouts)).toEqual({ state: approved.state, commands: [] });
    expect(advance(approved.state, { type: 'STOCK_RESERVED' }, at(20), timeouts)).toEqual({ state: approved.state, commands: [] });
  });

  it('ignores a reply for a step it never started', () => {
    const started = startSaga(order, t0, timeouts);
    expect(advance(started.state, { type: 'STOCK_RELEASED' }, at(1), timeouts)).toEqual({ state: started.state, commands: [] });
    // Out of stock: the charge was never sent, so a "charged" for this saga cannot be about money it took.
    const outOfStock = run([{ type: 'STOCK_RESERVATION_FAILED', reason: 'OUT_OF_STOCK', skus: ['SKU-RARE'] }]);
    expect(advance(outOfStock.state, { type: 'PAYMENT_COMPLETED', paymentId: 'p-?' }, at(10), timeouts)).toEqual({ state: outOfStock.state, commands: [] });
  });
});

describe('order saga: a late success gets a tracked compensation', () => {
  /** The charge step timed out (refund first, then release); the refund found nothing to refund. */
  const chargeTimedOut: SagaInput[] = [{ type: 'STOCK_RESERVED' }, { type: 'DEADLINE_PASSED' }];
  const late: SagaInput = { type: 'PAYMENT_COMPLETED', paymentId: 'p-late' };
  const cancelledAfterChargeTimeout: SagaInput[] = [...chargeTimedOut, { type: 'PAYMENT_REFUNDED', amountCents: 0 }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }];
  const count = (list: readonly string[], item: string) => list.filter((each) => each === item).length;

  it('while awaiting another compensation: the refund runs next, with its own deadline', () => {
    const noted = run([...chargeTimedOut, { type: 'PAYMENT_REFUNDED', amountCents: 0 }, late]);
    expect(types(noted.commands)).toEqual(['ReserveStock', 'ChargePayment', 'RefundPayment', 'ReleaseStock']);
    expect(noted.state).toMatchObject({ status: 'COMPENSATING', orderStatus: 'PENDING', awaiting: { step: 'RELEASE_STOCK' } });
    expect(noted.state.pendingCompensations).toEqual(['REFUND_PAYMENT', 'CANCEL_ORDER', 'NOTIFY_CANCELLED']);
    expect(noted.state.history.at(-1)).toMatchObject({ step: 'CHARGE_PAYMENT', status: 'LATE_REPLY' });

    const released = advance(noted.state, { type: 'STOCK_RELEASED' }, at(100), timeouts);
    expect(released.commands).toEqual([{ type: 'RefundPayment' }]);
    expect(released.state.awaiting).toEqual({ step: 'REFUND_PAYMENT', attempt: 1, deadline: new Date(at(100).getTime() + timeouts.stepTimeoutMs).toISOString() });
    const done = run([{ type: 'PAYMENT_REFUNDED', amountCents: 240 }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }], released);
    expect(types(done.commands)).toEqual(['RefundPayment', 'SendNotification(ORDER_CANCELLED)']);
    expect(done.state).toMatchObject({ status: 'CANCELLED', orderStatus: 'CANCELLED', awaiting: null, pendingCompensations: [] });
  });

  it('while awaiting the same compensation: it runs once more after the one in flight (which may have found nothing)', () => {
    const noted = run([...chargeTimedOut, late]);
    expect(types(noted.commands)).toEqual(['ReserveStock', 'ChargePayment', 'RefundPayment']);
    expect(noted.state).toMatchObject({ status: 'COMPENSATING', awaiting: { step: 'REFUND_PAYMENT', attempt: 1 } });
    expect(noted.state.pendingCompensations).toEqual(['REFUND_PAYMENT', 'RELEASE_STOCK', 'CANCEL_ORDER', 'NOTIFY_CANCELLED']);

    const done = run([{ type: 'PAYMENT_REFUNDED', amountCents: 0 }, { type: 'PAYMENT_REFUNDED', amountCents: 240 }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }], noted);
    expect(types(done.commands)).toEqual(['ReserveStock', 'ChargePayment', 'RefundPayment', 'RefundPayment', 'ReleaseStock', 'SendNotification(ORDER_CANCELLED)']);
    expect(done.state).toMatchObject({ status: 'CANCELLED', orderStatus: 'CANCELLED' });
    expect(count(steps(done.state), 'REFUND_PAYMENT:SUCCEEDED')).toBe(2);
  });

  it('releases a reservation that arrives after its step timed out, after the release in flight', () => {
    const noted = run([{ type: 'DEADLINE_PASSED' }, { type: 'STOCK_RESERVED' }]);
    expect(types(noted.commands)).toEqual(['ReserveStock', 'ReleaseStock']);
    expect(noted.state.pendingCompensations).toEqual(['RELEASE_STOCK', 'CANCEL_ORDER', 'NOTIFY_CANCELLED']);
    expect(steps(noted.state)).toContain('RESERVE_STOCK:LATE_REPLY');
    const done = run([{ type: 'STOCK_RELEASED' }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }], noted);
    expect(types(done.commands)).toEqual(['ReserveStock', 'ReleaseStock', 'ReleaseStock', 'SendNotification(ORDER_CANCELLED)']);
    expect(done.state.status).toBe('CANCELLED');
  });

  it('after CANCELLED: re-opens the saga for the refund alone, and returns to CANCELLED without telling the customer again', () => {
    const ended = run(cancelledAfterChargeTimeout);
    expect(ended.state.status).toBe('CANCELLED');
    const reopened = advance(ended.state, late, at(60_000), timeouts);
    expect(reopened.commands).toEqual([{ type: 'RefundPayment' }]);
    expect(reopened.state).toMatchObject({
      status: 'COMPENSATING',
      orderStatus: 'CANCELLED',
      failureReason: 'PAYMENT_TIMEOUT',
      pendingCompensations: [],
      awaiting: { step: 'REFUND_PAYMENT', attempt: 1, deadline: new Date(at(60_000).getTime() + timeouts.stepTimeoutMs).toISOString() },
    });
    expect(steps(reopened.state).slice(-2)).toEqual(['CHARGE_PAYMENT:LATE_REPLY', 'REFUND_PAYMENT:STARTED']);

    const refunded = advance(reopened.state, { type: 'PAYMENT_REFUNDED', amountCents: 240 }, at(61_000), timeouts);
    expect(refunded.commands).toEqual([]);
    expect(refunded.state).toMatchObject({ status: 'CANCELLED', orderStatus: 'CANCELLED', awaiting: null, pendingCompensations: [] });
    expect(count(steps(refunded.state), 'CANCEL_ORDER:SUCCEEDED')).toBe(1);
    expect(count(steps(refunded.state), 'NOTIFY_CANCELLED:STARTED')).toBe(1);
    expect(steps(refunded.state).at(-1)).toBe('REFUND_PAYMENT:SUCCEEDED');
  });

  it('after CANCELLED: a late reservation re-opens the saga for the release alone', () => {
    const ended = run([{ type: 'DEADLINE_PASSED' }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(ended.state).toMatchObject({ status: 'CANCELLED', failureReason: 'INVENTORY_TIMEOUT' });
    const reopened = advance(ended.state, { type: 'STOCK_RESERVED' }, at(60_000), timeouts);
    expect(reopened.commands).toEqual([{ type: 'ReleaseStock' }]);
    expect(reopened.state).toMatchObject({ status: 'COMPENSATING', orderStatus: 'CANCELLED', awaiting: { step: 'RELEASE_STOCK', attempt: 1 }, pendingCompensations: [] });
    const released = advance(reopened.state, { type: 'STOCK_RELEASED' }, at(61_000), timeouts);
    expect(released).toEqual({ state: expect.objectContaining({ status: 'CANCELLED', orderStatus: 'CANCELLED', awaiting: null }), commands: [] });
  });

  it('resends a tracked compensation that gets no reply, parks it after the last attempt, and an operator retry resends it', () => {
    let saga = advance(run(cancelledAfterChargeTimeout).state, late, at(60_000), timeouts);
    const sent: SagaCommand[] = [...saga.commands];
    for (let attempt = 1; attempt <= timeouts.maxCompensationAttempts; attempt += 1) {
      saga = advance(saga.state, { type: 'DEADLINE_PASSED' }, new Date(saga.state.awaiting!.deadline), timeouts);
      sent.push(...saga.commands);
    }
    expect(sent).toEqual(Array.from({ length: timeouts.maxCompensationAttempts }, () => ({ type: 'RefundPayment' })));
    expect(saga.state).toMatchObject({ status: 'COMPENSATION_FAILED', orderStatus: 'CANCELLED', awaiting: { step: 'REFUND_PAYMENT', attempt: 3 } });
    expect(saga.state.history.at(-1)).toMatchObject({ step: 'REFUND_PAYMENT', status: 'FAILED', detail: 'no reply after 3 attempts' });
    expect(steps(saga.state)).toContain('REFUND_PAYMENT:RETRIED');

    const retried = advance(saga.state, { type: 'RETRY_COMPENSATION' }, at(10 * 60_000), timeouts);
    expect(retried.commands).toEqual([{ type: 'RefundPayment' }]);
    expect(retried.state).toMatchObject({ status: 'COMPENSATING', awaiting: { step: 'REFUND_PAYMENT', attempt: 1 } });
    const done = advance(retried.state, { type: 'PAYMENT_REFUNDED', amountCents: 240 }, at(10 * 60_000 + 1), timeouts);
    expect(done).toEqual({ state: expect.objectContaining({ status: 'CANCELLED', orderStatus: 'CANCELLED', awaiting: null }), commands: [] });
  });

  it('duplicate late replies never stack up more than one pending compensation', () => {
    const whileReleasing = run([...chargeTimedOut, { type: 'PAYMENT_REFUNDED', amountCents: 0 }, late, late, late]);
    expect(whileReleasing.state.pendingCompensations).toEqual(['REFUND_PAYMENT', 'CANCEL_ORDER', 'NOTIFY_CANCELLED']);
    expect(count(steps(whileReleasing.state), 'CHARGE_PAYMENT:LATE_REPLY')).toBe(3);
    expect(count(types(whileReleasing.commands), 'RefundPayment')).toBe(1);

    const whileRefunding = run([...chargeTimedOut, late, late]);
    expect(whileRefunding.state.pendingCompensations).toEqual(['REFUND_PAYMENT', 'RELEASE_STOCK', 'CANCEL_ORDER', 'NOTIFY_CANCELLED']);

    const reopened = advance(run(cancelledAfterChargeTimeout).state, late, at(60_000), timeouts);
    const again = advance(reopened.state, late, at(60_001), timeouts);
    const thrice = advance(again.state, late, at(60_002), timeouts);
    expect([...again.commands, ...thrice.commands]).toEqual([]);
    expect(thrice.state).toMatchObject({ status: 'COMPENSATING', awaiting: { step: 'REFUND_PAYMENT' }, pendingCompensations: ['REFUND_PAYMENT'] });
  });
});

describe('order saga: a late success on a parked saga', () => {
  /** Charge timed out, nothing to refund, then the release never answered: parked on RELEASE_STOCK. */
  const parkedOnRelease: SagaInput[] = [{ type: 'STOCK_RESERVED' }, { type: 'DEADLINE_PASSED' }, { type: 'PAYMENT_REFUNDED', amountCents: 0 }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }];
  const late: SagaInput = { type: 'PAYMENT_COMPLETED', paymentId: 'p-late' };

  it('parked on another step: the refund joins the parked compensations, and the operator retry runs both', () => {
    const parked = run(parkedOnRelease);
    expect(parked.state).toMatchObject({ status: 'COMPENSATION_FAILED', awaiting: { step: 'RELEASE_STOCK' }, pendingCompensations: ['CANCEL_ORDER', 'NOTIFY_CANCELLED'] });
    const noted = advance(parked.state, late, at(60_000), timeouts);
    expect(noted.commands).toEqual([]);
    expect(noted.state).toMatchObject({ status: 'COMPENSATION_FAILED', awaiting: { step: 'RELEASE_STOCK' }, pendingCompensations: ['CANCEL_ORDER', 'NOTIFY_CANCELLED', 'REFUND_PAYMENT'] });
    expect(advance(noted.state, late, at(60_001), timeouts).state.pendingCompensations).toEqual(['CANCEL_ORDER', 'NOTIFY_CANCELLED', 'REFUND_PAYMENT']);

    const retried = advance(noted.state, { type: 'RETRY_COMPENSATION' }, at(70_000), timeouts);
    const done = run([{ type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }, { type: 'PAYMENT_REFUNDED', amountCents: 240 }], retried);
    expect(types(done.commands)).toEqual(['ReleaseStock', 'SendNotification(ORDER_CANCELLED)', 'RefundPayment']);
    expect(done.state).toMatchObject({ status: 'CANCELLED', orderStatus: 'CANCELLED', awaiting: null, pendingCompensations: [] });
  });

  it('parked on the same compensation: re-opens and resends it at once, with fresh attempts', () => {
    const parked = run([{ type: 'STOCK_RESERVED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }]);
    expect(parked.state).toMatchObject({ status: 'COMPENSATION_FAILED', awaiting: { step: 'REFUND_PAYMENT', attempt: 3 }, pendingCompensations: ['RELEASE_STOCK', 'CANCEL_ORDER', 'NOTIFY_CANCELLED'] });
    const reopened = advance(parked.state, late, at(60_000), timeouts);
    expect(reopened.commands).toEqual([{ type: 'RefundPayment' }]);
    expect(reopened.state).toMatchObject({ status: 'COMPENSATING', orderStatus: 'PENDING', awaiting: { step: 'REFUND_PAYMENT', attempt: 1 }, pendingCompensations: ['RELEASE_STOCK', 'CANCEL_ORDER', 'NOTIFY_CANCELLED'] });
  });

  it('a reply for the parked step after all resumes the saga, with deadlines again', () => {
    const parked = advance(run(parkedOnRelease).state, late, at(60_000), timeouts);
    const resumed = advance(parked.state, { type: 'STOCK_RELEASED' }, at(61_000), timeouts);
    expect(resumed.commands).toEqual([{ type: 'SendNotification', kind: 'ORDER_CANCELLED', customerId: 'alice', reason: 'PAYMENT_TIMEOUT' }]);
    expect(resumed.state).toMatchObject({ status: 'COMPENSATING', orderStatus: 'CANCELLED', awaiting: { step: 'NOTIFY_CANCELLED', attempt: 1 }, pendingCompensations: ['REFUND_PAYMENT'] });
  });
});

describe('order saga: payment reconciliation notes', () => {
  const refunded: SagaInput = { type: 'PAYMENT_RECONCILED', action: 'REFUNDED_CAPTURE', amountCents: 240, detail: 'refunded a capture on a cancelled order' };
  const missing: SagaInput = { type: 'PAYMENT_RECONCILED', action: 'MISSING_CAPTURE', amountCents: 240, detail: 'no capture at the provider' };

  it.each([
    ['RUNNING', [{ type: 'STOCK_RESERVED' }]],
    ['COMPENSATING', [{ type: 'STOCK_RESERVED' }, { type: 'DEADLINE_PASSED' }]],
    ['APPROVED', [{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_COMPLETED', paymentId: 'p' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CONFIRMED' }]],
    ['CANCELLED', [{ type: 'STOCK_RESERVATION_FAILED', reason: 'OUT_OF_STOCK', skus: ['SKU-RARE'] }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]],
    ['COMPENSATION_FAILED', [{ type: 'STOCK_RESERVED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }]],
  ] as [string, SagaInput[]][])('in %s: a history entry, nothing else changes, no commands', (status, inputs) => {
    const before = run(inputs).state;
    expect(before.status).toBe(status);
    const after = advance(before, refunded, at(90_000), timeouts);
    expect(after.commands).toEqual([]);
    expect(after.state).toEqual({ ...before, history: [...before.history, { step: 'RECONCILE_PAYMENT', status: 'SUCCEEDED', at: at(90_000).toISOString(), detail: 'refunded a capture on a cancelled order' }] });
    expect(advance(before, missing, at(90_000), timeouts).state.history.at(-1)).toEqual({ step: 'RECONCILE_PAYMENT', status: 'FAILED', at: at(90_000).toISOString(), detail: 'no capture at the provider' });
  });
});

describe('order saga: a compensation that keeps failing', () => {
  const declined: SagaInput[] = [{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_FAILED', reason: 'DECLINED', message: 'no' }];

  it('is resent until it succeeds', () => {
    const { state, commands } = run([...declined, { type: 'DEADLINE_PASSED' }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(types(commands).filter((type) => type === 'ReleaseStock')).toHaveLength(2);
    expect(steps(state)).toContain('RELEASE_STOCK:RETRIED');
    expect(state.status).toBe('CANCELLED');
  });

  it('parks the saga in COMPENSATION_FAILED after the last attempt, and an operator can retry it', () => {
    const parked = run([...declined, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }, { type: 'DEADLINE_PASSED' }]);
    expect(types(parked.commands).filter((type) => type === 'ReleaseStock')).toHaveLength(3);
    expect(parked.state).toMatchObject({ status: 'COMPENSATION_FAILED', orderStatus: 'PENDING', awaiting: { step: 'RELEASE_STOCK' } });
    // Parked means parked: deadlines no longer resend anything.
    expect(advance(parked.state, { type: 'DEADLINE_PASSED' }, at(10 * 60_000), timeouts).commands).toEqual([]);

    const retried = advance(parked.state, { type: 'RETRY_COMPENSATION' }, at(20 * 60_000), timeouts);
    expect(retried.commands).toEqual([{ type: 'ReleaseStock' }]);
    const done = run([{ type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }], retried);
    expect(done.state).toMatchObject({ status: 'CANCELLED', orderStatus: 'CANCELLED' });
  });

  it('refuses an operator retry for a saga that is not parked', () => {
    const running = run([{ type: 'STOCK_RESERVED' }]);
    expect(advance(running.state, { type: 'RETRY_COMPENSATION' }, at(5), timeouts).commands).toEqual([]);
  });
});
