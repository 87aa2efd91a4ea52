// Reservation rules: all lines or none, unknown skus before shortages, and a release that gives back exactly what was taken.
import type { Product } from './product';

export interface StockLine {
  sku: string;
  quantity: number;
}

export type ReservationStatus = 'RESERVED' | 'RELEASED' | 'FAILED';
export type ReservationFailureReason = 'UNKNOWN_SKU' | 'OUT_OF_STOCK';

export interface ReservationFailure {
  reason: ReservationFailureReason;
  /** The skus at fault, sorted, so the order's cancellation reason can name them. */
  skus: string[];
}

/** One per order: the record that makes reserving and releasing idempotent. */
export interface Reservation {
  orderId: string;
  sagaId: string;
  status: ReservationStatus;
  /** What was (or would have been) taken: merged per sku, sorted by sku. Empty for a release that came first. */
  lines: StockLine[];
  /** Set when status is FAILED, so a repeated command gets the same answer. */
  failure?: ReservationFailure;
  createdAt: Date;
  releasedAt?: Date;
}

export interface OrderRef {
  orderId: string;
  sagaId: string;
}

export type ReserveOutcome = { ok: true; lines: StockLine[] } | ({ ok: false } & ReservationFailure);
/** `changed`: false when the release found nothing to give back or record (a failed reservation, or one released already). */
export type ReleaseOutcome = { ok: true; lines: StockLine[]; changed: boolean };

/** Sums lines of the same sku and sorts by sku: the sort is also the row-lock order, which avoids deadlocks. */
export function mergeLines(lines: readonly StockLine[]): StockLine[] {
  const totals = new Map<string, number>();
  for (const { sku, quantity } of lines) totals.set(sku, (totals.get(sku) ?? 0) + quantity);
  return [...totals.entries()].sort(([a], [b]) => compareSkus(a, b)).map(([sku, quantity]) => ({ sku, quantity }));
}

/** Code-point order, the same as PostgreSQL's "C" collation we use for the sku column, so locks follow one order everywhere. */
export function compareSkus(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Decides a new reservation from the locked products: every line fits, or nothing is taken. */
export function planReservation(requested: readonly StockLine[], products: readonly Product[]): ReserveOutcome {
  const lines = mergeLines(requested);
  const availableBySku = new Map(products.map((p) => [p.sku, p.available]));
  const unknown = lines.filter((line) => !availableBySku.has(line.sku)).map((line) => line.sku);
  if (unknown.length > 0) return { ok: false, reason: 'UNKNOWN_SKU', skus: unknown };
  const short = lines.filter((line) => (availableBySku.get(line.sku) ?? 0) < line.quantity).map((line) => line.sku);
  if (short.length > 0) return { ok: false, reason: 'OUT_OF_STOCK', skus: short };
  return { ok: true, lines };
}

/** The reservation to record for a decided outcome (failures are recorded too: a retry must not succeed later by luck). */
export function recordReservation(ref: OrderRef, requested: readonly StockLine[], outcome: ReserveOutcome, now: Date): Reservation {
  const base = { orderId: ref.orderId, sagaId: ref.sagaId, lines: mergeLines(requested), createdAt: now };
  return outcome.ok ? { ...base, status: 'RESERVED' } : { ...base, status: 'FAILED', failure: { reason: outcome.reason, skus: outcome.skus } };
}

/** The answer a repeated ReserveStock gets: whatever the first one got. */
export function outcomeOf(reservation: Reservation): ReserveOutcome {
  if (reservation.status === 'FAILED') {
    const failure = reservation.failure ?? { reason: 'OUT_OF_STOCK', skus: [] };
    return { ok: false, reason: failure.reason, skus: failure.skus };
  }
  return { ok: true, lines: reservation.lines };
}

export interface ReleaseDecision {
  /** How to persist `reservation`: a release that arrives first leaves a tombstone, so a late reserve takes nothing. */
  write: 'insert' | 'update' | 'none';
  reservation: Reservation;
  /** Units to put back on the shelf now: non-empty only on the first release of a held reservation. */
  restore: StockLine[];
  outcome: ReleaseOutcome;
}

/** Compensation must always succeed: releasing twice, after a failure, or before any reservation are all no-ops. */
export function decideRelease(existing: Reservation | undefined, ref: OrderRef, now: Date): ReleaseDecision {
  if (existing === undefined) {
    const tombstone: Reservation = { ...ref, status: 'RELEASED', lines: [], createdAt: now, releasedAt: now };
    return { write: 'insert', reservation: tombstone, restore: [], outcome: { ok: true, lines: [], changed: true } };
  }
  switch (existing.status) {
    case 'RESERVED': {
      const released: Reservation = { ...existing, status: 'RELEASED', releasedAt: now };
      return { write: 'update', reservation: released, restore: existing.lines, outcome: { ok: true, lines: existing.lines, changed: true } };
    }
    case 'RELEASED':
      return { write: 'none', reservation: existing, restore: [], outcome: { ok: true, lines: existing.lines, changed: false } };
    case 'FAILED':
      return { write: 'none', reservation: existing, restore: [], outcome: { ok: true, lines: [], changed: false } };
  }
}
