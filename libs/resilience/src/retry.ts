// Retry with exponential backoff and jitter, for idempotent operations only.

export interface BackoffOptions {
  /** Delay before the first retry, before jitter. */
  baseDelayMs: number;
  /** Upper bound on any single delay. */
  maxDelayMs: number;
  /** Growth per retry; 2 doubles the delay each time. */
  factor?: number;
  /**
   * 'full' picks uniformly in [0, delay): spreads retries from many clients (AWS "full jitter").
   * 'equal' picks in [delay/2, delay]: still spread, but never shorter than half, so the total wait has a known minimum.
   */
  jitter?: 'full' | 'equal' | 'none';
}

export interface RetryOptions extends BackoffOptions {
  /** Retries after the first attempt: `retries: 3` means at most 4 calls. */
  retries: number;
  /** Return false for errors that will not get better (validation, declined, 4xx). Default: retry all. */
  shouldRetry?: (error: unknown, attempt: number) => boolean;
  /** Called before each wait, e.g. to log `attempt` and `delayMs`. */
  onRetry?: (error: unknown, attempt: number, delayMs: number) => void;
  /** Injected in tests so no real time passes. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Injected in tests for deterministic jitter; must return a number in [0, 1). */
  random?: () => number;
  /** Stops retrying (e.g. on shutdown); the last error is rethrown. */
  signal?: AbortSignal;
}

/**
 * Delay before retry number `attempt` (1-based): base * factor^(attempt-1), capped at
 * maxDelayMs, then jittered. Pure, so the schedule can be tested without waiting.
 */
export function backoffDelay(attempt: number, opts: BackoffOptions, random: () => number = Math.random): number {
  const { baseDelayMs, maxDelayMs, factor = 2, jitter = 'full' } = opts;
  const growth = Math.pow(factor, Math.max(0, attempt - 1));
  // Large attempts overflow growth to Infinity: the cap still applies (and 0 * Infinity stays 0).
  const capped = baseDelayMs <= 0 ? 0 : Math.min(maxDelayMs, baseDelayMs * growth);
  if (jitter === 'full') return Math.floor(random() * capped);
  if (jitter === 'equal') {
    const half = Math.ceil(capped / 2);
    return half + Math.floor(random() * (capped - half));
  }
  return capped;
}

const realSleep = (ms: number, signal?: AbortSignal): Promise<void> =>
  new Promise((resolve) => {
    const done = () => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });

/**
 * Calls `fn` until it resolves, a non-retryable error occurs, or retries run out.
 * The last error is rethrown unchanged, so callers (and the one HTTP error handler) can still
 * tell a BreakerOpenError from a TimeoutError; `onRetry` sees every intermediate failure.
 */
export async function retry<T>(fn: (attempt: number) => Promise<T>, opts: RetryOptions): Promise<T> {
  const { retries, shouldRetry = () => true, onRetry, sleep = realSleep, random = Math.random, signal } = opts;
  for (let attempt = 1; ; attempt++) {
    try {
      return await fn(attempt);
    } catch (error) {
      const retriesLeft = attempt <= retries;
      if (!retriesLeft || signal?.aborted || !shouldRetry(error, attempt)) throw error;
      const delayMs = backoffDelay(attempt, opts, random);
      onRetry?.(error, attempt, delayMs);
      await sleep(delayMs, signal);
      if (signal?.aborted) throw error;
    }
  }
}
