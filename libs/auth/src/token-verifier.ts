// Verifies a Bearer token with jose against the configured key source; returns who the caller is or throws a 401.
import { createLocalJWKSet, createRemoteJWKSet, errors as joseErrors, jwtVerify, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { ServiceUnavailableError } from '@saga/platform';
import { invalidToken, missingToken } from './invalid-token-error';
import { keySourceOf, type JwtSettings } from './jwt-settings';

export interface Identity {
  sub: string;
  roles: string[];
}

export interface TokenVerifier {
  (authorization: string | undefined): Promise<Identity>;
  /** Tokens answered from the cache, and tokens checked cryptographically. */
  readonly stats: { cacheHits: number; verified: number };
}

export interface TokenVerifierOptions {
  /**
   * Verified tokens remembered (by their exact text) for at most this long, and never past their exp: the HMAC or
   * signature check is the dearest part of every request. 0 turns it off. Default 30 s.
   */
  cacheTtlMs?: number;
  /** Most tokens remembered; the oldest goes first. Default 10,000. */
  cacheMaxEntries?: number;
  now?: () => number;
  /** JWKS only: how long fetched keys are trusted, and the pause between refetches for an unknown kid. */
  jwksCacheMaxAgeMs?: number;
  jwksCooldownMs?: number;
  /** Public keys known in-process (the gateway's own, the embedded mode, tests): used instead of JWT_JWKS_URL / JWT_SECRET. */
  localJwks?: JSONWebKeySet;
}

function describe(err: unknown): string {
  if (err instanceof joseErrors.JWTExpired) return 'The token has expired';
  if (err instanceof joseErrors.JWTClaimValidationFailed) return `The token's ${err.claim} claim is not valid`;
  if (err instanceof joseErrors.JOSEAlgNotAllowed) return 'The token algorithm is not allowed';
  if (err instanceof joseErrors.JWSSignatureVerificationFailed) return 'The token signature is not valid';
  if (err instanceof joseErrors.JWKSNoMatchingKey) return "No signing key matches the token's kid";
  if (err instanceof joseErrors.JWKSMultipleMatchingKeys) return "Several signing keys match the token's kid";
  return 'The token is malformed';
}

/** The key set could not be fetched: the issuer's problem, not the caller's, so 503 rather than 401. */
const keysUnreachable = (err: unknown) =>
  err instanceof joseErrors.JWKSTimeout || err instanceof joseErrors.JWKSInvalid || !(err instanceof joseErrors.JOSEError);

const bearerPattern = /^Bearer ([A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*)$/;

export function createTokenVerifier(settings: JwtSettings, options: TokenVerifierOptions = {}): TokenVerifier {
  const source = keySourceOf(settings, options.localJwks);
  const key: Uint8Array | JWTVerifyGetKey =
    source.kind === 'secret'
      ? source.secret
      : source.kind === 'local-jwks'
        ? createLocalJWKSet(source.jwks)
        : createRemoteJWKSet(source.url, { cacheMaxAge: options.jwksCacheMaxAgeMs ?? 10 * 60_000, cooldownDuration: options.jwksCooldownMs ?? 30_000, timeoutDuration: 5_000 });
  const verifyOptions = {
    algorithms: source.algorithms,
    issuer: settings.JWT_ISSUER,
    audience: settings.JWT_AUDIENCE,
    clockTolerance: settings.JWT_CLOCK_TOLERANCE_S,
    requiredClaims: ['sub', 'exp', 'iat'],
  };
  const stats = { cacheHits: 0, verified: 0 };
  const cacheTtlMs = options.cacheTtlMs ?? 30_000;
  const cacheMax = options.cacheMaxEntries ?? 10_000;
  const now = options.now ?? Date.now;
  // Insertion-ordered: the first key is the oldest entry. Only successes are cached; a refusal is always re-checked.
  const verified = new Map<string, { identity: Identity; until: number }>();
  const verifyToken = async (authorization: string | undefined): Promise<Identity> => {
    if (!authorization) throw missingToken();
    const match = bearerPattern.exec(authorization.trim());
    if (!match?.[1]) throw invalidToken('The Authorization header is not a Bearer token');
    const cached = verified.get(match[1]);
    if (cached && cached.until > now()) {
      stats.cacheHits += 1;
      return cached.identity;
    }
    if (cached) verified.delete(match[1]);
    let payload: Record<string, unknown>;
    try {
      // Two calls so TypeScript picks the right overload; the options (and so the algorithms) are the same.
      const at = { ...verifyOptions, currentDate: new Date(now()) };
      ({ payload } = key instanceof Uint8Array ? await jwtVerify(match[1], key, at) : await jwtVerify(match[1], key, at));
      stats.verified += 1;
    } catch (err) {
      if (source.kind === 'jwks' && keysUnreachable(err)) {
        throw new ServiceUnavailableError('The token issuer keys cannot be fetched right now', { code: 'AUTH_UNAVAILABLE' });
      }
      throw invalidToken(describe(err));
    }
    const { sub, roles } = payload;
    if (typeof sub !== 'string' || sub.length === 0 || sub.length > 128) throw invalidToken('The token has no valid subject');
    if (roles !== undefined && !(Array.isArray(roles) && roles.every((r) => typeof r === 'string'))) {
      throw invalidToken("The token's roles claim is not a list of strings");
    }
    const identity = { sub, roles: (roles as string[] | undefined) ?? [] };
    if (cacheTtlMs > 0 && typeof payload.exp === 'number') {
      // Never beyond exp (minus the skew we tolerated), so an expired token is refused as if it were checked again.
      const until = Math.min(now() + cacheTtlMs, payload.exp * 1000);
      if (verified.size >= cacheMax) verified.delete(verified.keys().next().value as string);
      verified.set(match[1], { identity, until });
    }
    return identity;
  };
  return Object.assign(verifyToken, { stats });
}
