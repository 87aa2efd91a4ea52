// @saga/auth/testing: tokens for tests, without any committed key or secret. Each test process generates its own
// ES256 key pair (module level); harnesses hand its private half to the gateway (JWT_SIGNING_KEY) and point the
// services at a JWKS that publishes its public half, so the tokens minted here are accepted by the system under test.
import { createHmac, randomBytes, sign } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JSONWebKeySet } from 'jose';
import { defaultJwtSettings, type JwtSettings } from '../jwt-settings';
import { generateSigningKeyPem, jwksOf, signingKeyFromPem } from '../signing-key';
import { createTokenVerifier, type TokenVerifier, type TokenVerifierOptions } from '../token-verifier';

const settings = defaultJwtSettings();
// SAGA_TEST_SIGNING_KEY_FILE: a key the system under test already signs with (compose:check hands over the compose
// gateway's own, read from its secrets volume), for a gateway this process did not start.
const keyPem = process.env.SAGA_TEST_SIGNING_KEY_FILE ? readFileSync(process.env.SAGA_TEST_SIGNING_KEY_FILE, 'utf8') : generateSigningKeyPem();
const key = signingKeyFromPem(keyPem, 'the test signing key');

/** This process's HS256 secret (random, 64 hex characters), for tests of the explicit shared-secret mode. */
export const testJwtSecret = randomBytes(32).toString('hex');
/** This process's ES256 private key (PKCS#8 PEM): give it to a gateway under test as JWT_SIGNING_KEY. */
export const testSigningKeyPem = (): string => keyPem;
/** The public half of the test key, as a gateway signing with it publishes at /.well-known/jwks.json. */
export const testJwks = (): JSONWebKeySet => jwksOf([key]);
/** Issuer, audience and skew as every service has them by default (no key: add one, or use testTokenVerifier). */
export const testJwtSettings = (): JwtSettings => ({ ...settings });
/** A verifier that accepts the tokens of bearerFor() / signTestToken(): for services built in-process by tests. */
export const testTokenVerifier = (options: TokenVerifierOptions = {}): TokenVerifier => createTokenVerifier(testJwtSettings(), { ...options, localJwks: testJwks() });

const encode = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hmacOf: Record<string, string> = { HS256: 'sha256', HS384: 'sha384', HS512: 'sha512' };

/**
 * Synchronous (node:crypto, not jose) so tests can build headers inline. ES256 with this process's key by default;
 * `secret` signs HS256 (or `alg` HS384/HS512) with that secret instead. Claims may be overridden to make bad tokens,
 * e.g. `{ exp: 1 }` or `{ aud: 'other' }`.
 */
export function signTestToken(claims: Record<string, unknown>, options: { secret?: string; alg?: string } = {}): string {
  const now = Math.floor(Date.now() / 1000);
  const payload = encode({ iss: settings.JWT_ISSUER, aud: settings.JWT_AUDIENCE, iat: now, nbf: now, exp: now + 3600, ...claims });
  if (options.secret !== undefined) {
    const alg = options.alg ?? 'HS256';
    const header = encode({ alg, typ: 'JWT' });
    const signature = createHmac(hmacOf[alg] ?? 'sha256', options.secret).update(`${header}.${payload}`).digest('base64url');
    return `${header}.${payload}.${signature}`;
  }
  const header = encode({ alg: options.alg ?? 'ES256', typ: 'JWT', kid: key.kid });
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), { key: key.privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

/** "Bearer <jwt>" for the user, ready for an Authorization header. */
export function bearerFor(username: string, roles: string[] = ['customer']): string {
  return `Bearer ${signTestToken({ sub: username, roles })}`;
}

/** An admin's Authorization header: sees every customer's records and may call /admin routes. */
export const adminBearer = (): string => bearerFor('admin', ['admin']);

export interface TestJwksServer {
  /** http://127.0.0.1:<port>/.well-known/jwks.json: a service's JWT_JWKS_URL. */
  url: string;
  close(): Promise<void>;
}

/** Serves testJwks() on loopback: for services started as processes (or by start()) without a gateway in front. */
export async function serveTestJwks(): Promise<TestJwksServer> {
  const body = JSON.stringify(testJwks());
  // Its one path only: a server that answered every path once passed for another process's readiness probe.
  const server = createServer((req, res) => {
    res.setHeader('content-type', 'application/json');
    if (req.url !== '/.well-known/jwks.json') {
      res.statusCode = 404;
      res.end(JSON.stringify({ error: { code: 'NOT_FOUND', message: 'Only /.well-known/jwks.json is served here' } }));
      return;
    }
    res.end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  server.unref();
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json`;
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
