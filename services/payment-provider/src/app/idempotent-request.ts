// Runs a write endpoint under its Idempotency-Key: the key row is locked, and the work and the answer commit together.
import type { SqlExecutor } from '@saga/db';
import { canonicalJson, decideKeyUse, type Endpoint } from '../domain/idempotency-rules';
import type { ProviderResponse } from '../domain/provider-objects';
import { claimKey, rememberResponse } from '../store/idempotency-key.repository';
import type { ProviderBooks } from './provider-books';

export type IdempotentOutcome = { kind: 'fresh' | 'replayed' | 'refused'; response: ProviderResponse };

export interface IdempotentRequest {
  key: string;
  endpoint: Endpoint;
  params: unknown;
}

/**
 * One transaction: claim and lock the key, then replay its answer, refuse (other parameters, voided key), or run `work`
 * on the same transaction and remember its answer. A concurrent request with the same key waits on the lock and then
 * replays, so `work` runs at most once per key.
 */
export function runIdempotent(
  books: ProviderBooks,
  request: IdempotentRequest,
  work: (tx: SqlExecutor, now: Date) => Promise<ProviderResponse>,
): Promise<IdempotentOutcome> {
  return books.db.transaction(async (tx) => {
    const now = books.clock.now();
    const fingerprint = canonicalJson(request.params);
    const decision = decideKeyUse(request.key, await claimKey(tx, request.key, now), request.endpoint, fingerprint);
    if (decision.kind !== 'fresh') return decision;
    const response = await work(tx, now);
    await rememberResponse(tx, request.key, request.endpoint, fingerprint, response);
    return { kind: 'fresh', response };
  });
}
