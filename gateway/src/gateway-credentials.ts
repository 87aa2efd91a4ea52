// What the gateway signs tokens with and whom it issues them to, resolved once at start (files read or created here).
// Keys: ES256 from JWT_SIGNING_KEY / JWT_SIGNING_KEY_FILE (generated at first start when the file is missing), or
// HS256 with an explicit JWT_SECRET, or none when JWT_JWKS_URL names a real issuer. Users: the demo users in the local
// modes, otherwise one admin whose password is configured or generated at first start and logged that one time.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { JSONWebKeySet } from 'jose';
import { jwksOf, loadOrCreateSigningKey, signingKeyFromPem, type DemoUser, type SigningKey, type TokenSigner } from '@saga/auth';
import { ConfigError, type Logger } from '@saga/platform';
import { isLoopbackHost, type GatewayConfig } from './config';

/** Where `npm start`, start:local and the demo keep their key when nothing is configured (never committed: .local/). */
export const LOCAL_SIGNING_KEY_FILE = '.local/keys/jwt-signing-key.pem';

export interface GatewayCredentials {
  /** Absent: a real issuer (JWT_JWKS_URL) issues the tokens; POST /auth/token is off. */
  signer?: TokenSigner;
  /** The public keys this gateway signs with: served at /.well-known/jwks.json and used to verify in-process. */
  jwks?: JSONWebKeySet;
  users: DemoUser[];
}

function signingKeyOf(config: GatewayConfig, logger: Logger): SigningKey {
  if (config.JWT_SIGNING_KEY) return signingKeyFromPem(config.JWT_SIGNING_KEY.replace(/\\n/g, '\n'), 'JWT_SIGNING_KEY');
  const file = config.JWT_SIGNING_KEY_FILE ?? (isLoopbackHost(config.HOST) ? LOCAL_SIGNING_KEY_FILE : undefined);
  if (!file) {
    throw new ConfigError([
      { variable: 'JWT_SIGNING_KEY_FILE', message: `no signing key configured and HOST ${config.HOST} is not loopback: set JWT_SIGNING_KEY_FILE (kept on a volume; generated there at first start) or JWT_SIGNING_KEY` },
    ]);
  }
  const { key, created } = loadOrCreateSigningKey(resolve(file));
  if (created) logger.warn({ file: resolve(file), kid: key.kid }, 'generated a new ES256 signing key (first start); keep this file: tokens signed with it stop verifying if it is lost');
  return key;
}

/** The admin password: ADMIN_PASSWORD, else the file's content, else a new one written there and logged once. */
function adminPasswordOf(config: GatewayConfig, logger: Logger): string {
  if (config.ADMIN_PASSWORD) return config.ADMIN_PASSWORD;
  const keyFile = config.JWT_SIGNING_KEY_FILE ?? (!config.JWT_SIGNING_KEY && isLoopbackHost(config.HOST) ? LOCAL_SIGNING_KEY_FILE : undefined);
  const file = config.ADMIN_PASSWORD_FILE ?? (keyFile ? join(dirname(keyFile), 'admin-password') : undefined);
  if (!file) throw new ConfigError([{ variable: 'ADMIN_PASSWORD_FILE', message: 'no admin password configured: set ADMIN_PASSWORD, or ADMIN_PASSWORD_FILE (generated there at first start)' }]);
  const path = resolve(file);
  if (existsSync(path)) {
    const stored = readFileSync(path, 'utf8').trim();
    if (stored.length < 12) throw new ConfigError([{ variable: 'ADMIN_PASSWORD_FILE', message: `${path} holds a password shorter than 12 characters` }]);
    if (stored === 'admin-secret') throw new ConfigError([{ variable: 'ADMIN_PASSWORD_FILE', message: 'the documented demo password is accepted in the local demo modes only' }]);
    return stored;
  }
  const password = randomBytes(18).toString('base64url');
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  writeFileSync(path, `${password}\n`, { mode: 0o600, flag: 'wx' });
  chmodSync(path, 0o600);
  // Once, like Jenkins or Grafana: the next start reads the file and prints nothing.
  logger.warn({ file: path }, `generated the admin password (first start, shown this once; also kept in the file): admin / ${password}`);
  return password;
}

export function loadGatewayCredentials(config: GatewayConfig, logger: Logger): GatewayCredentials {
  if (config.JWT_JWKS_URL) return { users: [] };
  let signer: TokenSigner;
  let jwks: JSONWebKeySet | undefined;
  if (config.JWT_SECRET) {
    signer = { kind: 'secret', secret: config.JWT_SECRET };
  } else {
    const key = signingKeyOf(config, logger);
    signer = { kind: 'key', key };
    jwks = jwksOf([key]);
    logger.info({ kid: key.kid }, 'signing tokens with ES256; public keys at /.well-known/jwks.json');
  }
  const users = config.DEMO_USERS_ENABLED ? config.DEMO_USERS : [{ username: 'admin', password: adminPasswordOf(config, logger), roles: ['admin'] }];
  return { signer, ...(jwks && { jwks }), users };
}
