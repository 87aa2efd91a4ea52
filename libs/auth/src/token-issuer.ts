// The gateway's token issuer: ES256 with its signing key (default), or HS256 when a shared secret is configured.
import { createHash, timingSafeEqual } from 'node:crypto';
import { SignJWT } from 'jose';
import type { JwtSettings } from './jwt-settings';
import type { SigningKey } from './signing-key';

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

/** What tokens are signed with: the gateway's ES256 key, or an explicitly configured HS256 secret. */
export type TokenSigner = { kind: 'key'; key: SigningKey } | { kind: 'secret'; secret: string };

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time in the password (both sides hashed to 32 bytes) and the same work whether or not the user exists. */
export function checkCredentials(users: DemoUser[], username: string, password: string): DemoUser | undefined {
  const user = users.find((u) => u.username === username);
  const expected = digest(user?.password ?? 'no-such-user-' + username);
  const matches = timingSafeEqual(digest(password), expected);
  return user && matches ? user : undefined;
}

export function createTokenIssuer(settings: Pick<JwtSettings, 'JWT_ISSUER' | 'JWT_AUDIENCE'> & { JWT_TTL_S: number }, signer: TokenSigner) {
  const header = signer.kind === 'key' ? { alg: signer.key.alg, kid: signer.key.kid, typ: 'JWT' } : { alg: 'HS256', typ: 'JWT' };
  const key = signer.kind === 'key' ? signer.key.privateKey : new TextEncoder().encode(signer.secret);
  return async (user: Pick<DemoUser, 'username' | 'roles'>): Promise<TokenResponse> => {
    const access_token = await new SignJWT({ roles: user.roles })
      .setProtectedHeader(header)
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
