// RabbitMQ adapter: decodes ChargePayment / RefundPayment from payment.commands and calls the same use cases any transport would.
import { queueBindings, ChargePayment, RefundPayment, routingKeys, type MessageContract, type MessageEnvelope } from '@saga/contracts';
import { PoisonMessageError, type CommandConsumer, type ConsumedCommand, type RetryPolicy } from '@saga/messaging';
import type { IncomingCommand } from '../app/incoming-command';
import type { ChargePaymentPayload } from '../app/charge-payment.use-case';
import type { RefundPaymentPayload } from '../app/refund-payment.use-case';

/** Dedup name for the processed-messages table. */
export const PAYMENT_COMMANDS_CONSUMER = 'payment.commands';

export interface PaymentCommandHandlers {
  charge: (command: IncomingCommand<ChargePaymentPayload>) => Promise<unknown>;
  refund: (command: IncomingCommand<RefundPaymentPayload>) => Promise<unknown>;
}

/** Validates against the contract; a message that breaks it can never succeed, so it is dead-lettered at once. */
export function parseOrPoison<P>(contract: MessageContract<string, P>, envelope: MessageEnvelope): MessageEnvelope<P> {
  const parsed = contract.parse(envelope);
  if (!parsed.ok) throw new PoisonMessageError(parsed.reason);
  return parsed.message;
}

export function paymentCommandConsumer(handlers: PaymentCommandHandlers, options: { prefetch?: number; retry?: Partial<RetryPolicy> } = {}): CommandConsumer {
  return {
    ...queueBindings.paymentCommands,
    ...options,
    handle: async (command: ConsumedCommand) => {
      // Replies go where the sender asked, else to the orchestrator's reply queue; always through the outbox.
      const replyTo = command.replyTo ?? routingKeys.sagaReply;
      const route = (reply: MessageEnvelope) => ({ transport: 'command' as const, routingKey: replyTo, envelope: reply });
      const { envelope } = command;
      if (ChargePayment.is(envelope)) {
        await handlers.charge({ message: parseOrPoison(ChargePayment, envelope), consumer: PAYMENT_COMMANDS_CONSUMER, route, channel: 'command' });
      } else if (RefundPayment.is(envelope)) {
        await handlers.refund({ message: parseOrPoison(RefundPayment, envelope), consumer: PAYMENT_COMMANDS_CONSUMER, route, channel: 'command' });
      } else {
        throw new PoisonMessageError(`payment does not handle ${envelope.type} (routing key ${command.routingKey})`);
      }
    },
  };
}
