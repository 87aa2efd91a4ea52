// refund: refund exactly what the order was charged (finding the charge at the provider if we never heard of it), then reply.
import { PaymentRefunded, type RefundPayment } from '@saga/contracts';
import { enqueueOutbox, handleOnce } from '@saga/messaging';
import { withCorrelation } from '@saga/platform';
import type { z } from 'zod';
import { applyRefund, decideRefund, type RefundResult } from '../domain/refund';
import { findPayment, savePayment } from '../store/payment-repository';
import { replyMeta, StalePaymentError, type IncomingCommand, type PaymentUseCaseDeps } from './incoming-command';
import { chargeKey, refundKey } from './payment-provider.port';

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

  async function refundAtProvider(orderId: string, chargeId: string, amountCents: number): Promise<RefundResult> {
    const refunded = await deps.provider.refund({ idempotencyKey: refundKey(orderId), chargeId, amountCents });
    if (!refunded.ok) throw new RefundNotPossibleError(`refund of order ${orderId} failed (${refunded.reason}): ${refunded.message}`);
    return { kind: 'refunded', chargeId, amountCents };
  }

  /** No charge on record: the charge may still have happened (it timed out here but not at the provider). */
  async function refundWhateverWasCharged(orderId: string): Promise<RefundResult> {
    const found = await deps.provider.findCharge(chargeKey(orderId));
    if (!found.ok) throw new RefundNotPossibleError(`cannot tell whether order ${orderId} was charged (${found.reason}): ${found.message}`);
    if (found.charge?.status !== 'succeeded') return { kind: 'nothing-charged' };
    return refundAtProvider(orderId, found.charge.chargeId, found.charge.amountCents);
  }

  return async function refundPayment(command: IncomingCommand<RefundPaymentPayload>): Promise<RefundHandled> {
    const { message } = command;
    const { orderId, sagaId } = message.payload;
    const log = withCorrelation(deps.logger, { orderId, sagaId });

    const decision = decideRefund(await findPayment(deps.db, orderId));
    // The `refund` fault hook, before any provider call and only when there is provider work (a refund already
    // recorded is just replayed). A compensation cannot be refused, so an injected error or timeout is thrown:
    // nothing is written, and the delivery rule retries (12 attempts by default) until the rule runs out.
    if (decision.kind !== 'done') await deps.faults?.beforeOperation('refund');
    let result: RefundResult | undefined;
    if (decision.kind === 'refund') result = await refundAtProvider(orderId, decision.chargeId, decision.amountCents);
    else if (decision.kind === 'find-charge') result = await refundWhateverWasCharged(orderId);

    let refundedCents = 0;
    const handled = await handleOnce(deps.db, command.consumer, message, async (tx) => {
      const current = await findPayment(tx, orderId, { lock: true });
      if (result) {
        const recorded = applyRefund(current, { orderId, sagaId }, result, { paymentId: deps.newId() }, deps.clock.now());
        if (recorded.kind === 'stale') throw new StalePaymentError(`refund of order ${orderId}: ${recorded.reason}`);
        if (recorded.changed) await savePayment(tx, recorded.payment, current === undefined);
        refundedCents = recorded.refundedCents;
      } else {
        const again = decideRefund(current);
        if (again.kind !== 'done') throw new StalePaymentError(`payment of order ${orderId} changed while being read`);
        refundedCents = again.amountCents;
      }
      const envelope = PaymentRefunded.create({ orderId, sagaId, amountCents: refundedCents }, replyMeta(message), envelopeDeps);
      await enqueueOutbox(tx, [command.route(envelope)]);
    });
    if (handled === 'duplicate') {
      log.info({ messageId: message.messageId }, 'RefundPayment already handled; skipped');
      return { result: handled };
    }
    log.info({ refundedCents }, 'RefundPayment handled');
    return { result: handled, refundedCents };
  };
}
