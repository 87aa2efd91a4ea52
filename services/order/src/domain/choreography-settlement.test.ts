// Every ordering of the participants' events settles a choreographed order the same way, once, and never throws.
import { settleChoreography, type ChoreographyFact, type ChoreographyProgress, type Settlement } from './choreography-settlement';

const pending: ChoreographyProgress = { status: 'PENDING', paymentFailure: null, stockReleased: false };
const declined: ChoreographyFact = { type: 'PAYMENT_FAILED', reason: 'PAYMENT_DECLINED' };
const released: ChoreographyFact = { type: 'STOCK_RELEASED' };

/** Applies facts in order; returns every outcome announced and the final progress. */
function run(facts: readonly ChoreographyFact[]): { outcomes: NonNullable<Settlement['outcome']>[]; progress: ChoreographyProgress } {
  let progress = pending;
  const outcomes: NonNullable<Settlement['outcome']>[] = [];
  for (const fact of facts) {
    const settled = settleChoreography(progress, fact);
    progress = settled.progress;
    if (settled.outcome) outcomes.push(settled.outcome);
  }
  return { outcomes, progress };
}

function permutations<T>(items: readonly T[]): T[][] {
  if (items.length <= 1) return [[...items]];
  return items.flatMap((item, i) => permutations([...items.slice(0, i), ...items.slice(i + 1)]).map((rest) => [item, ...rest]));
}

describe('settleChoreography', () => {
  it('cancels at once when the reservation fails, with its reason', () => {
    expect(run([{ type: 'STOCK_RESERVATION_FAILED', reason: 'OUT_OF_STOCK' }]).outcomes).toEqual([{ status: 'CANCELLED', reason: 'OUT_OF_STOCK' }]);
  });

  it('approves on PaymentCompleted', () => {
    expect(run([{ type: 'PAYMENT_COMPLETED' }])).toEqual({ outcomes: [{ status: 'APPROVED' }], progress: { ...pending, status: 'APPROVED' } });
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
