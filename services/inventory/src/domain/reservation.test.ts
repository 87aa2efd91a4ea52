// Pure reservation rules: all or nothing, failure precedence, and releases that are always safe to repeat.
import type { Product } from './product';
import { decideRelease, mergeLines, outcomeOf, planReservation, recordReservation, type Reservation } from './reservation';

const product = (sku: string, available: number): Product => ({ sku, name: sku, priceCents: 100, available });
const shelf = [product('SKU-A', 5), product('SKU-B', 1), product('SKU-C', 0)];
const ref = { orderId: 'order-1', sagaId: 'saga-1' };
const t0 = new Date('2030-01-01T10:00:00Z');
const t1 = new Date('2030-01-01T10:05:00Z');

describe('mergeLines', () => {
  it('sums repeated skus and sorts by code point', () => {
    expect(mergeLines([{ sku: 'b', quantity: 1 }, { sku: 'B', quantity: 2 }, { sku: 'b', quantity: 3 }])).toEqual([
      { sku: 'B', quantity: 2 },
      { sku: 'b', quantity: 4 },
    ]);
  });
});

describe('planReservation', () => {
  it('takes every line when all fit, merged and sorted', () => {
    expect(planReservation([{ sku: 'SKU-B', quantity: 1 }, { sku: 'SKU-A', quantity: 2 }, { sku: 'SKU-A', quantity: 3 }], shelf)).toEqual({
      ok: true,
      lines: [{ sku: 'SKU-A', quantity: 5 }, { sku: 'SKU-B', quantity: 1 }],
    });
  });

  it('fails with the skus that fall short, counting repeated lines together', () => {
    expect(planReservation([{ sku: 'SKU-A', quantity: 3 }, { sku: 'SKU-A', quantity: 3 }, { sku: 'SKU-C', quantity: 1 }], shelf)).toEqual({
      ok: false,
      reason: 'OUT_OF_STOCK',
      skus: ['SKU-A', 'SKU-C'],
    });
  });

  it('reports unknown skus before shortages', () => {
    expect(planReservation([{ sku: 'SKU-C', quantity: 1 }, { sku: 'SKU-NOPE', quantity: 1 }], shelf)).toEqual({
      ok: false,
      reason: 'UNKNOWN_SKU',
      skus: ['SKU-NOPE'],
    });
  });
});

describe('recordReservation and outcomeOf', () => {
  it('replays a success with the lines taken', () => {
    const outcome = planReservation([{ sku: 'SKU-A', quantity: 1 }], shelf);
    const reservation = recordReservation(ref, [{ sku: 'SKU-A', quantity: 1 }], outcome, t0);
    expect(reservation).toMatchObject({ status: 'RESERVED', createdAt: t0 });
    expect(outcomeOf(reservation)).toEqual(outcome);
  });

  it('replays a failure with its reason and skus', () => {
    const outcome = planReservation([{ sku: 'SKU-B', quantity: 2 }], shelf);
    const reservation = recordReservation(ref, [{ sku: 'SKU-B', quantity: 2 }], outcome, t0);
    expect(reservation).toMatchObject({ status: 'FAILED', failure: { reason: 'OUT_OF_STOCK', skus: ['SKU-B'] } });
    expect(outcomeOf(reservation)).toEqual({ ok: false, reason: 'OUT_OF_STOCK', skus: ['SKU-B'] });
  });
});

describe('decideRelease', () => {
  const held: Reservation = { ...ref, status: 'RESERVED', lines: [{ sku: 'SKU-A', quantity: 2 }], createdAt: t0 };

  it('gives back exactly what a held reservation took', () => {
    expect(decideRelease(held, ref, t1)).toEqual({
      write: 'update',
      reservation: { ...held, status: 'RELEASED', releasedAt: t1 },
      restore: held.lines,
      outcome: { ok: true, lines: held.lines, changed: true },
    });
  });

  it('gives back nothing the second time, but answers the same', () => {
    const released: Reservation = { ...held, status: 'RELEASED', releasedAt: t1 };
    expect(decideRelease(released, ref, t1)).toEqual({ write: 'none', reservation: released, restore: [], outcome: { ok: true, lines: held.lines, changed: false } });
  });

  it('succeeds with nothing after a failed reservation', () => {
    const failed: Reservation = { ...ref, status: 'FAILED', lines: held.lines, failure: { reason: 'OUT_OF_STOCK', skus: ['SKU-A'] }, createdAt: t0 };
    expect(decideRelease(failed, ref, t1)).toMatchObject({ write: 'none', restore: [], outcome: { ok: true, lines: [], changed: false } });
  });

  it('leaves a tombstone when the release comes first, so a late reservation replays as empty', () => {
    const decision = decideRelease(undefined, ref, t1);
    expect(decision).toEqual({
      write: 'insert',
      reservation: { ...ref, status: 'RELEASED', lines: [], createdAt: t1, releasedAt: t1 },
      restore: [],
      outcome: { ok: true, lines: [], changed: true },
    });
    expect(outcomeOf(decision.reservation)).toEqual({ ok: true, lines: [] });
  });
});
