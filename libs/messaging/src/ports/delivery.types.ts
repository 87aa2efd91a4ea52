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

/** How a failing handler is retried before its message is dead-lettered. */
export interface RetryPolicy {
  maxAttempts: number;
  initialDelayMs: number;
  maxDelayMs: number;
}

export interface DeadLetter {
  /** The message as it arrived, byte for byte (it may not even be valid JSON). */
  raw: string;
  reason: string;
  /** Topic or queue it came from. */
  source: string;
  messageId?: string;
  deadLetteredAt: string;
}

/** Thrown by a handler for a message that can never succeed (fails validation): dead-letter it now, no retries. */
export class PoisonMessageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PoisonMessageError';
  }
}
