// Port for point-to-point commands and replies (RabbitMQ in production, an in-memory twin for `npm start` and unit tests).
import type { MessageEnvelope } from '@saga/contracts';
import type { DeadLetter, RedriveOutcome, RetryPolicy, Subscription } from './delivery.types';

export interface QueueSpec {
  queue: string;
  /** Routing keys on the commands exchange that land in this queue. */
  bindings: readonly string[];
}

export interface ConsumedCommand {
  queue: string;
  routingKey: string;
  envelope: MessageEnvelope;
  /** Routing key the sender wants the reply on, if any. */
  replyTo?: string;
  /** True when the broker delivered this before and it was not acknowledged (e.g. a consumer crashed). */
  redelivered: boolean;
  attempt: number;
}

export interface CommandConsumer extends QueueSpec {
  /** At most this many unacknowledged messages in flight per consumer. */
  prefetch?: number;
  /** The message is acknowledged only after this resolves. */
  handle: (command: ConsumedCommand) => Promise<void>;
  retry?: Partial<RetryPolicy>;
}

/** The broker accepted the message but no queue is bound to its routing key: it would have been lost. */
export class UnroutableMessageError extends Error {
  constructor(readonly routingKey: string) {
    super(`no queue is bound to routing key "${routingKey}"`);
    this.name = 'UnroutableMessageError';
  }
}

export interface SendOptions {
  replyTo?: string;
  /** W3C trace context for the message's `traceparent` header (the relay's producer span). */
  traceparent?: string;
}

export interface CommandBus {
  /** Declares a durable queue and its bindings (idempotent), so messages can be routed before its consumer starts. */
  ensureQueue(spec: QueueSpec): Promise<void>;
  /** Resolves once the broker confirmed the message; rejects with UnroutableMessageError if no queue takes it. */
  send(routingKey: string, envelope: MessageEnvelope, options?: SendOptions): Promise<void>;
  consume(consumer: CommandConsumer): Promise<Subscription>;
  /** The dead-letter queue's contents, oldest first, without removing them. */
  peekDeadLetters(): Promise<DeadLetter[]>;
  /**
   * Sends one dead letter back to the queue it came from (confirmed), then removes it from the dead-letter queue: a
   * second call finds nothing ('not-found'). Rejects with UnroutableMessageError when that queue no longer exists.
   */
  redriveDeadLetter(id: string): Promise<RedriveOutcome>;
  close(): Promise<void>;
}
