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
  it('refunds a charge that succeeds after its step timed out', () => {
    const { state, commands } = run([{ type: 'STOCK_RESERVED' }, { type: 'DEADLINE_PASSED' }, { type: 'PAYMENT_REFUNDED', amountCents: 0 }, { type: 'PAYMENT_COMPLETED', paymentId: 'p-late' }]);
    expect(types(commands)).toEqual(['ReserveStock', 'ChargePayment', 'RefundPayment', 'ReleaseStock', 'RefundPayment']);
    expect(steps(state)).toContain('CHARGE_PAYMENT:LATE_REPLY');
    expect(state.orderStatus).toBe('PENDING');
  });

  it('refunds a late charge even after the saga has ended', () => {
    const ended = run([{ type: 'STOCK_RESERVED' }, { type: 'DEADLINE_PASSED' }, { type: 'PAYMENT_REFUNDED', amountCents: 0 }, { type: 'STOCK_RELEASED' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CANCELLED' }]);
    expect(ended.state.status).toBe('CANCELLED');
    const late = advance(ended.state, { type: 'PAYMENT_COMPLETED', paymentId: 'p-late' }, at(60_000), timeouts);
    expect(late.commands).toEqual([{ type: 'RefundPayment' }]);
    expect(late.state).toMatchObject({ status: 'CANCELLED', orderStatus: 'CANCELLED' });
  });

  it('releases a reservation that arrives after its step timed out', () => {
    const { commands } = run([{ type: 'DEADLINE_PASSED' }, { type: 'STOCK_RESERVED' }]);
    expect(types(commands)).toEqual(['ReserveStock', 'ReleaseStock', 'ReleaseStock']);
  });

  it('ignores a duplicate reply: same state, no commands', () => {
    const once = run([{ type: 'STOCK_RESERVED' }]);
    const twice = advance(once.state, { type: 'STOCK_RESERVED' }, at(10), timeouts);
    expect(twice).toEqual({ state: once.state, commands: [] });
    const approved = run([{ type: 'STOCK_RESERVED' }, { type: 'PAYMENT_COMPLETED', paymentId: 'p' }, { type: 'NOTIFICATION_SENT', kind: 'ORDER_CONFIRMED' }]);
    expect(advance(approved.state, { type: 'PAYMENT_COMPLETED', paymentId: 'p' }, at(20), timeouts).commands).toEqual([]);
  });

  it('ignores a reply for a step it never started', () => {
    const started = startSaga(order, t0, timeouts);
    expect(advance(started.state, { type: 'STOCK_RELEASED' }, at(1), timeouts)).toEqual({ state: started.state, commands: [] });
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
