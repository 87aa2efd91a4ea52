// @saga/auth/testing: tokens for tests, signed with the default development settings that services start with.
import { createHmac } from 'node:crypto';
import { defaultJwtSettings } from '../jwt-settings';

const settings = defaultJwtSettings();
const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');

/**
 * Synchronous (plain HMAC, not jose) so tests can build headers inline. Claims may be overridden to make bad tokens,
 * e.g. `{ exp: 1 }` or `{ aud: 'other' }`; `secret` signs with another key.
 */
export function signTestToken(claims: Record<string, unknown>, options: { secret?: string; alg?: string } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const header = encode({ alg: options.alg ?? 'HS256', typ: 'JWT' });
  const payload = encode({ iss: settings.JWT_ISSUER, aud: settings.JWT_AUDIENCE, iat: now, nbf: now, exp: now + 3600, ...claims });
  const signature = createHmac('sha256', options.secret ?? settings.JWT_SECRET).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${signature}`;
}

/** "Bearer <jwt>" for the user, ready for an Authorization header. */
export function bearerFor(username: string, roles: string[] = ['customer']): string {
  return `Bearer ${signTestToken({ sub: username, roles })}`;
}

/** An admin's Authorization header: sees every customer's records and may call /admin routes. */
export const adminBearer = (): string => bearerFor('admin', ['admin']);
