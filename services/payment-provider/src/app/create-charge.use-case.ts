// POST /v1/charges: decide the charge and record it with its key and its answer, in one transaction.
import { decideCharge } from '../domain/charge-rules';
import { endpoints } from '../domain/idempotency-rules';
import type { ChargeParams } from '../domain/provider-objects';
import { insertCharge } from '../store/charge.repository';
import { runIdempotent, type IdempotentOutcome } from './idempotent-request';
import type { ProviderBooks } from './provider-books';

/** The charge exists once this resolves, whether or not the caller hears back (the latency comes after). */
export function createCharge(books: ProviderBooks, key: string, params: ChargeParams): Promise<IdempotentOutcome> {
  return runIdempotent(books, { key, endpoint: endpoints.charge, params }, async (tx, now) => {
    const decision = decideCharge(params, books, { id: books.newId('ch'), now });
    if (decision.kind === 'recorded') await insertCharge(tx, decision.charge, key, now);
    return decision.response;
  });
}
