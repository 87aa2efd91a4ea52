// The typed failures a circuit breaker adds on top of the action's own errors.
import { TimeoutError } from './timeout';

/** The breaker is open (or shut down): the call failed fast and the action was not called. */
export class BreakerOpenError extends Error {
  override readonly name: string = 'BreakerOpenError';

  constructor(readonly breaker: string, message = `Circuit breaker ${breaker} is open`) {
    super(message);
  }
}

/** The action ran past the breaker's timeout; it is a TimeoutError, so generic handling applies. */
export class BreakerTimeoutError extends TimeoutError {
  override readonly name: string = 'BreakerTimeoutError';

  constructor(readonly breaker: string, timeoutMs: number) {
    super(breaker, timeoutMs, `Circuit breaker ${breaker}: call timed out after ${timeoutMs} ms`);
  }
}
