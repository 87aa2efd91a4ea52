// Every ordering of the participants' events (and of the deadline among them) settles a choreographed order the same
// way, once, and never throws; a success after a cancellation is flagged for its participant's compensation.
import { settleChoreography, type ChoreographyFact, type ChoreographyProgress, type Settlement } from './choreography-settlement';

const pending: ChoreographyProgress = { status: 'PENDING', paymentFailure: null, stockReleased: false };
const declined: ChoreographyFact = { type: 'PAYMENT_FAILED', reason: 'PAYMENT_DECLINED' };
const released: ChoreographyFact = { type: 'STOCK_RELEASED' };

const deadline: ChoreographyFact = { type: 'DEADLINE_PASSED' };
const completed: ChoreographyFact = { type: 'PAYMENT_COMPLETED' };
const outOfStock: ChoreographyFact = { type: 'STOCK_RESERVATION_FAILED', reason: 'OUT_OF_STOCK' };

/** Applies facts in order; returns every outcome announced, every late fact flagged and the final progress. */
function run(facts: readonly ChoreographyFact[]): { outcomes: NonNullable<Settlement['outcome']>[]; late: NonNullable<Settlement['late']>[]; progress: ChoreographyProgress } {
  let progress = pending;
  const outcomes: NonNullable<Settlement['outcome']>[] = [];
  const late: NonNullable<Settlement['late']>[] = [];
  for (const fact of facts) {
    const settled = settleChoreography(progress, fact);
    progress = settled.progress;
    if (settled.outcome) outcomes.push(settled.outcome);
    if (settled.late) late.push(settled.late);
  }
  return { outcomes, late, progress };
}

const names = (facts: readonly ChoreographyFact[]) => facts.map((f) => f.type).join(' → ');

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('settleChoreography', () => {
  it('cancels at once when the reservation fails, with its reason', () => {
    expect(run([{ type: 'STOCK_RESERVATION_FAILED', reason: 'OUT_OF_STOCK' }]).outcomes).toEqual([{ status: 'CANCELLED', reason: 'OUT_OF_STOCK' }]);
  });

  it('approves on PaymentCompleted', () => {
    expect(run([{ type: 'PAYMENT_COMPLETED' }])).toEqual({ outcomes: [{ status: 'APPROVED' }], late: [], progress: { ...pending, status: 'APPROVED' } });
  });

  it.each(permutations([declined, released]).map((order) => [order.map((f) => f.type).join(' → '), order] as const))(
    'a failed payment cancels once the stock is back, whichever arrives first: %s',
    (_name, order) => {
      const { outcomes, progress } = run(order);
      expect(outcomes).toEqual([{ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' }]);
      expect(progress).toEqual({ status: 'CANCELLED', paymentFailure: 'PAYMENT_DECLINED', stockReleased: true });
    },
  );

  it('waits, without an outcome, for the other half of the pair', () => {
    expect(run([released]).outcomes).toEqual([]);
    expect(run([declined]).outcomes).toEqual([]);
  });

  it.each(permutations([declined, released, declined, released]).map((order) => [order.map((f) => f.type).join(' → '), order] as const))(
    'duplicates settle nothing twice: %s',
    (_name, order) => {
      expect(run(order).outcomes).toEqual([{ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' }]);
    },
  );

  it('keeps the first payment failure as the reason', () => {
    expect(run([declined, { type: 'PAYMENT_FAILED', reason: 'PAYMENT_TIMEOUT' }, released]).outcomes).toEqual([{ status: 'CANCELLED', reason: 'PAYMENT_DECLINED' }]);
  });

  it('a settled order is never settled again by a late event, but the fact is remembered', () => {
    const approved = run([{ type: 'PAYMENT_COMPLETED' }, declined, released]);
    expect(approved.outcomes).toEqual([{ status: 'APPROVED' }]);
    expect(approved.progress).toEqual({ status: 'APPROVED', paymentFailure: 'PAYMENT_DECLINED', stockReleased: true });
    expect(run([{ type: 'STOCK_RESERVATION_FAILED', reason: 'UNKNOWN_SKU' }, { type: 'PAYMENT_COMPLETED' }]).outcomes).toEqual([{ status: 'CANCELLED', reason: 'UNKNOWN_SKU' }]);
  });
});

describe('settleChoreography: the deadline', () => {
  const refund = { fact: 'PAYMENT_COMPLETED', compensation: 'REFUND_PAYMENT' };

  it('cancels a silent order as DEADLINE_EXCEEDED, once, however often the reaper looks', () => {
    expect(run([deadline])).toEqual({ outcomes: [{ status: 'CANCELLED', reason: 'DEADLINE_EXCEEDED' }], late: [], progress: { ...pending, status: 'CANCELLED' } });
    expect(run([deadline, deadline, deadline]).outcomes).toEqual([{ status: 'CANCELLED', reason: 'DEADLINE_EXCEEDED' }]);
  });

  // The deadline at every position among each legal run of participant events: whatever settled first stands.
  it.each([
    ['deadline → PaymentCompleted: cancelled, the late charge is refunded by payment', [deadline, completed], { status: 'CANCELLED', reason: 'DEADLINE_EXCEEDED' }, [refund]],
    ['PaymentCompleted → deadline: approved, the deadline changes nothing', [completed, deadline], { status: 'APPROVED' }, []],
    ['deadline → StockReservationFailed', [deadline, outOfStock], { status: 'CANCELLED', reason: 'DEADLINE_EXCEEDED' }, []],
    ['StockReservationFailed → deadline', [outOfStock, deadline], { status: 'CANCELLED', reason: 'OUT_OF_STOCK' }, []],
    ['deadline → PaymentFailed → StockReleased', [deadline, declined, released], { status: 'CANCELLED', reason: 'DEADLINE_EXCEEDED' }, []],
    ['deadline → StockReleased → PaymentFailed', [deadline, released, declined], { status: 'CANCELLED', reason: 'DEADLINE_EXCEEDED' }, []],
    ['PaymentFailed → deadline → StockReleased: the payment failed, the deadline only ended the wait for C2', [declined, deadline, released], { status: 'CANCELLED', reason: 'PAYMENT_DECLINED' }, []],
    ['StockReleased → deadline → PaymentFailed', [released, deadline, declined], { status: 'CANCELLED', reason: 'DEADLINE_EXCEEDED' }, []],
    ['PaymentFailed → StockReleased → deadline', [declined, released, deadline], { status: 'CANCELLED', reason: 'PAYMENT_DECLINED' }, []],
    ['StockReleased → PaymentFailed → deadline', [released, declined, deadline], { status: 'CANCELLED', reason: 'PAYMENT_DECLINED' }, []],
  ] as const)('%s', (_name, facts, outcome, late) => {
    const result = run(facts);
    expect(result.outcomes).toEqual([outcome]);
    expect(result.late).toEqual(late);
    expect(result.progress.status).toBe(outcome.status);
  });

  it.each(permutations([deadline, declined, released, completed]).map((order) => [names(order), order] as const))(
    'any interleaving settles exactly once, and a charge after a cancellation is always flagged for a refund: %s',
    (_name, order) => {
      const { outcomes, late } = run([...order, ...order]);
      expect(outcomes).toHaveLength(1);
      const completedAt = order.indexOf(completed);
      const settledAt = order.findIndex((_fact, i) => run(order.slice(0, i + 1)).outcomes.length > 0);
      const cancelledFirst = outcomes[0]!.status === 'CANCELLED';
      // Approved only when the charge was the first fact to settle; otherwise every PaymentCompleted is late.
      expect(cancelledFirst).toBe(settledAt !== completedAt);
      expect(late).toEqual(cancelledFirst ? [refund, refund] : []);
    },
  );

  it('flags a charge that arrives after any cancellation, not events that agree with the outcome', () => {
    expect(run([outOfStock, completed]).late).toEqual([refund]);
    expect(run([declined, released, completed, declined, released]).late).toEqual([refund]);
    expect(run([completed, declined, released, deadline]).late).toEqual([]);
  });
});
