// charge: claim the order's charge (inbox checked first), ask the provider outside any transaction, then record the
// first outcome and reply in one transaction. The provider is never called for a message already handled.
import { PaymentCompleted, PaymentFailed, type ChargePayment } from '@saga/contracts';
import { InjectedFaultError, InjectedTimeoutError } from '@saga/faults';
import { enqueueOutbox, markProcessed, wasProcessed } from '@saga/messaging';
import { withCorrelation } from '@saga/platform';
import type { SqlExecutor } from '@saga/db';
import type { z } from 'zod';
import { applyChargeOutcome, decideCharge, type ChargeOutcome, type ChargeReply, type ChargeRequest } from '../domain/payment';
import { findPayment, savePayment, withOrderLock } from '../store/payment-repository';
import { replyMeta, type IncomingCommand, type PaymentUseCaseDeps } from './incoming-command';
import { chargeKey } from './payment-provider.port';

export type ChargePaymentPayload = z.infer<typeof ChargePayment.schema>;

export interface ChargeHandled {
  result: 'processed' | 'duplicate';
  reply?: ChargeReply;
}

export function chargePaymentUseCase(deps: PaymentUseCaseDeps) {
  const envelopeDeps = { now: () => deps.clock.now(), newId: deps.newId };

  /**
   * The `charge` fault hook, where the provider would be called: after the claim (a recorded answer never changes
   * because a rule fired) and before any side effect.
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
    const request: ChargeRequest = { orderId, sagaId, customerId, amountCents, currency, channel: command.channel };
    const log = withCorrelation(deps.logger, { orderId, sagaId });

    const enqueueReply = async (tx: SqlExecutor, reply: ChargeReply) => {
      const envelope =
        reply.type === 'PaymentCompleted'
          ? PaymentCompleted.create({ orderId, sagaId, paymentId: reply.paymentId, amountCents: reply.amountCents }, replyMeta(message), envelopeDeps)
          : PaymentFailed.create({ orderId, sagaId, reason: reply.reason, message: reply.message.slice(0, 500) }, replyMeta(message), envelopeDeps);
      await enqueueOutbox(tx, [command.route(envelope)]);
    };

    // 1. Under the order's lock: a message already handled is skipped before anything else (its outcome was recorded
    //    and answered); a recorded outcome is answered again; otherwise the charge is claimed (CHARGING), committed
    //    before the provider is called, so a refund that comes meanwhile knows a charge may be in flight.
    const claim = await withOrderLock(deps.db, orderId, async (tx) => {
      if (await wasProcessed(tx, command.consumer, message.messageId)) return { kind: 'duplicate' as const };
      const decision = decideCharge(await findPayment(tx, orderId), request, { paymentId: deps.newId() }, deps.clock.now());
      if (decision.kind === 'reply') {
        await markProcessed(tx, command.consumer, message.messageId);
        await enqueueReply(tx, decision.reply);
      }
      if (decision.kind === 'claim') await savePayment(tx, decision.payment, true);
      return decision;
    });
    if (claim.kind === 'duplicate') {
      log.info({ messageId: message.messageId }, 'ChargePayment already handled; skipped');
      return { result: 'duplicate' };
    }
    if (claim.kind === 'reply') {
      log.info({ reply: claim.reply.type }, 'charge already decided; recorded outcome answered again');
      return { result: 'processed', reply: claim.reply };
    }

    // 2. The provider, outside any transaction (a network call), with the order's idempotency key.
    const outcome =
      (await injectedChargeFault()) ??
      (await deps.provider.charge({ idempotencyKey: chargeKey(orderId), orderId, amountCents, currency, token: paymentToken }));
    log.info({ outcome: outcome.ok ? 'CHARGED' : outcome.reason }, 'provider answered the charge');

    // 3. Record (the first outcome wins), deduplicate and reply atomically, against the row as it is now.
    const recorded = await withOrderLock(deps.db, orderId, async (tx) => {
      if (!(await markProcessed(tx, command.consumer, message.messageId))) return undefined;
      const current = await findPayment(tx, orderId);
      const result = applyChargeOutcome(current, request, outcome, { paymentId: deps.newId() }, deps.clock.now());
      if (result.changed) await savePayment(tx, result.payment, current === undefined);
      await enqueueReply(tx, result.reply);
      return result.reply;
    });
    if (!recorded) {
      log.info({ messageId: message.messageId }, 'ChargePayment handled meanwhile by another delivery; skipped');
      return { result: 'duplicate' };
    }
    log.info({ reply: recorded.type, reason: recorded.type === 'PaymentFailed' ? recorded.reason : undefined }, 'ChargePayment handled');
    return { result: 'processed', reply: recorded };
  };
}
