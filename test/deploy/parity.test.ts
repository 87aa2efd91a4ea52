// docker-compose.yml, k8s/base and start:local agree with infra/platform/services.json: services, ports, scripts, env names, links.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { ComposeDoc } from '../../scripts/deploy/check-compose';
import { k8sBaseOffSwitches, parityErrors, type DeployedService } from '../../scripts/deploy/check-parity';
import { composeDeployed, k8sDeployed, loadK8sDocuments, nativeDeployed } from '../../scripts/deploy/deployments';
import { loadManifest, repoRoot } from '../../scripts/deploy/manifest';
import { composeFiles } from '../../scripts/deploy/render-compose';

const manifest = loadManifest();
const compose = parse(readFileSync(join(repoRoot, composeFiles.main), 'utf8')) as ComposeDoc;
const k8s = k8sDeployed(loadK8sDocuments(join(repoRoot, 'k8s/base')));
// What `npm run infra:up` writes to .local/env on this kind of machine (no Consul, no exported JWT_SECRET).
const localEnv = {
  ORDER_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/order_db',
  INVENTORY_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/inventory_db',
  PAYMENT_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/payment_db',
  NOTIFICATION_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/notification_db',
  PROVIDER_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/provider_db',
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
  KAFKA_BROKERS: '127.0.0.1:9092',
  REDIS_URL: 'redis://127.0.0.1:6379',
};
const native = nativeDeployed(manifest, localEnv);
// The base keeps the fault API off (the overlays turn it on; test/deploy/k8s.test.ts checks both).
const k8sOptions = { offSwitches: k8sBaseOffSwitches };
const nativeOptions = {
  hostName: () => '127.0.0.1',
  bindAddress: '127.0.0.1',
  mayBeUnset: (template: string) => template === '{infra:consul}' || template === '{infra:jaeger}' || template.startsWith('{secret:'),
};

const without = (list: DeployedService[], name: string) => list.filter((d) => d.name !== name);
const renamed = (list: DeployedService[], name: string, from: string, to: string) =>
  list.map((d) => (d.name === name ? { ...d, env: new Map([...d.env].map(([k, v]) => [k === from ? to : k, v])) } : d));
const withValue = (list: DeployedService[], name: string, key: string, value: string) =>
  list.map((d) => (d.name === name ? { ...d, env: new Map([...d.env, [key, { kind: 'value' as const, value }]]) } : d));

describe('one manifest, three ways to run it', () => {
  it('docker-compose.yml runs every service with its port, script and exactly the manifest’s variables', () => {
    expect(parityErrors(manifest, composeDeployed(compose, manifest), 'compose')).toEqual([]);
  });

  it('k8s/base has a Deployment and Service per service, with the manifest’s port, script and variables', () => {
    const names = manifest.services.map((s) => s.name);
    expect(k8s.map((d) => d.name).filter((name) => names.includes(name)).sort()).toEqual([...names].sort());
    expect(parityErrors(manifest, k8s, 'k8s', k8sOptions)).toEqual([]);
  });

  it('start:local gives each process the manifest’s variables on 127.0.0.1, without Consul and the JWT secret when none are exported', () => {
    expect(parityErrors(manifest, native, 'start:local', nativeOptions)).toEqual([]);
    const payment = native.find((d) => d.name === 'payment');
    expect(payment?.env.get('PAYMENT_PROVIDER_URL')).toEqual({ kind: 'value', value: 'http://127.0.0.1:4010' });
    expect(payment?.env.get('DATABASE_URL')).toEqual({ kind: 'value', value: localEnv.PAYMENT_DATABASE_URL });
    expect(payment?.env.has('CONSUL_URL')).toBe(false);
    expect(payment?.env.has('JWT_SECRET')).toBe(false);
    expect(native.find((d) => d.name === 'gateway')?.env.has('JWT_SIGNING_KEY_FILE')).toBe(false);
  });

  it('start:local passes Consul and the gateway key and admin password files on when they are exported', () => {
    const withConsul = nativeDeployed(manifest, { ...localEnv, CONSUL_URL: 'http://127.0.0.1:8500', JWT_SIGNING_KEY_FILE: '/etc/saga/key.pem', ADMIN_PASSWORD_FILE: '/etc/saga/admin' });
    expect(parityErrors(manifest, withConsul, 'start:local', { hostName: () => '127.0.0.1', bindAddress: '127.0.0.1', mayBeUnset: (template) => template === '{infra:jaeger}' })).toEqual([]);
    expect(withConsul.find((d) => d.name === 'gateway')?.env.get('JWT_SIGNING_KEY_FILE')).toEqual({ kind: 'value', value: '/etc/saga/key.pem' });
  });

  it('start:local exports no spans unless OTEL_EXPORTER_OTLP_ENDPOINT is exported: absent by default and when empty, passed on when set', () => {
    for (const d of native) expect({ name: d.name, set: d.env.has('OTEL_EXPORTER_OTLP_ENDPOINT') }).toEqual({ name: d.name, set: false });
    const empty = nativeDeployed(manifest, { ...localEnv, OTEL_EXPORTER_OTLP_ENDPOINT: '' });
    for (const d of empty) expect({ name: d.name, set: d.env.has('OTEL_EXPORTER_OTLP_ENDPOINT') }).toEqual({ name: d.name, set: false });
    const exported = nativeDeployed(manifest, { ...localEnv, OTEL_EXPORTER_OTLP_ENDPOINT: 'http://127.0.0.1:4318' });
    expect(parityErrors(manifest, exported, 'start:local', nativeOptions)).toEqual([]);
    for (const d of exported) expect({ name: d.name, endpoint: d.env.get('OTEL_EXPORTER_OTLP_ENDPOINT') }).toEqual({ name: d.name, endpoint: { kind: 'value', value: 'http://127.0.0.1:4318' } });
  });

  it('start:local points the services at the gateway’s JWKS, on the port the gateway really has', () => {
    expect(native.find((d) => d.name === 'order')?.env.get('JWT_JWKS_URL')).toEqual({ kind: 'value', value: 'http://127.0.0.1:8080/.well-known/jwks.json' });
    const moved = nativeDeployed(manifest, { ...localEnv, PORT: '9090' });
    expect(moved.find((d) => d.name === 'payment')?.env.get('JWT_JWKS_URL')).toEqual({ kind: 'value', value: 'http://127.0.0.1:9090/.well-known/jwks.json' });
  });

  it('start:local reads the manifest rather than a list of its own', () => {
    const source = readFileSync(join(repoRoot, 'scripts/start-local.ts'), 'utf8');
    expect(source).toContain('loadManifest()');
    expect(source).not.toMatch(/services\/[a-z-]+\/dist\/main\.js|:300[1-4]|:4010/);
  });
});

describe('the parity check rejects a deployment that drifted', () => {
  const composed = composeDeployed(compose, manifest);

  it('a service missing from compose', () => {
    expect(parityErrors(manifest, without(composed, 'notification'), 'compose')).toEqual(['compose: service notification of the manifest is missing']);
  });

  it('a renamed variable, in compose and in k8s', () => {
    expect(parityErrors(manifest, renamed(composed, 'order', 'INVENTORY_URL', 'INVENTORY_BASE_URL'), 'compose')).toEqual([
      'compose: order.INVENTORY_URL is missing',
      'compose: order.INVENTORY_BASE_URL is not in the manifest (renamed or extra?)',
    ]);
    expect(parityErrors(manifest, renamed(k8s, 'gateway', 'REDIS_URL', 'REDIS'), 'k8s', k8sOptions)).toEqual([
      'k8s: gateway.REDIS_URL is missing',
      'k8s: gateway.REDIS is not in the manifest (renamed or extra?)',
    ]);
  });

  it('a link to the wrong service or port', () => {
    expect(parityErrors(manifest, withValue(composed, 'order', 'INVENTORY_URL', 'http://payment:3002'), 'compose')).toEqual([
      'compose: order.INVENTORY_URL is "http://payment:3002", which does not point where http://{host:inventory}:3002 does',
    ]);
    expect(parityErrors(manifest, withValue(k8s, 'gateway', 'ORDER_URL', 'http://order:3002'), 'k8s', k8sOptions)).toEqual([
      'k8s: gateway.ORDER_URL is "http://order:3002", which does not point where http://{host:order}:3001 does',
    ]);
  });

  it('a metrics listener bound where the environment must not bind it', () => {
    expect(parityErrors(manifest, withValue(composed, 'order', 'METRICS_HOST', '127.0.0.1'), 'compose')).toEqual([
      'compose: order.METRICS_HOST is "127.0.0.1", {bind:internal} is "0.0.0.0" here',
    ]);
    expect(parityErrors(manifest, withValue(native, 'order', 'METRICS_HOST', '0.0.0.0'), 'start:local', nativeOptions)).toEqual([
      'start:local: order.METRICS_HOST is "0.0.0.0", {bind:internal} is "127.0.0.1" here',
    ]);
  });

  it('a service on another port, running another script, or on the wrong database', () => {
    const moved = composed.map((d) => (d.name === 'payment' ? { ...d, ports: [3333], command: 'node services/order/dist/main.js' } : d));
    expect(parityErrors(manifest, moved, 'compose')).toEqual(['compose: payment listens on 3333, the manifest says 3003', 'compose: payment runs "node services/order/dist/main.js", not services/payment/dist/main.js']);
    expect(parityErrors(manifest, withValue(composed, 'payment', 'DATABASE_URL', 'postgres://saga:saga@postgres:5432/order_db'), 'compose')).toEqual([
      'compose: payment.DATABASE_URL does not name database payment_db',
    ]);
  });
});
