// POST /v1/charges/void: a client that gave up on a charge makes sure its key can never charge later (or learns it did).
import { decideVoid, voidAnswer } from '../domain/idempotency-rules';
import type { ProviderResponse } from '../domain/provider-objects';
import { findChargeByKey } from '../store/charge.repository';
import { claimKey, markVoided } from '../store/idempotency-key.repository';
import type { ProviderBooks } from './provider-books';

/** Takes the same key lock as a charge, so a void and a charge with one key are decided one after the other. */
export function voidChargeKey(books: ProviderBooks, key: string): Promise<ProviderResponse> {
  return books.db.transaction(async (tx) => {
    const now = books.clock.now();
    const state = await claimKey(tx, key, now);
    const decision = decideVoid(key, state, await findChargeByKey(tx, key));
    if (decision.kind === 'refused') return decision.response;
    if (decision.kind === 'charged') return voidAnswer(key, decision.charge);
    await markVoided(tx, key, now);
    return voidAnswer(key, null);
  });
}
