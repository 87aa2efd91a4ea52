// Unit tests for the shared delivery rule: bounded retries (two budgets), poison detection and clean stopping.
import { createEnvelope, encodeEnvelope } from '@saga/contracts';
import { deliver, retryDelay } from './delivery';
import { PoisonMessageError, type RetryPolicy } from './ports/delivery.types';

const policy: RetryPolicy = {
  maxAttempts: 3,
  initialDelayMs: 100,
  maxDelayMs: 250,
  transient: { maxAttempts: 6, initialDelayMs: 1_000, maxDelayMs: 4_000 },
  attemptTimeoutMs: 60_000,
};
const raw = encodeEnvelope(createEnvelope('Ping', 1, { n: 1 }, { correlationId: 'c-1' }));
const noSleep = async () => undefined;

describe('deliver', () => {
  it('retries a failing handler and reports success once it passes', async () => {
    const attempts: number[] = [];
    const outcome = await deliver({
      raw, policy, isStopped: () => false, sleep: noSleep,
      handle: async (_envelope, attempt) => { attempts.push(attempt); if (attempt < 3) throw new Error('db down'); },
    });
    expect(outcome).toEqual({ kind: 'processed' });
    expect(attempts).toEqual([1, 2, 3]);
  });

  it('dead-letters with the last error once the attempts are used up', async () => {
    const outcome = await deliver({ raw, policy, isStopped: () => false, sleep: noSleep, handle: async () => { throw new Error('still down'); } });
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'HANDLER_FAILED after 3 attempts: still down' });
  });

  it('dead-letters a poison message at once, without retrying', async () => {
    let calls = 0;
    const outcome = await deliver({ raw, policy, isStopped: () => false, sleep: noSleep, handle: async () => { calls += 1; throw new PoisonMessageError('quantity must be positive'); } });
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: 'POISON: quantity must be positive' });
    expect(calls).toBe(1);
  });

  it('dead-letters bytes that are not an envelope without calling the handler', async () => {
    const handle = jest.fn();
    const outcome = await deliver({ raw: 'not json', policy, isStopped: () => false, handle });
    expect(outcome).toMatchObject({ kind: 'dead-letter', reason: expect.stringMatching(/^INVALID_ENVELOPE/) });
    expect(handle).not.toHaveBeenCalled();
  });

  it('gives up without an outcome when the subscription stops between retries', async () => {
    let stopped = false;
    const outcome = await deliver({ raw, policy, isStopped: () => stopped, sleep: async () => { stopped = true; }, handle: async () => { throw new Error('x'); } });
    expect(outcome).toEqual({ kind: 'stopped' });
  });
});

describe('deliver with transient infrastructure failures', () => {
  const restarting = () => Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' });

  it('gives a database restart the long budget, counted apart from ordinary failures', async () => {
    const waits: number[] = [];
    const failures = [restarting(), restarting(), new Error('bug'), restarting(), restarting(), new Error('bug')];
    const outcome = await deliver({
      raw, policy, isStopped: () => false, random: () => 0,
      sleep: async (ms) => void waits.push(ms),
      handle: async () => { const next = failures.shift(); if (next) throw next; },
    });
    expect(outcome).toEqual({ kind: 'processed' });
    // Transient waits 500, 1000, -, 2000 (slept in slices of 250), 2000; ordinary 50, 100: the two schedules run side by side.
    expect(waits.reduce((sum, ms) => sum + ms, 0)).toBe(500 + 1_000 + 50 + 2_000 + 2_000 + 100);
  });

  it('dead-letters after the transient budget, saying the infrastructure was away', async () => {
    const outcome = await deliver({ raw, policy, isStopped: () => false, sleep: noSleep, handle: async () => { throw restarting(); } });
    expect(outcome).toMatchObject({ kind: 'dead-letter', attempts: 6, reason: 'HANDLER_FAILED after 6 attempts (infrastructure unavailable): terminating connection due to administrator command' });
  });

  it('stops waiting as soon as the subscription closes, even in the middle of a long wait', async () => {
    let slept = 0;
    let stopped = false;
    const outcome = await deliver({
      raw, policy, isStopped: () => stopped, random: () => 1,
      sleep: async (ms) => { slept += ms; if (slept >= 500) stopped = true; },
      handle: async () => { throw restarting(); },
    });
    expect(outcome).toEqual({ kind: 'stopped' });
    expect(slept).toBe(500);
  });

  it('reports an attempt that outlives its bound, and never starts another beside it', async () => {
    jest.useFakeTimers();
    try {
      const slow: number[] = [];
      let running = 0;
      let overlapped = false;
      let release!: () => void;
      const outcome = deliver({
        raw, policy: { ...policy, attemptTimeoutMs: 1_000 }, isStopped: () => false, sleep: noSleep,
        onSlowAttempt: ({ attempt }) => void slow.push(attempt),
        handle: async () => {
          overlapped ||= running > 0;
          running += 1;
          await new Promise<void>((resolve) => { release = resolve; });
          running -= 1;
        },
      });
      await jest.advanceTimersByTimeAsync(1_500);
      expect(slow).toEqual([1]);
      release();
      await expect(outcome).resolves.toEqual({ kind: 'processed' });
      expect(overlapped).toBe(false);
    } finally {
      jest.useRealTimers();
    }
  });
});

describe('retryDelay', () => {
  it('grows exponentially up to the cap, with equal jitter: never below half the delay', () => {
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, policy, () => 1))).toEqual([100, 200, 250, 250]);
    expect([1, 2, 3, 4].map((attempt) => retryDelay(attempt, policy, () => 0))).toEqual([50, 100, 125, 125]);
    expect(retryDelay(2, policy, () => 0.5)).toBe(150);
  });
});
