// SQL for provider_idempotency_keys: claim-and-lock a key, remember the answer it got, void it.
import type { SqlExecutor } from '@saga/db';
import type { KeyState } from '../domain/idempotency-rules';
import type { ProviderResponse } from '../domain/provider-objects';

interface KeyRow {
  endpoint: string | null;
  fingerprint: string | null;
  response_status: number | null;
  response_body: ProviderResponse['body'] | null;
  voided: boolean;
}

/**
 * Creates the key's row if it is new, then locks it (FOR UPDATE) until the transaction ends: a second request with the
 * same key waits here (on the insert while the first is uncommitted, or on the lock), then sees what the first did.
 */
export async function claimKey(tx: SqlExecutor, key: string, now: Date): Promise<KeyState> {
  await tx.query('INSERT INTO provider_idempotency_keys (key, created_at) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, now]);
  const { rows } = await tx.query<KeyRow>(
    'SELECT endpoint, fingerprint, response_status, response_body, voided FROM provider_idempotency_keys WHERE key = $1 FOR UPDATE',
    [key],
  );
  const row = rows[0];
  if (!row) throw new Error(`Idempotency key row for '${key}' vanished inside its own transaction`);
  return {
    endpoint: row.endpoint,
    fingerprint: row.fingerprint,
    response: row.response_status === null || row.response_body === null ? null : { status: row.response_status, body: row.response_body },
    voided: row.voided,
  };
}

/** The first answer a (claimed) key got, replayed to every later request with the same parameters. */
export async function rememberResponse(tx: SqlExecutor, key: string, endpoint: string, fingerprint: string, response: ProviderResponse): Promise<void> {
  await tx.query(
    'UPDATE provider_idempotency_keys SET endpoint = $2, fingerprint = $3, response_status = $4, response_body = $5 WHERE key = $1',
    [key, endpoint, fingerprint, response.status, response.body],
  );
}

/** Voids a claimed key; a second void keeps the first moment. */
export async function markVoided(tx: SqlExecutor, key: string, now: Date): Promise<void> {
  await tx.query('UPDATE provider_idempotency_keys SET voided = true, voided_at = COALESCE(voided_at, $2) WHERE key = $1', [key, now]);
}
