// The verifier as a caller meets it: which tokens pass, which get a 401 (and why), for a shared secret and for JWKS.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SignJWT, exportJWK, generateKeyPair, type CryptoKey, type JWK } from 'jose';
import { AppError } from '@saga/platform';
import { signTestToken, testJwtSecret, testTokenVerifier } from './testing';
import { InvalidTokenError } from './invalid-token-error';
import { z } from 'zod';
import { defaultJwtSettings, jwtSettingsShape, keySourceOf, type JwtSettings } from './jwt-settings';
import { createTokenVerifier } from './token-verifier';

// The explicit shared-secret mode: a random secret of this test process (there is no built-in one).
const settings: JwtSettings = { ...defaultJwtSettings(), JWT_SECRET: testJwtSecret };
const hs = (claims: Record<string, unknown>, options: { secret?: string; alg?: string } = {}) => signTestToken(claims, { secret: testJwtSecret, ...options });
const now = () => Math.floor(Date.now() / 1000);

/** What the verifier rejected the header with: status, code and the WWW-Authenticate challenge. */
async function rejection(verify: ReturnType<typeof createTokenVerifier>, authorization: string | undefined) {
  try {
    await verify(authorization);
  } catch (err) {
    if (!(err instanceof AppError)) throw err;
    return { status: err.status, code: err.code, message: err.message, challenge: err instanceof InvalidTokenError ? err.challenge : undefined };
  }
  throw new Error('the token was accepted');
}

describe('token verifier, shared secret (HS256)', () => {
  const verify = createTokenVerifier(settings);

  it('accepts a token the demo issuer would sign and returns the subject and roles', async () => {
    await expect(verify(`Bearer ${hs({ sub: 'alice', roles: ['customer'] })}`)).resolves.toEqual({ sub: 'alice', roles: ['customer'] });
  });

  it('answers a missing token with a bare Bearer challenge', async () => {
    expect(await rejection(verify, undefined)).toMatchObject({ status: 401, code: 'MISSING_TOKEN', challenge: 'Bearer realm="saga-api"' });
  });

  it.each([
    ['a Basic header', 'Basic YWxpY2U6c2VjcmV0'],
    ['garbage', 'Bearer not-a-jwt'],
  ])('rejects %s as not a Bearer token', async (_what, header) => {
    expect(await rejection(verify, header)).toMatchObject({ status: 401, code: 'INVALID_TOKEN' });
  });

  it('rejects alg "none" (an unsigned token)', async () => {
    const [header, payload] = hs({ sub: 'mallory', roles: ['admin'] }, { alg: 'none' }).split('.');
    const unsigned = `${Buffer.from(JSON.stringify({ alg: 'none', typ: 'JWT' })).toString('base64url')}.${payload}.`;
    expect(header).toBeDefined();
    expect(await rejection(verify, `Bearer ${unsigned}`)).toMatchObject({ status: 401, message: 'The token algorithm is not allowed' });
  });

  it('rejects a token signed with another secret (forged)', async () => {
    const forged = hs({ sub: 'mallory', roles: ['admin'] }, { secret: 'an-attacker-guessed-secret-of-32-chars!!' });
    const answer = await rejection(verify, `Bearer ${forged}`);
    expect(answer).toMatchObject({ status: 401, message: 'The token signature is not valid' });
    expect(answer.challenge).toBe('Bearer realm="saga-api", error="invalid_token", error_description="The token signature is not valid"');
  });

  it('rejects HS512 when the configuration allows HS256 only (the token does not choose its algorithm)', async () => {
    const token = await new SignJWT({ roles: [] }).setProtectedHeader({ alg: 'HS512' }).setSubject('alice').setIssuer(settings.JWT_ISSUER).setAudience(settings.JWT_AUDIENCE).setIssuedAt().setExpirationTime('1h').sign(new TextEncoder().encode(testJwtSecret));
    expect(await rejection(verify, `Bearer ${token}`)).toMatchObject({ message: 'The token algorithm is not allowed' });
  });

  it('rejects an expired token, but tolerates a few seconds of clock skew', async () => {
    expect(await rejection(verify, `Bearer ${hs({ sub: 'alice', iat: now() - 120, exp: now() - 60 })}`)).toMatchObject({ message: 'The token has expired' });
    await expect(verify(`Bearer ${hs({ sub: 'alice', iat: now() - 120, exp: now() - 2 })}`)).resolves.toMatchObject({ sub: 'alice' });
  });

  it('rejects a token that is not valid yet (nbf in the future beyond the skew)', async () => {
    expect(await rejection(verify, `Bearer ${hs({ sub: 'alice', nbf: now() + 60 })}`)).toMatchObject({ message: "The token's nbf claim is not valid" });
  });

  it.each([
    ['issuer', { iss: 'someone-else' }, 'iss'],
    ['audience', { aud: 'another-api' }, 'aud'],
  ])('rejects the wrong %s', async (_what, claims, claim) => {
    expect(await rejection(verify, `Bearer ${hs({ sub: 'alice', ...claims })}`)).toMatchObject({ message: `The token's ${claim} claim is not valid` });
  });

  it('rejects a token without a subject, or with roles that are not a list of strings', async () => {
    expect(await rejection(verify, `Bearer ${hs({ roles: ['admin'] })}`)).toMatchObject({ status: 401 });
    expect(await rejection(verify, `Bearer ${hs({ sub: 'alice', roles: 'admin' })}`)).toMatchObject({ message: "The token's roles claim is not a list of strings" });
  });
});

describe('token verifier, public keys from a JWKS endpoint (RS256, ES256)', () => {
  let server: Server;
  let jwksUrl: string;
  let keys: JWK[] = [];
  let rsa: { privateKey: CryptoKey };
  let ec: { privateKey: CryptoKey };
  let unlisted: { privateKey: CryptoKey };
  let fetches = 0;

  beforeAll(async () => {
    rsa = await generateKeyPair('RS256');
    ec = await generateKeyPair('ES256');
    unlisted = await generateKeyPair('RS256');
    const rsaPair = rsa as { privateKey: CryptoKey; publicKey: CryptoKey };
    const ecPair = ec as { privateKey: CryptoKey; publicKey: CryptoKey };
    keys = [
      { ...(await exportJWK(rsaPair.publicKey)), kid: 'rsa-1', alg: 'RS256', use: 'sig' },
      { ...(await exportJWK(ecPair.publicKey)), kid: 'ec-1', alg: 'ES256', use: 'sig' },
    ];
    server = createServer((_req, res) => {
      fetches += 1;
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ keys }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    jwksUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const jwksSettings = (): JwtSettings => ({ ...settings, JWT_JWKS_URL: jwksUrl });
  const sign = (alg: string, kid: string, key: CryptoKey | Uint8Array, claims: Record<string, unknown> = {}) =>
    new SignJWT({ roles: ['customer'], ...claims }).setProtectedHeader({ alg, kid }).setSubject('alice').setIssuer(settings.JWT_ISSUER).setAudience(settings.JWT_AUDIENCE).setIssuedAt().setExpirationTime('5m').sign(key);

  it('accepts RS256 and ES256 tokens signed by the listed keys', async () => {
    const verify = createTokenVerifier(jwksSettings());
    await expect(verify(`Bearer ${await sign('RS256', 'rsa-1', rsa.privateKey)}`)).resolves.toEqual({ sub: 'alice', roles: ['customer'] });
    await expect(verify(`Bearer ${await sign('ES256', 'ec-1', ec.privateKey)}`)).resolves.toEqual({ sub: 'alice', roles: ['customer'] });
  });

  it('rejects an unknown kid with 401 (after one refetch of the key set)', async () => {
    const verify = createTokenVerifier(jwksSettings(), { jwksCooldownMs: 0 });
    const answer = await rejection(verify, `Bearer ${await sign('RS256', 'rotated-away', unlisted.privateKey)}`);
    expect(answer).toMatchObject({ status: 401, message: "No signing key matches the token's kid" });
  });

  it('rejects a token signed by an unlisted key that claims a listed kid', async () => {
    const verify = createTokenVerifier(jwksSettings());
    expect(await rejection(verify, `Bearer ${await sign('RS256', 'rsa-1', unlisted.privateKey)}`)).toMatchObject({ status: 401, message: 'The token signature is not valid' });
  });

  it('rejects algorithm confusion: an HS256 token (signed with the public key as a secret) when JWKS is configured', async () => {
    const verify = createTokenVerifier(jwksSettings());
    const publicKeyAsSecret = new TextEncoder().encode(JSON.stringify(keys[0]));
    expect(await rejection(verify, `Bearer ${await sign('HS256', 'rsa-1', publicKeyAsSecret)}`)).toMatchObject({ status: 401, message: 'The token algorithm is not allowed' });
  });

  it('rejects the shared-secret demo tokens once a real issuer is configured', async () => {
    const verify = createTokenVerifier(jwksSettings());
    expect(await rejection(verify, `Bearer ${hs({ sub: 'alice' })}`)).toMatchObject({ status: 401 });
  });

  it('answers 503 AUTH_UNAVAILABLE, not 401, when the key set cannot be fetched', async () => {
    const verify = createTokenVerifier({ ...settings, JWT_JWKS_URL: 'http://127.0.0.1:1/jwks.json' });
    expect(await rejection(verify, `Bearer ${await sign('RS256', 'rsa-1', rsa.privateKey)}`)).toMatchObject({ status: 503, code: 'AUTH_UNAVAILABLE' });
  });

  it('caches the key set between requests', async () => {
    const verify = createTokenVerifier(jwksSettings());
    const before = fetches;
    for (let i = 0; i < 5; i += 1) await verify(`Bearer ${await sign('ES256', 'ec-1', ec.privateKey)}`);
    expect(fetches - before).toBe(1);
  });
});

describe('JWT settings', () => {
  it('refuses HMAC algorithms with JWKS keys and public-key algorithms with a shared secret', () => {
    expect(() => keySourceOf({ ...settings, JWT_JWKS_URL: 'https://issuer.example/jwks', JWT_ALGORITHMS: ['HS256'] })).toThrow(/HS256 cannot be verified with the public keys of JWT_JWKS_URL/);
    expect(() => keySourceOf({ ...settings, JWT_ALGORITHMS: ['RS256'] })).toThrow(/RS256 needs public keys/);
  });

  it('defaults to HS256 with the secret, and RS256 + ES256 with JWKS', () => {
    expect(keySourceOf(settings)).toMatchObject({ kind: 'secret', algorithms: ['HS256'] });
    expect(keySourceOf({ ...settings, JWT_JWKS_URL: 'https://issuer.example/jwks' })).toMatchObject({ kind: 'jwks', algorithms: ['RS256', 'ES256'] });
  });
});

describe('verified-token cache', () => {
  it('answers a repeated token from memory, but never past its exp', async () => {
    let clock = Date.now();
    const verify = createTokenVerifier(settings, { now: () => clock });
    const exp = Math.floor(clock / 1000) + 10;
    const token = `Bearer ${hs({ sub: 'alice', exp })}`;
    await expect(verify(token)).resolves.toMatchObject({ sub: 'alice' });
    await expect(verify(token)).resolves.toMatchObject({ sub: 'alice' });
    expect(verify.stats).toEqual({ cacheHits: 1, verified: 1 });
    clock = (exp + settings.JWT_CLOCK_TOLERANCE_S + 1) * 1000;
    expect(await rejection(verify, token)).toMatchObject({ status: 401, message: 'The token has expired' });
  });

  it('does not cache refusals', async () => {
    const verify = createTokenVerifier(settings);
    const forged = `Bearer ${hs({ sub: 'mallory' }, { secret: 'some-other-secret-that-is-long-enough!!' })}`;
    await expect(verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
    await expect(verify(forged)).rejects.toBeInstanceOf(InvalidTokenError);
    expect(verify.stats.cacheHits).toBe(0);
  });
});

describe('no built-in key', () => {
  const bare = defaultJwtSettings();

  it('refuses to build a verifier with neither JWT_JWKS_URL nor JWT_SECRET (a config error, not a default)', () => {
    expect(bare.JWT_SECRET).toBeUndefined();
    expect(() => createTokenVerifier(bare)).toThrow(/no token verification key: set JWT_JWKS_URL/);
  });

  it('refuses a JWT_SECRET shorter than 32 bytes', () => {
    expect(() => z.object(jwtSettingsShape).parse({ JWT_SECRET: 'x'.repeat(31) })).toThrow(/at least 32 bytes/);
    expect(z.object(jwtSettingsShape).parse({ JWT_SECRET: 'x'.repeat(32) }).JWT_SECRET).toHaveLength(32);
  });

  it.each([
    ['https://issuer.example/jwks', true],
    ['http://127.0.0.1:8080/.well-known/jwks.json', true],
    ['http://127.9.0.1:8080/.well-known/jwks.json', true],
    ['http://localhost:8080/.well-known/jwks.json', true],
    ['http://[::1]:8080/.well-known/jwks.json', true],
    ['http://gateway:8080/.well-known/jwks.json', true],
    ['http://gateway.saga.svc:8080/.well-known/jwks.json', true],
    ['http://gateway.saga.svc.cluster.local:8080/.well-known/jwks.json', true],
    ['http://issuer.example/jwks', false],
    ['http://10.0.0.5:8080/.well-known/jwks.json', false],
  ])('JWT_JWKS_URL %s accepted: %s (https unless loopback or in-cluster)', (url, ok) => {
    expect(z.object(jwtSettingsShape).safeParse({ JWT_JWKS_URL: url }).success).toBe(ok);
  });

  it("accepts this test process's ES256 tokens with its local key set (bearerFor), and refuses them with HS256", async () => {
    await expect(testTokenVerifier()(`Bearer ${signTestToken({ sub: 'alice', roles: ['customer'] })}`)).resolves.toEqual({ sub: 'alice', roles: ['customer'] });
    expect(await rejection(createTokenVerifier(settings), `Bearer ${signTestToken({ sub: 'alice' })}`)).toMatchObject({ message: 'The token algorithm is not allowed' });
    expect(await rejection(testTokenVerifier(), `Bearer ${hs({ sub: 'alice' })}`)).toMatchObject({ message: 'The token algorithm is not allowed' });
  });
});
