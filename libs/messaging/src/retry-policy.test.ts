// The retry windows are proven here, not hoped for: a PostgreSQL restart fits in the transient one, every budget ends.
import { defaultRetryPolicy, isBounded, resolvePolicy, retryWindow, transientRetryBudget, worstCaseDeliveryMs } from './retry-policy';

describe('retryWindow', () => {
  it('sums maxAttempts - 1 waits: at least half of each capped delay, at most all of it', () => {
    expect(retryWindow({ maxAttempts: 4, initialDelayMs: 100, maxDelayMs: 300 })).toEqual({ minMs: 50 + 100 + 150, maxMs: 100 + 200 + 300 });
    expect(retryWindow({ maxAttempts: 1, initialDelayMs: 100, maxDelayMs: 300 })).toEqual({ minMs: 0, maxMs: 0 });
  });

  it('gives transient failures 31.9-63.8 s: a 6-10 s database restart is ridden out three times over', () => {
    const window = retryWindow(transientRetryBudget);
    expect(window).toEqual({ minMs: 31_875, maxMs: 63_750 });
    expect(window.minMs).toBeGreaterThanOrEqual(30_000);
  });

  it('gives ordinary failures 5.7-11.3 s before the dead letter', () => {
    expect(retryWindow(defaultRetryPolicy)).toEqual({ minMs: 5_650, maxMs: 11_300 });
  });
});

describe('worstCaseDeliveryMs', () => {
  it('adds every attempt of both budgets at its bound to both maximal windows', () => {
    // (8 + 13 - 1) attempts x 15 s + 11.3 s + 63.75 s
    expect(worstCaseDeliveryMs(defaultRetryPolicy)).toBe(20 * 15_000 + 11_300 + 63_750);
  });
});

describe('resolvePolicy', () => {
  it('overrides the ordinary budget and keeps the default transient one unless told', () => {
    const policy = resolvePolicy({ maxAttempts: 3, initialDelayMs: 5 });
    expect(policy).toEqual({ ...defaultRetryPolicy, maxAttempts: 3, initialDelayMs: 5 });
    expect(resolvePolicy({ transient: { maxAttempts: 2 } }).transient).toEqual({ ...transientRetryBudget, maxAttempts: 2 });
  });
});

describe('isBounded', () => {
  it('refuses an endless budget', () => {
    expect(isBounded(defaultRetryPolicy)).toBe(true);
    expect(isBounded({ ...defaultRetryPolicy, maxAttempts: Number.POSITIVE_INFINITY })).toBe(false);
    expect(isBounded({ ...defaultRetryPolicy, transient: { ...transientRetryBudget, maxAttempts: Number.POSITIVE_INFINITY } })).toBe(false);
  });
});
