// Keys and users without any built-in secret: ES256 by default with a key generated once and kept, its public half
// at /.well-known/jwks.json; demo users only on loopback; otherwise one admin whose password is generated and logged once.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import request from 'supertest';
import { createTokenVerifier, defaultJwtSettings } from '@saga/auth';
import { testJwtSecret } from '@saga/auth/testing';
import { ConfigError, createLogger } from '@saga/platform';
import { loadGatewayConfig } from './config';
import { createGatewayApp, type GatewayApp } from './gateway-app';
import { loadGatewayCredentials } from './gateway-credentials';

let dir: string;
const apps: GatewayApp[] = [];
const silent = createLogger({ service: 'test', level: 'silent' });

/** A logger whose lines are kept, to check what is (and is not) printed. */
function recordingLogger() {
  const lines: string[] = [];
  const logger = createLogger({ service: 'test', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  return { logger, text: () => lines.join('') };
}

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'gateway-keys-'));
});
afterEach(async () => {
  await Promise.all(apps.splice(0).map((g) => g.close()));
  rmSync(dir, { recursive: true, force: true });
});

const base = { LOG_LEVEL: 'silent', ORDER_URL: 'http://127.0.0.1:9', INVENTORY_URL: 'http://127.0.0.1:9', PAYMENT_URL: 'http://127.0.0.1:9', NOTIFICATION_URL: 'http://127.0.0.1:9' };
const gateway = (env: Record<string, string>) => {
  const g = createGatewayApp(loadGatewayConfig({ ...base, ...env }), { logger: silent });
  apps.push(g);
  return g;
};

describe('signing keys', () => {
  it('generates an ES256 key at first start (0600), keeps it, and publishes only its public half', async () => {
    const keyFile = join(dir, 'keys/jwt-signing-key.pem');
    const g = gateway({ HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true', JWT_SIGNING_KEY_FILE: keyFile });
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const jwks = await request(g.app).get('/.well-known/jwks.json').expect(200);
    expect(jwks.headers['cache-control']).toMatch(/max-age/);
    const [key] = jwks.body.keys as Record<string, string>[];
    expect(Object.keys(key ?? {}).sort()).toEqual(['alg', 'crv', 'kid', 'kty', 'use', 'x', 'y']);
    expect(key).toMatchObject({ kty: 'EC', crv: 'P-256', alg: 'ES256', use: 'sig' });

    const login = await request(g.app).post('/auth/token').send({ username: 'alice', password: 'alice-secret' }).expect(200);
    const token = login.body.access_token as string;
    const header = JSON.parse(Buffer.from(token.split('.')[0] ?? '', 'base64url').toString()) as Record<string, string>;
    expect(header).toMatchObject({ alg: 'ES256', kid: key?.kid });
    // A service verifies it with nothing but the published key set.
    await expect(createTokenVerifier(defaultJwtSettings(), { localJwks: jwks.body })(`Bearer ${token}`)).resolves.toEqual({ sub: 'alice', roles: ['customer'] });

    // Second start: same key, same kid.
    const again = await request(gateway({ HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true', JWT_SIGNING_KEY_FILE: keyFile }).app).get('/.well-known/jwks.json').expect(200);
    expect(again.body).toEqual(jwks.body);
  });

  it('two installations never share a key', async () => {
    const a = gateway({ HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true', JWT_SIGNING_KEY_FILE: join(dir, 'a.pem') });
    const b = gateway({ HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true', JWT_SIGNING_KEY_FILE: join(dir, 'b.pem') });
    const [ka, kb] = await Promise.all([a, b].map(async (g) => (await request(g.app).get('/.well-known/jwks.json')).body.keys[0].kid as string));
    expect(ka).not.toBe(kb);
  });

  it('refuses to start without a key on a non-loopback HOST, and refuses JWT_SECRET together with a signing key', () => {
    expect(() => gateway({ HOST: '0.0.0.0', ADMIN_PASSWORD: 'a-long-admin-password' })).toThrow(/JWT_SIGNING_KEY_FILE/);
    expect(() => loadGatewayConfig({ ...base, JWT_SECRET: testJwtSecret, JWT_SIGNING_KEY_FILE: join(dir, 'k.pem') })).toThrow(ConfigError);
    expect(() => loadGatewayConfig({ ...base, JWT_SECRET: 'too-short' })).toThrow(/32 bytes/);
  });

  it('with an explicit JWT_SECRET signs HS256 and publishes no key set', async () => {
    const g = gateway({ HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true', JWT_SECRET: testJwtSecret });
    await request(g.app).get('/.well-known/jwks.json').expect(404);
    const login = await request(g.app).post('/auth/token').send({ username: 'bob', password: 'bob-secret' }).expect(200);
    expect(JSON.parse(Buffer.from((login.body.access_token as string).split('.')[0] ?? '', 'base64url').toString())).toMatchObject({ alg: 'HS256' });
  });
});

describe('users', () => {
  it('refuses the demo users unless the gateway binds loopback', () => {
    expect(() => loadGatewayConfig({ ...base, HOST: '0.0.0.0', DEMO_USERS_ENABLED: 'true' })).toThrow(/DEMO_USERS_ENABLED/);
    expect(() => loadGatewayConfig({ ...base, HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true' })).not.toThrow();
    expect(() => loadGatewayConfig({ ...base, ADMIN_PASSWORD: 'admin-secret' })).toThrow(/ADMIN_PASSWORD/);
  });

  it('outside demo mode: admin only, its password generated once, written 0600 next to the key and logged only the first time', async () => {
    const keyFile = join(dir, 'keys/jwt-signing-key.pem');
    const env = { HOST: '0.0.0.0', JWT_SIGNING_KEY_FILE: keyFile };
    const first = recordingLogger();
    const credentials = loadGatewayCredentials(loadGatewayConfig({ ...base, ...env }), first.logger);
    const passwordFile = join(dir, 'keys/admin-password');
    const password = readFileSync(passwordFile, 'utf8').trim();
    expect(password.length).toBeGreaterThanOrEqual(20);
    expect(statSync(passwordFile).mode & 0o777).toBe(0o600);
    expect(credentials.users).toEqual([{ username: 'admin', password, roles: ['admin'] }]);
    expect(first.text()).toContain(password);
    expect(first.text()).not.toContain('PRIVATE KEY');

    const second = recordingLogger();
    expect(loadGatewayCredentials(loadGatewayConfig({ ...base, ...env }), second.logger).users[0]?.password).toBe(password);
    expect(second.text()).not.toContain(password);

    const g = gateway(env);
    await request(g.app).post('/auth/token').send({ username: 'admin', password: 'admin-secret' }).expect(401);
    await request(g.app).post('/auth/token').send({ username: 'alice', password: 'alice-secret' }).expect(401);
    await request(g.app).post('/auth/token').send({ username: 'admin', password }).expect(200);
  });

  it('takes the admin password from ADMIN_PASSWORD or ADMIN_PASSWORD_FILE', () => {
    const config = loadGatewayConfig({ ...base, JWT_SECRET: testJwtSecret, ADMIN_PASSWORD: 'configured-admin-password' });
    expect(loadGatewayCredentials(config, silent).users).toEqual([{ username: 'admin', password: 'configured-admin-password', roles: ['admin'] }]);
    expect(() => loadGatewayCredentials(loadGatewayConfig({ ...base, JWT_SECRET: testJwtSecret }), silent)).toThrow(/ADMIN_PASSWORD/);
  });
});
