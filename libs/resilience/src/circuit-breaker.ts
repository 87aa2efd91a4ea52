// A circuit breaker per dependency: opossum underneath, a small typed API on top.
import CircuitBreaker from 'opossum';
import { BreakerOpenError, BreakerTimeoutError } from './breaker-errors';

export type BreakerState = 'closed' | 'open' | 'half-open';
export type BreakerEvent = 'open' | 'halfOpen' | 'close';

export interface BreakerOptions<TInput, TResult> {
  /** Names the dependency in errors, logs and metrics, e.g. "payment-provider". */
  name: string;
  /** Calls slower than this fail with BreakerTimeoutError and count as failures. Default 3000. */
  timeoutMs?: number;
  /** Failure rate (over the rolling window) above which the breaker opens. Default 50. */
  errorThresholdPercentage?: number;
  /** How long it stays open before letting one trial call through. Default 10000. */
  resetTimeoutMs?: number;
  /** Minimum calls in the window before it may open, so one early failure cannot trip it. Default 5. */
  volumeThreshold?: number;
  /** Length of the rolling statistics window. Default 10000. */
  rollingCountTimeoutMs?: number;
  /**
   * Replaces a failure with a value (a typed failure like `{ ok: false, reason: 'UNAVAILABLE' }`,
   * or a degraded answer). Gets BreakerOpenError, BreakerTimeoutError or the action's error.
   */
  fallback?: (error: unknown, input: TInput) => TResult | Promise<TResult>;
  /** Errors that mean "the dependency works, the answer is no": rethrown as is, never counted. */
  isBusinessFailure?: (error: unknown) => boolean;
  onStateChange?: (state: BreakerState, name: string) => void;
}

/** Counts over the rolling window, for logs and metrics. */
export interface BreakerStats {
  name: string;
  state: BreakerState;
  fires: number;
  successes: number;
  failures: number;
  timeouts: number;
  rejects: number;
  fallbacks: number;
  latencyMeanMs: number;
}

export interface Breaker<TInput, TResult> {
  readonly name: string;
  /**
   * Resolves with the action's value (or the fallback's); rejects with BreakerOpenError,
   * BreakerTimeoutError or the action's own error.
   */
  fire(input: TInput): Promise<TResult>;
  state(): BreakerState;
  stats(): BreakerStats;
  /** Subscribes to a state change; returns the unsubscribe function. */
  on(event: BreakerEvent, listener: () => void): () => void;
  /** Stops its timers; later calls fail with BreakerOpenError. */
  shutdown(): void;
}

export const breakerDefaults = {
  timeoutMs: 3000,
  errorThresholdPercentage: 50,
  resetTimeoutMs: 10_000,
  volumeThreshold: 5,
  rollingCountTimeoutMs: 10_000,
} as const;

/** One fire(): carries its own AbortController, so a timeout cancels only the call that timed out. */
interface Call<TInput> {
  input: TInput;
  controller: AbortController;
  timeoutError?: BreakerTimeoutError;
}

/** The code of an error opossum raised itself (EOPENBREAKER, ETIMEDOUT, ESHUTDOWN), else undefined. */
const ownCode = (error: unknown): string | undefined =>
  error instanceof Error && CircuitBreaker.isOurError(error) ? (error as Error & { code?: string }).code : undefined;

const stateOfEvent: Record<BreakerEvent, BreakerState> = { open: 'open', halfOpen: 'half-open', close: 'closed' };

/**
 * Wraps `action` in a breaker. The action gets an AbortSignal that fires on timeout.
 * Business outcomes should be returned as values (they are successes); thrown errors
 * matched by `isBusinessFailure` are passed through without counting as failures.
 */
export function createBreaker<TInput = void, TResult = unknown>(
  action: (input: TInput, signal: AbortSignal) => Promise<TResult>,
  options: BreakerOptions<TInput, TResult>,
): Breaker<TInput, TResult> {
  const { name, fallback, isBusinessFailure, onStateChange } = options;
  const timeoutMs = options.timeoutMs ?? breakerDefaults.timeoutMs;

  const translate = (error: unknown, call: Call<TInput>): unknown => {
    const code = ownCode(error);
    if (code === undefined) return error;
    if (code === 'ETIMEDOUT') return call.timeoutError ?? new BreakerTimeoutError(name, timeoutMs);
    if (code === 'ESHUTDOWN') return new BreakerOpenError(name, `Circuit breaker ${name} is shut down`);
    return new BreakerOpenError(name);
  };

  const circuit = new CircuitBreaker<[Call<TInput>], TResult>(
    (call) => action(call.input, call.controller.signal),
    {
      name,
      timeout: timeoutMs,
      errorThresholdPercentage: options.errorThresholdPercentage ?? breakerDefaults.errorThresholdPercentage,
      resetTimeout: options.resetTimeoutMs ?? breakerDefaults.resetTimeoutMs,
      volumeThreshold: options.volumeThreshold ?? breakerDefaults.volumeThreshold,
      rollingCountTimeout: options.rollingCountTimeoutMs ?? breakerDefaults.rollingCountTimeoutMs,
      enableSnapshots: false,
      // opossum treats a filtered error as a success: exactly what a business "no" is.
      errorFilter: (error: unknown) => ownCode(error) === undefined && isBusinessFailure?.(error) === true,
    },
  );

  // opossum's own abortController is shared by all calls; aborting per call is more precise.
  // A timeout is also reported as a 'failure' (with the call's arguments) before any fallback runs.
  circuit.on('failure', (error, _latency, [call]) => {
    if (ownCode(error) !== 'ETIMEDOUT') return;
    call.timeoutError = new BreakerTimeoutError(name, timeoutMs);
    call.controller.abort(call.timeoutError);
  });

  if (fallback) {
    circuit.fallback((call: Call<TInput>, error: unknown) => fallback(translate(error, call), call.input));
  }

  const state = (): BreakerState => (circuit.opened ? 'open' : circuit.halfOpen ? 'half-open' : 'closed');

  const on = (event: BreakerEvent, listener: () => void): (() => void) => {
    const wrapped = () => listener();
    // The typings overload on() per event name; every state event listener may ignore its arguments.
    circuit.on(event as 'open', wrapped);
    return () => {
      circuit.off(event, wrapped);
    };
  };

  if (onStateChange) {
    for (const event of Object.keys(stateOfEvent) as BreakerEvent[]) {
      on(event, () => onStateChange(stateOfEvent[event], name));
    }
  }

  return {
    name,
    async fire(input) {
      const call: Call<TInput> = { input, controller: new AbortController() };
      try {
        return await circuit.fire(call);
      } catch (error) {
        throw translate(error, call);
      }
    },
    state,
    stats() {
      const s = circuit.stats;
      return {
        name,
        state: state(),
        fires: s.fires,
        successes: s.successes,
        failures: s.failures,
        timeouts: s.timeouts,
        rejects: s.rejects,
        fallbacks: s.fallbacks,
        latencyMeanMs: s.latencyMean,
      };
    },
    on,
    shutdown: () => circuit.shutdown(),
  };
}
