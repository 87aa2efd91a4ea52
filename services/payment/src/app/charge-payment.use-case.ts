// charge: look up the order's payment, ask the provider if there is no final outcome, then record it and reply in one transaction.
import { PaymentCompleted, PaymentFailed, type ChargePayment } from '@saga/contracts';
import { InjectedFaultError, InjectedTimeoutError } from '@saga/faults';
import { enqueueOutbox, handleOnce } from '@saga/messaging';
import { withCorrelation } from '@saga/platform';
import type { z } from 'zod';
import { applyChargeOutcome, decideCharge, type ChargeOutcome, type ChargeReply } from '../domain/payment';
import { findPayment, savePayment } from '../store/payment-repository';
import { replyMeta, StalePaymentError, type IncomingCommand, type PaymentUseCaseDeps } from './incoming-command';
import { chargeKey } from './payment-provider.port';

export type ChargePaymentPayload = z.infer<typeof ChargePayment.schema>;

export interface ChargeHandled {
  result: 'processed' | 'duplicate';
  reply?: ChargeReply;
}

export function chargePaymentUseCase(deps: PaymentUseCaseDeps) {
  const envelopeDeps = { now: () => deps.clock.now(), newId: deps.newId };

  /**
   * The `charge` fault hook, where the provider would be called: after the replay of a final outcome (a recorded answer
   * never changes because a rule fired) and before any side effect. The inbox check comes later, in handleOnce; that
   * is fine here because a message the inbox already applied either has a final outcome (no provider call, no hook)
   * or a FAILED one that is asked again anyway, and handleOnce then discards whatever this delivery computed.
   * error → PROVIDER_UNAVAILABLE: the provider certainly did not take the request (not charged, no refund needed).
   * timeout → TIMEOUT, exactly like the provider not answering in time: the outcome is unknown.
   */
  async function injectedChargeFault(): Promise<ChargeOutcome | undefined> {
    try {
      await deps.faults?.beforeOperation('charge');
      return undefined;
    } catch (error) {
      if (error instanceof InjectedFaultError) return { ok: false, reason: 'PROVIDER_UNAVAILABLE', message: `${error.message}; payment provider not called` };
      if (error instanceof InjectedTimeoutError) return { ok: false, reason: 'TIMEOUT', message: `${error.message}; outcome unknown` };
      throw error;
    }
  }

  return async function chargePayment(command: IncomingCommand<ChargePaymentPayload>): Promise<ChargeHandled> {
    const { message } = command;
    const { orderId, sagaId, customerId, amountCents, currency, paymentToken } = message.payload;
    const log = withCorrelation(deps.logger, { orderId, sagaId });

    // 1. Replay a final outcome; otherwise 2. ask the provider, outside any transaction (it is a network call).
    const decision = decideCharge(await findPayment(deps.db, orderId));
    let outcome: ChargeOutcome | undefined;
    if (decision.kind === 'call-provider') {
      outcome = (await injectedChargeFault()) ?? (await deps.provider.charge({ idempotencyKey: chargeKey(orderId), amountCents, currency, token: paymentToken }));
      log.info({ outcome: outcome.ok ? 'CHARGED' : outcome.reason }, 'provider answered the charge');
    }

    // 3. Record, deduplicate and reply atomically, against the row as it is now.
    let reply: ChargeReply | undefined;
    const result = await handleOnce(deps.db, command.consumer, message, async (tx) => {
      const current = await findPayment(tx, orderId, { lock: true });
      if (outcome) {
        const recorded = applyChargeOutcome(current, { orderId, sagaId, customerId, amountCents, currency }, outcome, { paymentId: deps.newId() }, deps.clock.now());
        if (recorded.changed) await savePayment(tx, recorded.payment, current === undefined);
        reply = recorded.reply;
      } else {
        const again = decideCharge(current);
        if (again.kind !== 'reply') throw new StalePaymentError(`payment of order ${orderId} changed while being read`);
        reply = again.reply;
      }
      const envelope =
        reply.type === 'PaymentCompleted'
          ? PaymentCompleted.create({ orderId, sagaId, paymentId: reply.paymentId, amountCents: reply.amountCents }, replyMeta(message), envelopeDeps)
          : PaymentFailed.create({ orderId, sagaId, reason: reply.reason, message: reply.message.slice(0, 500) }, replyMeta(message), envelopeDeps);
      await enqueueOutbox(tx, [command.route(envelope)]);
    });
    if (result === 'duplicate') {
      log.info({ messageId: message.messageId }, 'ChargePayment already handled; skipped');
      return { result };
    }
    log.info({ reply: reply?.type, reason: reply?.type === 'PaymentFailed' ? reply.reason : undefined }, 'ChargePayment handled');
    return { result, ...(reply ? { reply } : {}) };
  };
}
