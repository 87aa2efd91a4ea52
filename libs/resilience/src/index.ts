// Public surface of @saga/resilience: timeouts, retry with backoff, circuit breakers.
export { TimeoutError, withTimeout } from './timeout';
export { retry, backoffDelay } from './retry';
export type { BackoffOptions, RetryOptions } from './retry';
export { BreakerOpenError, BreakerTimeoutError } from './breaker-errors';
export { createBreaker, breakerDefaults } from './circuit-breaker';
export type { Breaker, BreakerEvent, BreakerOptions, BreakerState, BreakerStats } from './circuit-breaker';
export { eventually } from './eventually';
