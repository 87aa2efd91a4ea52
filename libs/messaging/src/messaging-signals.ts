// What the messaging code reports as it runs (a duplicate dropped, a message dead-lettered), for whoever counts it.
import { serviceOfConsumer } from '@saga/contracts';

export interface DuplicateDropped {
  /** The inbox consumer name, `<service>.<what>` (e.g. order.saga-replies). */
  consumer: string;
}

export interface DeadLettered {
  broker: 'rabbitmq' | 'kafka' | 'in-memory';
  /** The queue or topic it was consumed from. */
  source: string;
  /** The consumer group (Kafka), when there is one. */
  group?: string;
  /** Low-cardinality: invalid_envelope, poison, handler_failed. */
  reason: 'invalid_envelope' | 'poison' | 'handler_failed';
}

export interface MessagingListener {
  duplicateDropped?(signal: DuplicateDropped): void;
  deadLettered?(signal: DeadLettered): void;
}

const listeners = new Set<MessagingListener>();

/** Listens to every signal of this process; returns the function that stops listening. */
export function onMessagingSignals(listener: MessagingListener): () => void {
  listeners.add(listener);
  return () => void listeners.delete(listener);
}

export const messagingSignals = {
  duplicateDropped(signal: DuplicateDropped): void {
    for (const listener of listeners) listener.duplicateDropped?.(signal);
  },
  deadLettered(signal: DeadLettered): void {
    for (const listener of listeners) listener.deadLettered?.(signal);
  },
};

/** The service an inbox consumer name (`<service>.<what>`) belongs to. */
export const serviceOfInboxConsumer = (consumer: string): string => consumer.split('.')[0] ?? consumer;

/** The service that consumed a dead-lettered message, when the platform owns its queue or group. */
export const serviceOfDeadLetter = (signal: DeadLettered): string | undefined => serviceOfConsumer(signal.group ?? signal.source);
