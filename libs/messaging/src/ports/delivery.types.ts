// Types shared by both messaging ports: subscriptions, retry policy and dead letters.

export interface Subscription {
  /** Stops consuming; a message in flight is not acknowledged unless its handler finished. */
  close(): Promise<void>;
  /**
   * Whether the consumer is attached to its broker and receiving right now. False while it is being rebuilt after a
   * crash, a lost group membership or a closed channel (it comes back by itself): a service is not ready meanwhile.
   */
  isRunning(): boolean;
}

/** Attempts and the waits between them: exponential from initialDelayMs, capped at maxDelayMs, with equal jitter. */
export interface RetryBudget {
  /** Finite: every message ends, processed or dead-lettered (a dead letter can be re-driven). */
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

/**
 * How a failing handler is retried before its message is dead-lettered. The top-level budget is for ordinary failures
 * (a bug, a precondition not met yet); `transient` is a separate, longer budget for infrastructure that is briefly away
 * (a database restarting, a connection refused or reset), so a restart of a few seconds never dead-letters a message.
 */
export interface RetryPolicy extends RetryBudget {
  transient: RetryBudget;
  /**
   * The most one attempt may take. Never enforced by abandoning a running attempt (it cannot be cancelled, and its
   * transaction may still commit): the I/O timeouts inside it (database, provider, channel) keep it short, a start-up
   * check proves the whole retry schedule fits under the broker's limits, and an attempt over it is logged.
   */
  attemptTimeoutMs: number;
}

export interface DeadLetter {
  /**
   * Stable id to re-drive it by, unique within its dead-letter store: RabbitMQ `x-dead-letter-id` (set when it is
   * dead-lettered; a hash of its death for letters the broker parked), Kafka `<dead-letter topic>:<partition>:<offset>`.
   */
  id: string;
  /** The message as it arrived, byte for byte (it may not even be valid JSON). */
  raw: string;
  reason: string;
  /** Topic or queue it came from. */
  source: string;
  messageId?: string;
  /** Handler attempts before it was parked: 0 for bytes that are not an envelope; absent when the broker parked it. */
  attempts?: number;
  deadLetteredAt: string;
  /** When it was re-driven (Kafka keeps the letter in its log and marks it; RabbitMQ removes it from the queue). */
  redrivenAt?: string;
}

/** What re-driving a dead letter did: sent back to its consumer, nothing (done before), or no such letter. */
export type RedriveOutcome = 'redriven' | 'already-redriven' | 'not-found';

/** Thrown by a handler for a message that can never succeed (fails validation): dead-letter it now, no retries. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}
