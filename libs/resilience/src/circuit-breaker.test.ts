// createBreaker: opening, failing fast, half-open recovery, timeouts, business failures, fallback.
import { BreakerOpenError, BreakerTimeoutError } from './breaker-errors';
import { createBreaker, type Breaker, type BreakerEvent, type BreakerOptions } from './circuit-breaker';
import { TimeoutError } from './timeout';

class DeclinedError extends Error {}

const breakers: Breaker<unknown, unknown>[] = [];
afterEach(() => breakers.splice(0).forEach((b) => b.shutdown()));

function make<TInput = void, TResult = unknown>(
  action: (input: TInput, signal: AbortSignal) => Promise<TResult>,
  options: Partial<BreakerOptions<TInput, TResult>> = {},
): Breaker<TInput, TResult> {
  // A long reset keeps an opened breaker open for the whole test, however slow the machine.
  const breaker = createBreaker(action, { name: 'dep', volumeThreshold: 3, resetTimeoutMs: 60_000, ...options });
  breakers.push(breaker as Breaker<unknown, unknown>);
  return breaker;
}

const nextEvent = (breaker: Breaker<unknown, unknown>, event: BreakerEvent) =>
  new Promise<void>((resolve) => {
    const off = breaker.on(event, () => {
      off();
      resolve();
    });
  });

const failing = jest.fn(async (_input: string): Promise<string> => {
  throw new Error('connection refused');
});
beforeEach(() => failing.mockClear());

async function tripOpen(breaker: Breaker<string, string>, times = 3) {
  for (let i = 0; i < times; i++) await expect(breaker.fire('x')).rejects.toThrow('connection refused');
}

describe('createBreaker', () => {
  it('resolves with the action value and passes the input and an abort signal', async () => {
    const action = jest.fn(async (n: number, signal: AbortSignal) => (signal.aborted ? -1 : n * 2));
    const breaker = make(action);
    await expect(breaker.fire(21)).resolves.toBe(42);
    expect(action).toHaveBeenCalledWith(21, expect.any(AbortSignal));
    expect(breaker.state()).toBe('closed');
  });

  it('opens after the failure threshold and then fails fast without calling the action', async () => {
    const onStateChange = jest.fn();
    const breaker = make(failing, { onStateChange });
    await tripOpen(breaker, 2);
    expect(breaker.state()).toBe('closed'); // below volumeThreshold: one bad start does not trip it
    await tripOpen(breaker, 1);
    expect(breaker.state()).toBe('open');
    expect(onStateChange).toHaveBeenCalledWith('open', 'dep');

    const fastFailure = breaker.fire('x');
    await expect(fastFailure).rejects.toBeInstanceOf(BreakerOpenError);
    await expect(fastFailure).rejects.toMatchObject({ breaker: 'dep' });
    expect(failing).toHaveBeenCalledTimes(3);
    expect(breaker.stats()).toMatchObject({ name: 'dep', state: 'open', failures: 3, rejects: 1 });
  });

  it('does not open while the failure rate stays at or below the threshold', async () => {
    let n = 0;
    const breaker = make(async () => {
      if (n++ % 2 === 1) throw new Error('every second call fails');
      return 'ok';
    });
    for (let i = 0; i < 10; i++) await breaker.fire().catch(() => undefined);
    expect(breaker.state()).toBe('closed');
    expect(breaker.stats()).toMatchObject({ failures: 5, successes: 5 });
  });

  it('half-opens after the reset timeout and closes on a successful trial call', async () => {
    let healthy = false;
    const onStateChange = jest.fn();
    const breaker = make(
      async () => {
        if (!healthy) throw new Error('connection refused');
        return 'ok';
      },
      { resetTimeoutMs: 20, onStateChange },
    );
    const halfOpen = nextEvent(breaker, 'halfOpen');
    for (let i = 0; i < 3; i++) await breaker.fire().catch(() => undefined);
    await halfOpen;
    expect(breaker.state()).toBe('half-open');

    healthy = true;
    await expect(breaker.fire()).resolves.toBe('ok');
    expect(breaker.state()).toBe('closed');
    expect(onStateChange.mock.calls.map(([state]) => state)).toEqual(['open', 'half-open', 'closed']);
  });

  it('re-opens when the half-open trial call fails', async () => {
    const breaker = make(failing, { resetTimeoutMs: 20 });
    const halfOpen = nextEvent(breaker, 'halfOpen');
    await tripOpen(breaker);
    await halfOpen;
    const reopened = nextEvent(breaker, 'open');
    await expect(breaker.fire('x')).rejects.toThrow('connection refused');
    await reopened;
    expect(breaker.state()).toBe('open');
  });

  it('counts timeouts as failures, rejects with BreakerTimeoutError and aborts the slow call', async () => {
    const signals: AbortSignal[] = [];
    const hanging = (_: void, signal: AbortSignal) =>
      new Promise<string>((_resolve, reject) => {
        signals.push(signal);
        signal.addEventListener('abort', () => reject(signal.reason));
      });
    const breaker = make(hanging, { timeoutMs: 10, volumeThreshold: 2 });
    const results = await Promise.allSettled([breaker.fire(), breaker.fire()]);
    for (const result of results) {
      expect(result.status).toBe('rejected');
      const reason = (result as PromiseRejectedResult).reason;
      expect(reason).toBeInstanceOf(BreakerTimeoutError);
      expect(reason).toBeInstanceOf(TimeoutError);
      expect(reason).toMatchObject({ breaker: 'dep', timeoutMs: 10 });
    }
    expect(signals.map((s) => s.aborted)).toEqual([true, true]);
    expect(breaker.state()).toBe('open');
    expect(breaker.stats()).toMatchObject({ timeouts: 2, failures: 2 });
  });

  it('passes business failures through without counting them, and business values are successes', async () => {
    const declined = new DeclinedError('card declined');
    const fallback = jest.fn();
    const breaker = make(
      async (amount: number) => {
        if (amount > 100) throw declined;
        return { ok: false as const, reason: 'INSUFFICIENT_FUNDS' };
      },
      { isBusinessFailure: (err) => err instanceof DeclinedError, fallback },
    );
    for (let i = 0; i < 5; i++) {
      await expect(breaker.fire(500)).rejects.toBe(declined);
      await expect(breaker.fire(50)).resolves.toEqual({ ok: false, reason: 'INSUFFICIENT_FUNDS' });
    }
    expect(breaker.state()).toBe('closed');
    expect(breaker.stats()).toMatchObject({ failures: 0, successes: 10 });
    expect(fallback).not.toHaveBeenCalled();
  });

  it('uses the fallback for failures, and for fast failures once open', async () => {
    type Reply = { ok: true } | { ok: false; reason: string };
    const fallback = jest.fn((error: unknown, input: string): Reply => ({
      ok: false,
      reason: error instanceof BreakerOpenError ? `UNAVAILABLE:${input}` : `ERROR:${input}`,
    }));
    const action = jest.fn(async (_: string): Promise<Reply> => {
      throw new Error('connection refused');
    });
    const breaker = make(action, { fallback });
    for (let i = 0; i < 3; i++) await expect(breaker.fire('a')).resolves.toEqual({ ok: false, reason: 'ERROR:a' });
    expect(fallback).toHaveBeenCalledWith(expect.objectContaining({ message: 'connection refused' }), 'a');
    expect(breaker.state()).toBe('open');

    await expect(breaker.fire('b')).resolves.toEqual({ ok: false, reason: 'UNAVAILABLE:b' });
    expect(action).toHaveBeenCalledTimes(3);
    expect(breaker.stats().fallbacks).toBe(4);
  });

  it('gives the fallback a BreakerTimeoutError on timeout', async () => {
    const fallback = jest.fn(async (error: unknown) => (error instanceof BreakerTimeoutError ? 'timed out' : 'other'));
    const breaker = make(() => new Promise<string>(() => {}), { timeoutMs: 10, fallback });
    await expect(breaker.fire()).resolves.toBe('timed out');
  });

  it('stops listening after unsubscribe and fails fast after shutdown', async () => {
    const listener = jest.fn();
    const breaker = make(failing);
    const off = breaker.on('open', listener);
    off();
    await tripOpen(breaker);
    expect(listener).not.toHaveBeenCalled();

    const other = make(async () => 'ok');
    other.shutdown();
    await expect(other.fire()).rejects.toBeInstanceOf(BreakerOpenError);
  });
});
