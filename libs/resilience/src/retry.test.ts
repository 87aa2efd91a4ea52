// retry and backoffDelay: schedule, stopping rules and what the caller finally sees.
import { backoffDelay, retry, type RetryOptions } from './retry';

const opts = { baseDelayMs: 100, maxDelayMs: 1000, factor: 2 };

describe('backoffDelay', () => {
  it('grows exponentially without jitter', () => {
    const delays = [1, 2, 3, 4].map((n) => backoffDelay(n, { ...opts, jitter: 'none' }));
    expect(delays).toEqual([100, 200, 400, 800]);
  });

  it('is capped at maxDelayMs, even for huge attempt numbers', () => {
    expect(backoffDelay(5, { ...opts, jitter: 'none' })).toBe(1000);
    expect(backoffDelay(5000, { ...opts, jitter: 'none' })).toBe(1000);
    expect(backoffDelay(5000, { baseDelayMs: 0, maxDelayMs: 1000, jitter: 'none' })).toBe(0);
  });

  it('with full jitter stays within [0, capped delay)', () => {
    expect(backoffDelay(3, opts, () => 0)).toBe(0);
    expect(backoffDelay(3, opts, () => 0.5)).toBe(200);
    expect(backoffDelay(3, opts, () => 0.999999)).toBe(399);
    expect(backoffDelay(10, opts, () => 0.999999)).toBe(999);
  });

  it('with equal jitter stays within [half the capped delay, capped delay]', () => {
    expect(backoffDelay(3, { ...opts, jitter: 'equal' }, () => 0)).toBe(200);
    expect(backoffDelay(3, { ...opts, jitter: 'equal' }, () => 0.5)).toBe(300);
    expect(backoffDelay(3, { ...opts, jitter: 'equal' }, () => 0.999999)).toBe(399);
    // An odd delay rounds its half up: the minimum is never below delay / 2.
    expect(backoffDelay(1, { baseDelayMs: 5, maxDelayMs: 5, jitter: 'equal' }, () => 0)).toBe(3);
  });

  it('uses full jitter and factor 2 by default', () => {
    expect(backoffDelay(2, { baseDelayMs: 100, maxDelayMs: 1000 }, () => 0.5)).toBe(100);
  });
});

describe('retry', () => {
  const fast = (overrides: Partial<RetryOptions> = {}): RetryOptions & { sleeps: number[] } => {
    const sleeps: number[] = [];
    return {
      retries: 3,
      ...opts,
      jitter: 'none',
      sleep: async (ms) => {
        sleeps.push(ms);
      },
      sleeps,
      ...overrides,
    };
  };

  it('returns the first success and waits the backoff between attempts', async () => {
    const options = fast();
    const fn = jest
      .fn<Promise<string>, [number]>()
      .mockRejectedValueOnce(new Error('1'))
      .mockRejectedValueOnce(new Error('2'))
      .mockResolvedValue('ok');
    await expect(retry(fn, options)).resolves.toBe('ok');
    expect(fn.mock.calls.map(([attempt]) => attempt)).toEqual([1, 2, 3]);
    expect(options.sleeps).toEqual([100, 200]);
  });

  it('rethrows the last error after retries run out', async () => {
    const options = fast({ retries: 2 });
    let n = 0;
    const fn = jest.fn(async () => {
      throw new Error(`failure ${++n}`);
    });
    await expect(retry(fn, options)).rejects.toThrow('failure 3');
    expect(fn).toHaveBeenCalledTimes(3);
  });

  it('stops at once on a non-retryable error', async () => {
    const declined = new Error('declined');
    const shouldRetry = jest.fn((err: unknown) => err !== declined);
    const fn = jest.fn().mockRejectedValueOnce(new Error('flaky')).mockRejectedValue(declined);
    await expect(retry(fn, fast({ shouldRetry }))).rejects.toBe(declined);
    expect(fn).toHaveBeenCalledTimes(2);
    expect(shouldRetry).toHaveBeenLastCalledWith(declined, 2);
  });

  it('reports each retry with its attempt number and delay', async () => {
    const onRetry = jest.fn();
    const err = new Error('x');
    const fn = jest.fn().mockRejectedValueOnce(err).mockResolvedValue(1);
    await retry(fn, fast({ onRetry }));
    expect(onRetry).toHaveBeenCalledTimes(1);
    expect(onRetry).toHaveBeenCalledWith(err, 1, 100);
  });

  it('uses the injected random source for jitter', async () => {
    const options = fast({ jitter: 'full', random: () => 0.5 });
    const fn = jest.fn().mockRejectedValueOnce(new Error()).mockRejectedValueOnce(new Error()).mockResolvedValue(1);
    await retry(fn, options);
    expect(options.sleeps).toEqual([50, 100]);
  });

  it('with retries: 0 calls once', async () => {
    const fn = jest.fn().mockRejectedValue(new Error('once'));
    await expect(retry(fn, fast({ retries: 0 }))).rejects.toThrow('once');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('stops retrying once the signal is aborted', async () => {
    const controller = new AbortController();
    const fn = jest.fn(async () => {
      throw new Error('down');
    });
    const options = fast({
      retries: 10,
      sleep: async () => {
        controller.abort();
      },
      signal: controller.signal,
    });
    await expect(retry(fn, options)).rejects.toThrow('down');
    expect(fn).toHaveBeenCalledTimes(1);
  });

  it('waits for real when no sleep is injected, and wakes early on abort', async () => {
    const controller = new AbortController();
    const fn = jest.fn(async () => {
      throw new Error('down');
    });
    const run = retry(fn, { retries: 5, baseDelayMs: 60_000, maxDelayMs: 60_000, jitter: 'none', signal: controller.signal });
    // Let the first attempt fail and the (one-minute) wait start, then abort it.
    await new Promise((resolve) => setImmediate(resolve));
    controller.abort();
    await expect(run).rejects.toThrow('down');
    expect(fn).toHaveBeenCalledTimes(1);
  });
});
