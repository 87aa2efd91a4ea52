// Calls to the gateway (same origin) with the session's bearer token; an error answer becomes an ApiError with its code.
import { sessionFromToken, type Session } from './session';

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

/** Fired on window when the gateway refuses the token (expired, revoked): the console signs out. */
export const UNAUTHORIZED_EVENT = 'saga-console:unauthorized';

async function errorOf(response: Response): Promise<ApiError> {
  const body = (await response.json().catch(() => undefined)) as { error?: { code?: string; message?: string } } | undefined;
  return new ApiError(response.status, body?.error?.code ?? `HTTP_${response.status}`, body?.error?.message ?? response.statusText);
}

export async function api<T>(session: Session, path: string, init: { method?: string; body?: unknown; signal?: AbortSignal } = {}): Promise<T> {
  const response = await fetch(path, {
    method: init.method ?? 'GET',
    headers: { authorization: `Bearer ${session.token}`, ...(init.body === undefined ? {} : { 'content-type': 'application/json' }) },
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    ...(init.signal ? { signal: init.signal } : {}),
  });
  if (response.status === 401) window.dispatchEvent(new Event(UNAUTHORIZED_EVENT));
  if (!response.ok) throw await errorOf(response);
  if (response.status === 204) return undefined as T;
  return (await response.json()) as T;
}

export async function signIn(username: string, password: string): Promise<Session> {
  const response = await fetch('/auth/token', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ username, password }) });
  if (!response.ok) throw await errorOf(response);
  const body = (await response.json()) as { access_token: string; expires_in: number };
  return sessionFromToken(body.access_token, body.expires_in);
}

export const euros = (cents: number): string => `€${(cents / 100).toFixed(2)}`;
