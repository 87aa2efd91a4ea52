// Retry schedules with a known window: equal jitter, so the time a message is retried has a proven minimum and maximum.
import { backoffDelay } from '@saga/resilience';
import type { RetryBudget, RetryPolicy } from './ports/delivery.types';

/** One handler attempt's budget: above the database's connect + statement timeouts plus one provider or channel call. */
export const DEFAULT_ATTEMPT_TIMEOUT_MS = 15_000;

/**
 * Infrastructure briefly away (PostgreSQL restarting takes 6-10 s): at least 31.9 s and at most 63.8 s of waiting over
 * 13 attempts (250 ms doubling to 8 s), so a restart is ridden out several times over before anything is dead-lettered.
 */
export const transientRetryBudget: RetryBudget = { maxAttempts: 13, initialDelayMs: 250, maxDelayMs: 8_000 };

/** Ordinary failures (a bug, a precondition not met yet) get 8 attempts, 5.7-11.3 s of waiting, then a dead letter. */
export const defaultRetryPolicy: RetryPolicy = {
  maxAttempts: 8,
  initialDelayMs: 100,
  maxDelayMs: 5_000,
  transient: transientRetryBudget,
  attemptTimeoutMs: DEFAULT_ATTEMPT_TIMEOUT_MS,
};

/**
 * Wait after the `failures`-th failure of one kind: base * 2^(failures-1), capped, then equal jitter ([d/2, d]).
 * Full jitter would spread retries as well, but could sum to almost nothing: the window would not be known.
 */
export function retryDelay(failures: number, budget: RetryBudget, random: () => number = Math.random): number {
  return backoffDelay(failures, { baseDelayMs: budget.initialDelayMs, maxDelayMs: budget.maxDelayMs, jitter: 'equal' }, random);
}

/** The shortest and longest total wait between the first attempt and the last one (maxAttempts - 1 waits). */
export function retryWindow(budget: RetryBudget): { minMs: number; maxMs: number } {
  let minMs = 0;
  let maxMs = 0;
  for (let failures = 1; failures < budget.maxAttempts; failures += 1) {
    minMs += retryDelay(failures, budget, () => 0);
    maxMs += backoffDelay(failures, { baseDelayMs: budget.initialDelayMs, maxDelayMs: budget.maxDelayMs, jitter: 'none' });
  }
  return { minMs, maxMs };
}

/**
 * Longest a message can take from its first attempt to its ack or dead letter: both budgets used up (they are counted
 * apart, so up to maxAttempts + transient.maxAttempts - 1 attempts), each attempt at its bound, every wait at its maximum.
 */
export function worstCaseDeliveryMs(policy: RetryPolicy): number {
  const attempts = policy.maxAttempts + policy.transient.maxAttempts - 1;
  return attempts * policy.attemptTimeoutMs + retryWindow(policy).maxMs + retryWindow(policy.transient).maxMs;
}

/** A consumer's overrides on top of the defaults; a partial `transient` keeps the default's other fields. */
export type RetryOverrides = Partial<Omit<RetryPolicy, 'transient'>> & { transient?: Partial<RetryBudget> };

export function resolvePolicy(overrides: RetryOverrides | undefined, base: RetryPolicy = defaultRetryPolicy): RetryPolicy {
  const { transient, ...rest } = overrides ?? {};
  return { ...base, ...rest, transient: { ...base.transient, ...transient } };
}

/** True when no budget is endless: Infinity would hold a message (and a RabbitMQ consumer_timeout) for ever. */
export function isBounded(policy: RetryPolicy): boolean {
  const finite = (n: number) => Number.isFinite(n) && n >= 1;
  return finite(policy.maxAttempts) && finite(policy.transient.maxAttempts) && Number.isFinite(policy.attemptTimeoutMs);
}
