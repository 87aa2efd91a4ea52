// The built-in demo issuer (HS256, users from config): for the gateway when no real issuer (JWKS) is configured.
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
import type { JwtSettings } from './jwt-settings';

export interface DemoUser {
  username: string;
  password: string;
  roles: string[];
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time in the password (both sides hashed to 32 bytes) and the same work whether or not the user exists. */
export function checkCredentials(users: DemoUser[], username: string, password: string): DemoUser | undefined {
  const user = users.find((u) => u.username === username);
  const expected = digest(user?.password ?? 'no-such-user-' + username);
  const matches = timingSafeEqual(digest(password), expected);
  return user && matches ? user : undefined;
}

export function createTokenIssuer(settings: Pick<JwtSettings, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE'> & { JWT_TTL_S: number }) {
  const key = new TextEncoder().encode(settings.JWT_SECRET);
  return async (user: Pick<DemoUser, 'username' | 'roles'>): Promise<TokenResponse> => {
    const access_token = await new SignJWT({ roles: user.roles })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.username)
      .setIssuer(settings.JWT_ISSUER)
      .setAudience(settings.JWT_AUDIENCE)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${settings.JWT_TTL_S}s`)
      .sign(key);
    return { access_token, token_type: 'Bearer', expires_in: settings.JWT_TTL_S };
  };
}
