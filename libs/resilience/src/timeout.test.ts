// withTimeout: resolves in time, rejects with TimeoutError after the deadline, and aborts the work.
import { TimeoutError, withTimeout } from './timeout';

describe('withTimeout', () => {
  afterEach(() => jest.useRealTimers());

  it('resolves with the value when the work finishes in time', async () => {
    await expect(withTimeout(async () => 42, 1000, 'answer')).resolves.toBe(42);
  });

  it('passes through the work rejection unchanged', async () => {
    const boom = new Error('boom');
    await expect(withTimeout(() => Promise.reject(boom), 1000, 'x')).rejects.toBe(boom);
  });

  it('turns a synchronous throw of the factory into a rejection', async () => {
    const boom = new Error('sync');
    const factory = (): Promise<never> => {
      throw boom;
    };
    await expect(withTimeout(factory, 1000, 'x')).rejects.toBe(boom);
  });

  it('rejects with a TimeoutError naming the operation and aborts the signal', async () => {
    jest.useFakeTimers();
    let seen: AbortSignal | undefined;
    const pending = withTimeout(
      (signal) => {
        seen = signal;
        return new Promise<never>(() => {});
      },
      50,
      'inventory.reserve',
    );
    const outcome = expect(pending).rejects.toMatchObject({
      name: 'TimeoutError',
      what: 'inventory.reserve',
      timeoutMs: 50,
      message: 'inventory.reserve timed out after 50 ms',
    });
    await jest.advanceTimersByTimeAsync(50);
    await outcome;
    await expect(pending).rejects.toBeInstanceOf(TimeoutError);
    expect(seen?.aborted).toBe(true);
    expect(seen?.reason).toBeInstanceOf(TimeoutError);
  });

  it('does not time out before the deadline', async () => {
    jest.useFakeTimers();
    let settled = false;
    const pending = withTimeout(() => new Promise<never>(() => {}), 50, 'x').catch(() => {
      settled = true;
    });
    await jest.advanceTimersByTimeAsync(49);
    expect(settled).toBe(false);
    await jest.advanceTimersByTimeAsync(1);
    await pending;
    expect(settled).toBe(true);
  });
});
