// What a transport adapter hands a use case: the validated message, its dedup name, and where the reply goes.
import type { MessageEnvelope } from '@saga/contracts';
import type { SqlClient } from '@saga/db';
import type { OutboxMessage } from '@saga/messaging';
import type { Logger } from '@saga/platform';
import type { Clock } from './clock';
import type { PaymentProvider } from './payment-provider.port';

export interface IncomingCommand<P> {
  message: MessageEnvelope<P>;
  /** The consumer name the message is deduplicated under (e.g. 'payment.commands'). */
  consumer: string;
  /** Turns the reply into an outbox message: RabbitMQ sends it to the command's replyTo, Kafka would publish an event. */
  route: (reply: MessageEnvelope) => OutboxMessage;
  /** The transport the order's saga uses: later messages about the order (a reconciliation note) go the same way. */
  channel: 'command' | 'event';
}

export interface PaymentUseCaseDeps {
  db: SqlClient;
  provider: PaymentProvider;
  clock: Clock;
  newId: () => string;
  logger: Logger;
  /** Fault injection before the charge / refund steps' provider work (a FaultInjector fits); none by default. */
  faults?: StepFaults;
}

/** Throws InjectedFaultError / InjectedTimeoutError from @saga/faults when a rule fires; resolves otherwise (after any delay). */
export interface StepFaults {
  beforeOperation(operation: 'charge' | 'refund'): Promise<void>;
}

/** A reply's envelope meta: correlated by order, caused by the command, in the command's trace. */
export function replyMeta(message: MessageEnvelope<{ orderId: string }>) {
  return {
    correlationId: message.payload.orderId,
    causationId: message.messageId,
    ...(message.traceparent === undefined ? {} : { traceparent: message.traceparent }),
  };
}

/** The row changed between reading it and recording the outcome in a way that invalidates the decision: run again. */
export class StalePaymentError extends Error {
  override readonly name = 'StalePaymentError';
}
