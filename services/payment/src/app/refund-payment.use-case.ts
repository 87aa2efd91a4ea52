// refund: refund exactly what the order was charged; with no charge on record, void the charge's key at the provider
// (which names the charge if it exists) so nothing can be charged later; then record REFUNDED and reply.
import { PaymentRefunded, type RefundPayment } from '@saga/contracts';
import { enqueueOutbox, markProcessed, wasProcessed } from '@saga/messaging';
import { withCorrelation } from '@saga/platform';
import type { z } from 'zod';
import { applyRefund, decideRefund, type RefundResult } from '../domain/refund';
import { findPayment, savePayment, withOrderLock } from '../store/payment-repository';
import { replyMeta, StalePaymentError, type IncomingCommand, type PaymentUseCaseDeps } from './incoming-command';
import { chargeKey, refundKey, type ProviderCharge } from './payment-provider.port';

export type RefundPaymentPayload = z.infer<typeof RefundPayment.schema>;

/** The provider could not refund (or could not say whether there is a charge): thrown, so the message is retried. */
export class RefundNotPossibleError extends Error {
  override readonly name = 'RefundNotPossibleError';
}

export interface RefundHandled {
  result: 'processed' | 'duplicate';
  refundedCents?: number;
}

export function refundPaymentUseCase(deps: PaymentUseCaseDeps) {
  const envelopeDeps = { now: () => deps.clock.now(), newId: deps.newId };

  async function refundAtProvider(orderId: string, chargeId: string, amountCents: number): Promise<void> {
    const refunded = await deps.provider.refund({ idempotencyKey: refundKey(orderId), chargeId, amountCents });
    if (!refunded.ok) throw new RefundNotPossibleError(`refund of order ${orderId} failed (${refunded.reason}): ${refunded.message}`);
  }

  /** Refunds what is left of a charge the provider reported; the result is what the charge has been refunded in all. */
  async function refundRemainder(orderId: string, charge: ProviderCharge): Promise<RefundResult> {
    if (charge.status !== 'succeeded') return { kind: 'nothing-charged' };
    const remaining = charge.amountCents - charge.refundedCents;
    // Nothing left: an earlier attempt (or reconciliation) refunded it already; its answer was lost, not the money.
    if (remaining > 0) await refundAtProvider(orderId, charge.chargeId, remaining);
    return { kind: 'refunded', chargeId: charge.chargeId, amountCents: charge.amountCents };
  }

  /** No charge on record: the charge may have happened, or still be on its way to the provider. Void its key. */
  async function settleUncertainCharge(orderId: string): Promise<RefundResult> {
    const settled = await deps.provider.voidCharge(chargeKey(orderId));
    if (!settled.ok) throw new RefundNotPossibleError(`cannot settle the charge of order ${orderId} (${settled.reason}): ${settled.message}`);
    return settled.voided ? { kind: 'nothing-charged' } : refundRemainder(orderId, settled.charge);
  }

  return async function refundPayment(command: IncomingCommand<RefundPaymentPayload>): Promise<RefundHandled> {
    const { message } = command;
    const { orderId, sagaId } = message.payload;
    const log = withCorrelation(deps.logger, { orderId, sagaId });

    // A redelivery of a handled refund is skipped before any provider call.
    if (await wasProcessed(deps.db, command.consumer, message.messageId)) {
      log.info({ messageId: message.messageId }, 'RefundPayment already handled; skipped');
      return { result: 'duplicate' };
    }
    const decision = decideRefund(await findPayment(deps.db, orderId));
    // The `refund` fault hook, before any provider call and only when there is provider work (a refund already
    // recorded is just replayed). A compensation cannot be refused, so an injected error or timeout is thrown:
    // nothing is written, and the delivery rule retries (12 attempts by default) until the rule runs out.
    if (decision.kind !== 'done') await deps.faults?.beforeOperation('refund');
    let result: RefundResult | undefined;
    if (decision.kind === 'refund') {
      await refundAtProvider(orderId, decision.chargeId, decision.amountCents);
      result = { kind: 'refunded', chargeId: decision.chargeId, amountCents: decision.amountCents };
    } else if (decision.kind === 'void-charge') {
      result = await settleUncertainCharge(orderId);
    }

    const refundedCents = await withOrderLock(deps.db, orderId, async (tx) => {
      if (!(await markProcessed(tx, command.consumer, message.messageId))) return undefined;
      const current = await findPayment(tx, orderId);
      let refunded: number;
      if (result) {
        const recorded = applyRefund(current, { orderId, sagaId, channel: command.channel }, result, { paymentId: deps.newId() }, deps.clock.now());
        if (recorded.kind === 'stale') throw new StalePaymentError(`refund of order ${orderId}: ${recorded.reason}`);
        if (recorded.changed) await savePayment(tx, recorded.payment, current === undefined);
        refunded = recorded.refundedCents;
      } else {
        const again = decideRefund(current);
        if (again.kind !== 'done') throw new StalePaymentError(`payment of order ${orderId} changed while being read`);
        refunded = again.amountCents;
      }
      const envelope = PaymentRefunded.create({ orderId, sagaId, amountCents: refunded }, replyMeta(message), envelopeDeps);
      await enqueueOutbox(tx, [command.route(envelope)]);
      return refunded;
    });
    if (refundedCents === undefined) {
      log.info({ messageId: message.messageId }, 'RefundPayment handled meanwhile by another delivery; skipped');
      return { result: 'duplicate' };
    }
    log.info({ refundedCents }, 'RefundPayment handled');
    return { result: 'processed', refundedCents };
  };
}
