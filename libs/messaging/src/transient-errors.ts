// Which handler failures mean "infrastructure briefly away" (and get the long retry budget) rather than "this failed".
import { sqlState } from '@saga/db';

/**
 * PostgreSQL going away or coming back: 08xxx connection exceptions, 57P01 admin_shutdown (a restart terminates the
 * sessions), 57P02 crash_shutdown, 57P03 cannot_connect_now (starting up), 53300 too_many_connections.
 * Not 40001/40P01: handleOnce already reruns those transactions, and a statement timeout (57014) is not an outage.
 */
const TRANSIENT_SQL_STATES = new Set(['57P01', '57P02', '57P03', '53300']);

/** Socket-level failures: nobody listening, connection dropped, peer unreachable, DNS not answering yet. */
const TRANSIENT_SOCKET_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN', 'ECONNABORTED']);

/** node-postgres reports a dropped or unreachable server with messages, not codes. */
const TRANSIENT_MESSAGES = [
  /Connection terminated/i,
  /timeout exceeded when trying to connect/i,
  /Client has encountered a connection error and is not queryable/i,
  /Query read timeout/i,
  /the database system is (starting up|shutting down|in recovery mode)/i,
];

function isTransientOne(err: object): boolean {
  const code = (err as { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_SOCKET_CODES.has(code)) return true;
  const message = (err as { message?: unknown }).message;
  return typeof message === 'string' && TRANSIENT_MESSAGES.some((pattern) => pattern.test(message));
}

/**
 * True when `err`, anything in its `cause` chain, or any error of an AggregateError (Node's connect tries every address)
 * is a transient infrastructure failure. Looked up by code and message, never instanceof: drivers wrap and minify.
 */
export function isTransientInfrastructureError(err: unknown): boolean {
  const state = sqlState(err);
  if (state !== undefined && (state.startsWith('08') || TRANSIENT_SQL_STATES.has(state))) return true;
  const seen = new Set<unknown>();
  const pending: unknown[] = [err];
  while (pending.length > 0 && seen.size < 20) {
    const current = pending.shift();
    if (typeof current !== 'object' || current === null || seen.has(current)) continue;
    seen.add(current);
    if (isTransientOne(current)) return true;
    pending.push((current as { cause?: unknown }).cause);
    const errors = (current as { errors?: unknown }).errors;
    if (Array.isArray(errors)) pending.push(...(errors as unknown[]));
  }
  return false;
}
