// The built-in demo token issuer and the JWT check every /api request passes (jose, HS256 only).
import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';
import { SignJWT, errors as joseErrors, jwtVerify } from 'jose';
import { UnauthorizedError } from '@saga/platform';
import type { DemoUser, GatewayConfig } from './config';

export interface Identity {
  sub: string;
  roles: string[];
}

export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
}

/** The algorithm is fixed here, never taken from the token: no `none`, no algorithm confusion. */
const ALGORITHMS = ['HS256'];
const CLOCK_TOLERANCE_S = 5;

type JwtSettings = Pick<GatewayConfig, 'JWT_SECRET' | 'JWT_ISSUER' | 'JWT_AUDIENCE' | 'JWT_TTL_S'>;

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Constant-time in the password (both sides hashed to 32 bytes) and the same work whether or not the user exists. */
export function checkCredentials(users: DemoUser[], username: string, password: string): DemoUser | undefined {
  const user = users.find((u) => u.username === username);
  const expected = digest(user?.password ?? 'no-such-user-' + username);
  const matches = timingSafeEqual(digest(password), expected);
  return user && matches ? user : undefined;
}

export function createTokenIssuer(config: JwtSettings) {
  const key = new TextEncoder().encode(config.JWT_SECRET);
  return async (user: DemoUser): Promise<TokenResponse> => {
    const access_token = await new SignJWT({ roles: user.roles })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setSubject(user.username)
      .setIssuer(config.JWT_ISSUER)
      .setAudience(config.JWT_AUDIENCE)
      .setIssuedAt()
      .setNotBefore('0s')
      .setExpirationTime(`${config.JWT_TTL_S}s`)
      .sign(key);
    return { access_token, token_type: 'Bearer', expires_in: config.JWT_TTL_S };
  };
}

/** A 401 that carries its WWW-Authenticate challenge (RFC 6750). */
export class InvalidTokenError extends UnauthorizedError {
  constructor(
    readonly challenge: string,
    message: string,
    code: string,
  ) {
    super(message, { code });
  }
}

const REALM = 'saga-api';
const quote = (s: string) => s.replace(/["\\]/g, '');

const missingToken = () => new InvalidTokenError(`Bearer realm="${REALM}"`, 'Bearer token required', 'MISSING_TOKEN');
const invalidToken = (description: string) =>
  new InvalidTokenError(`Bearer realm="${REALM}", error="invalid_token", error_description="${quote(description)}"`, description, 'INVALID_TOKEN');

function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `The token's ${err.claim} claim is not valid`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'The token algorithm is not allowed';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is not valid';
  return 'The token is malformed';
}

const bearerPattern = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

/** Verifies the Bearer token; returns the identity or throws InvalidTokenError. */
export function createTokenVerifier(config: JwtSettings) {
  const key = new TextEncoder().encode(config.JWT_SECRET);
  return async (authorization: string | undefined): Promise<Identity> => {
    if (!authorization) throw missingToken();
    const match = bearerPattern.exec(authorization.trim());
    if (!match?.[1]) throw invalidToken('The Authorization header is not a Bearer token');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(match[1], key, {
        algorithms: ALGORITHMS,
        issuer: config.JWT_ISSUER,
        audience: config.JWT_AUDIENCE,
        clockTolerance: CLOCK_TOLERANCE_S,
        requiredClaims: ['sub', 'exp', 'iat'],
      }));
    } catch (err) {
      throw invalidToken(describe(err));
    }
    const { sub, roles } = payload;
    if (typeof sub !== 'string' || sub.length === 0) throw invalidToken('The token has no subject');
    if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
      throw invalidToken("The token's roles claim is not a list of strings");
    }
    return { sub, roles: (roles as string[] | undefined) ?? [] };
  };
}

const identities = new WeakMap<object, Identity>();

/** The identity a request was authenticated as (set by authenticate()). */
export function identityOf(res: object): Identity | undefined {
  return identities.get(res);
}

/**
 * Drops every client-supplied X-User-* header, verifies the token, then sets X-User-Id / X-User-Roles
 * for the upstream: only the gateway may name the caller.
 */
export function authenticate(verify: ReturnType<typeof createTokenVerifier>): RequestHandler {
  return async (req, res, next) => {
    for (const name of Object.keys(req.headers)) {
      if (name.startsWith('x-user-')) delete req.headers[name];
    }
    const identity = await verify(req.headers.authorization);
    identities.set(res, identity);
    req.headers['x-user-id'] = identity.sub;
    req.headers['x-user-roles'] = identity.roles.join(',');
    next();
  };
}
