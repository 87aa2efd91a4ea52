// POST /v1/refunds: lock the charge, decide the refund, record it with the charge's new total, its key and its answer.
import { decideRefund } from '../domain/charge-rules';
import { endpoints } from '../domain/idempotency-rules';
import type { RefundParams } from '../domain/provider-objects';
import { findCharge, saveAmountRefunded } from '../store/charge.repository';
import { insertRefund } from '../store/refund.repository';
import { runIdempotent, type IdempotentOutcome } from './idempotent-request';
import type { ProviderBooks } from './provider-books';

export function createRefund(books: ProviderBooks, key: string, params: RefundParams): Promise<IdempotentOutcome> {
  return runIdempotent(books, { key, endpoint: endpoints.refund, params }, async (tx, now) => {
    // Locked: two refunds of one charge (with different keys) decide one after the other, never both on the same total.
    const charge = await findCharge(tx, params.charge, { lock: true });
    const decision = decideRefund(charge, params, { id: books.newId('re'), now });
    if (decision.kind === 'refunded') {
      await saveAmountRefunded(tx, decision.charge);
      await insertRefund(tx, decision.refund, key, now);
    }
    return decision.response;
  });
}
