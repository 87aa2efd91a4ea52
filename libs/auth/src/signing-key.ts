// The gateway's ES256 signing key: read from PEM text or a file, or generated once (P-256) and kept in that file.
// Only its public half ever leaves this module (the JWKS); the key id is the RFC 7638 thumbprint of that half.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JSONWebKeySet, JWK } from 'jose';

export interface SigningKey {
  alg: 'ES256';
  kid: string;
  privateKey: KeyObject;
  /** kty, crv, x, y, plus kid, alg and use: what /.well-known/jwks.json publishes. */
  publicJwk: JWK;
}

/** RFC 7638: SHA-256 over the required members in lexicographic order, base64url. */
function thumbprint(jwk: { crv?: string; kty?: string; x?: string; y?: string }): string {
  const canonical = JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x, y: jwk.y });
  return createHash('sha256').update(canonical).digest('base64url');
}

/** A PKCS#8 PEM of a P-256 private key; throws (without echoing the key) if it is anything else. */
export function signingKeyFromPem(pem: string, where = 'the signing key'): SigningKey {
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    throw new Error(`${where} is not a PEM private key (expected PKCS#8, "-----BEGIN PRIVATE KEY-----")`);
  }
  if (privateKey.asymmetricKeyType !== 'ec' || privateKey.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${where} is not an EC P-256 key (ES256 needs one: openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256)`);
  }
  const { kty, crv, x, y } = createPublicKey(privateKey).export({ format: 'jwk' });
  const kid = thumbprint({ kty, crv, x, y });
  return { alg: 'ES256', kid, privateKey, publicJwk: { kty, crv, x, y, kid, alg: 'ES256', use: 'sig' } };
}

/** A fresh P-256 private key as PKCS#8 PEM. */
export function generateSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/**
 * The key kept in `file`; on first start (no file) a new one is generated and written there (directory created,
 * mode 0600). `created` tells the caller to log that it happened (never the key itself).
 */
export function loadOrCreateSigningKey(file: string): { key: SigningKey; created: boolean } {
  if (existsSync(file)) return { key: signingKeyFromPem(readFileSync(file, 'utf8'), file), created: false };
  const pem = generateSigningKeyPem();
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  // 'wx': if another replica wrote it in the meantime, use that one rather than overwrite it.
  try {
    writeFileSync(file, pem, { mode: 0o600, flag: 'wx' });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return { key: signingKeyFromPem(readFileSync(file, 'utf8'), file), created: false };
    throw err;
  }
  chmodSync(file, 0o600);
  return { key: signingKeyFromPem(pem, file), created: true };
}

/** The public key set to publish: public parts only. */
export const jwksOf = (keys: readonly SigningKey[]): JSONWebKeySet => ({ keys: keys.map((k) => ({ ...k.publicJwk })) });
