// One delivery rule for every adapter: decode, run the handler with retries, and decide when a message is poison.
import { decodeEnvelope, type MessageEnvelope } from '@saga/contracts';
import { backoffDelay } from '@saga/resilience';
import { PoisonMessageError, type RetryPolicy } from './ports/delivery.types';

export const defaultRetryPolicy: RetryPolicy = { maxAttempts: 8, initialDelayMs: 50, maxDelayMs: 2_000 };

export type DeliveryOutcome =
  | { kind: 'processed' }
  /** The subscription closed while retrying: leave the message unacknowledged so it is delivered again. */
  | { kind: 'stopped' }
  | { kind: 'dead-letter'; reason: string; messageId?: string };

export interface DeliveryInput {
  raw: Buffer | string | null;
  handle: (envelope: MessageEnvelope, attempt: number) => Promise<void>;
  policy: RetryPolicy;
  isStopped: () => boolean;
  /** Called while waiting between retries (Kafka uses it to heartbeat so the group keeps the partition). */
  onWait?: () => Promise<void>;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const realSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with full jitter: spreads retries of many consumers instead of synchronising them. */
export function retryDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  return backoffDelay(attempt, { baseDelayMs: policy.initialDelayMs, maxDelayMs: policy.maxDelayMs, jitter: 'full' }, random);
}

export async function deliver(input: DeliveryInput): Promise<DeliveryOutcome> {
  const decoded = decodeEnvelope(input.raw);
  if (!decoded.ok) return { kind: 'dead-letter', reason: decoded.reason };
  const { envelope } = decoded;
  const sleep = input.sleep ?? realSleep;
  for (let attempt = 1; ; attempt += 1) {
    if (input.isStopped()) return { kind: 'stopped' };
    try {
      await input.handle(envelope, attempt);
      return { kind: 'processed' };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof PoisonMessageError) {
        return { kind: 'dead-letter', reason: `POISON: ${message}`, messageId: envelope.messageId };
      }
      if (attempt >= input.policy.maxAttempts) {
        return { kind: 'dead-letter', reason: `HANDLER_FAILED after ${attempt} attempts: ${message}`, messageId: envelope.messageId };
      }
      await sleep(retryDelay(attempt, input.policy, input.random));
      await input.onWait?.();
    }
  }
}

export function resolvePolicy(overrides: Partial<RetryPolicy> | undefined): RetryPolicy {
  return { ...defaultRetryPolicy, ...overrides };
}
