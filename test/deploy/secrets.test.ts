// docker-compose.yml and k8s/base ship no usable secret, and the check says so only because it bites: each copy that
// adds one back (the old JWT default, a demo password, a literal in a URL, requirepass, a Secret's values) fails it.
import { cpSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ComposeDoc } from '../../scripts/deploy/check-compose';
import { composeSecretFindings, deployScriptSecretKeys, k8sSecretFindings } from '../../scripts/deploy/check-secrets';
import { repoRoot } from '../../scripts/deploy/manifest';
import { composeFiles } from '../../scripts/deploy/render-compose';
import { SECRET_KEYS } from './k8s-checks';

const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const compose = parse(read(composeFiles.main)) as ComposeDoc;
type Service = { environment?: Record<string, string>; command?: string[]; entrypoint?: string[] };
const withService = (name: string, change: (s: Service) => void): ComposeDoc => {
  const copy = structuredClone(compose);
  change(copy.services?.[name] as Service);
  return copy;
};

describe('docker-compose.yml', () => {
  it('holds no usable secret: passwords are files of the generated secrets volume, the URLs reference them', () => {
    expect(composeSecretFindings(compose)).toEqual([]);
    const order = compose.services?.order as Service;
    expect(order.environment?.DATABASE_URL).toBe('postgres://saga:$$(POSTGRES_PASSWORD)@postgres:5432/order_db');
    expect(order.environment?.POSTGRES_PASSWORD_FILE).toBe('/secrets/postgres-password');
    expect(Object.keys(order.environment ?? {})).not.toContain('JWT_SECRET');
    expect(order.environment).not.toHaveProperty('DEMO_USERS_ENABLED');
  });

  it.each<[string, ComposeDoc, RegExp]>([
    ['the old JWT_SECRET default', withService('order', (s) => (s.environment!.JWT_SECRET = '${JWT_SECRET:-dev-only-insecure-jwt-secret-change-me-0123456789}')), /order\.environment\.JWT_SECRET: JWT_SECRET is set to a literal/],
    ['any JWT_SECRET literal', withService('gateway', (s) => (s.environment!.JWT_SECRET = 'a-brand-new-secret-of-at-least-32-bytes!!')), /JWT_SECRET is set to a literal/],
    ['the demo admin password', withService('gateway', (s) => (s.environment!.ADMIN_PASSWORD = 'admin-secret')), /published development value "admin-secret"/],
    ['a password in a database URL', withService('payment', (s) => (s.environment!.DATABASE_URL = 'postgres://saga:saga@postgres:5432/payment_db')), /payment\.environment\.DATABASE_URL: a URL with a literal password/],
    ['a password in an AMQP URL', withService('order', (s) => (s.environment!.RABBITMQ_URL = 'amqp://saga:hunter2@toxiproxy:35672')), /a URL with a literal password/],
    ['a password in a Redis URL', withService('gateway', (s) => (s.environment!.REDIS_URL = 'redis://:hunter2@redis:6379')), /gateway\.environment\.REDIS_URL: a URL with a literal password/],
    ['POSTGRES_PASSWORD instead of the file', withService('postgres', (s) => (s.environment!.POSTGRES_PASSWORD = 'saga')), /POSTGRES_PASSWORD is set to a literal/],
    ['requirepass on the command line', withService('redis', (s) => s.command!.push('--requirepass', 'hunter2')), /requirepass with a literal value/],
    ['the demo users', withService('gateway', (s) => (s.environment!.DEMO_USERS_ENABLED = 'true')), /DEMO_USERS_ENABLED turns on the demo users/],
    ['a RabbitMQ default password', withService('rabbitmq', (s) => (s.environment!.RABBITMQ_DEFAULT_PASS = 'saga')), /RABBITMQ_DEFAULT_PASS is set to a literal/],
  ])('fails on a copy that adds back %s', (_what, doc, finding) => {
    expect(composeSecretFindings(doc)).toEqual(expect.arrayContaining([expect.stringMatching(finding)]));
  });
});

describe('k8s/base', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'k8s-secrets-'));
    cpSync(join(repoRoot, 'k8s/base'), dir, { recursive: true });
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  const edit = (file: string, change: (text: string) => string) => writeFileSync(join(dir, file), change(readFileSync(join(dir, file), 'utf8')));

  it('holds no usable secret, and no Secret at all: k8s/deploy.sh creates it', () => {
    expect(k8sSecretFindings(join(repoRoot, 'k8s/base'))).toEqual([]);
    expect(k8sSecretFindings(join(repoRoot, 'k8s/overlays'))).toEqual([]);
  });

  it.each<[string, string, (text: string) => string, RegExp]>([
    ['the old secretGenerator', 'kustomization.yaml', (t) => `${t}\nsecretGenerator:\n  - name: saga-secrets\n    literals:\n      - jwt-secret=dev-only-insecure-jwt-secret-change-me-0123456789\n`, /a secretGenerator/],
    ['a Secret with values', 'namespace.yaml', (t) => `${t}\n---\napiVersion: v1\nkind: Secret\nmetadata: { name: saga-secrets }\nstringData: { postgres-password: saga }\n`, /a Secret with values/],
    ['a JWT_SECRET env value', 'order.yaml', (t) => t.replace('            - name: JWT_JWKS_URL\n', '            - name: JWT_SECRET\n              value: "0123456789abcdef0123456789abcdef"\n            - name: JWT_JWKS_URL\n'), /JWT_SECRET is set to a literal/],
    ['a literal password in a URL', 'payment.yaml', (t) => t.replace('postgres://saga:$(POSTGRES_PASSWORD)@', 'postgres://saga:saga@'), /a URL with a literal password/],
    ['requirepass with a literal', 'infra/redis.yaml', (t) => t.replace('"--requirepass", "$(REDIS_PASSWORD)"', '"--requirepass", "hunter2"'), /requirepass with a literal value/],
    ['a default_pass in the RabbitMQ config', 'files/rabbitmq-k8s.conf', (t) => `${t}default_pass = saga\n`, /default_pass with a literal value/],
    ['the demo users', 'gateway.yaml', (t) => t.replace('            - name: JWT_SIGNING_KEY_FILE\n', '            - name: DEMO_USERS_ENABLED\n              value: "true"\n            - name: JWT_SIGNING_KEY_FILE\n'), /DEMO_USERS_ENABLED turns on the demo users/],
    ['a password in the init script', 'files/init.sql', (t) => `${t}\nALTER ROLE saga PASSWORD 'saga';\n`, /PASSWORD with a literal value/],
  ])('fails on a copy that adds back %s', (_what, file, change, finding) => {
    edit(file, change);
    expect(k8sSecretFindings(dir)).toEqual(expect.arrayContaining([expect.stringMatching(finding)]));
  });
});

describe('k8s/deploy.sh', () => {
  const script = read('k8s/deploy.sh');
  const base = read('k8s/base/kustomization.yaml');

  it('creates saga-secrets with every key the base reads, from random values, only when it does not exist', () => {
    const referenced = new Set(Object.values(SECRET_KEYS));
    for (const file of ['order.yaml', 'inventory.yaml', 'payment.yaml', 'notification.yaml', 'payment-provider.yaml', 'gateway.yaml', 'infra/postgres.yaml', 'infra/rabbitmq.yaml', 'infra/redis.yaml']) {
      for (const [, key] of read(`k8s/base/${file}`).matchAll(/secretKeyRef: \{ name: saga-secrets, key: ([a-z0-9.-]+) \}/g)) referenced.add(key as string);
    }
    expect(deployScriptSecretKeys(script)).toEqual([...referenced].sort());
    expect(script).toMatch(/if kubectl -n "\$namespace" get secret "\$secret"[^\n]*\n[\s\S]*else[\s\S]*create secret generic/);
    for (const line of script.split('\n').filter((l) => l.includes('--from-literal='))) expect(line).toMatch(/\$\(openssl rand -hex \d+\)/);
    expect(base).not.toMatch(/secretGenerator/);
  });
});
