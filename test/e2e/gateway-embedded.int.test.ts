// The same gateway scenarios against `npm start`: the embedded platform, one OS process (gateway, four services and
// the provider on PGlite and the in-memory brokers), spawned from its built entry point as a user would run it.
// Inventory's outage is a network cut: the gateway reaches it through a Toxiproxy proxy (the services share the process).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { testSigningKeyPem } from '@saga/auth/testing';
import { Toxiproxy, type ToxiproxyProxy } from '@saga/faults';
import { describeGatewaySuite, type GatewayTarget } from './support/gateway-scenarios';
import { describeHostileClientSuite } from './support/hostile-client-scenarios';
import { defaultEndpoints } from './support/infra-admin';
import { freePort, logTail, ServiceProcess } from './support/service-process';

jest.setTimeout(120_000);

const repoRoot = resolve(__dirname, '../..');
let embedded: ServiceProcess | undefined;
let inventoryLink: ToxiproxyProxy | undefined;
let dataDir: string | undefined;
let target: GatewayTarget | undefined;

beforeAll(async () => {
  dataDir = mkdtempSync(join(tmpdir(), 'saga-embedded-e2e-'));
  const ports = { gateway: await freePort(), order: await freePort(), inventory: await freePort(), payment: await freePort(), notification: await freePort(), provider: await freePort() };
  inventoryLink = await new Toxiproxy(defaultEndpoints().toxiproxyUrl).createProxy(`embedded-inventory-${process.pid}`, `127.0.0.1:${ports.inventory}`);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: process.env.HOME ?? '',
    PORT: String(ports.gateway),
    HOST: '127.0.0.1',
    ORDER_PORT: String(ports.order),
    INVENTORY_PORT: String(ports.inventory),
    PAYMENT_PORT: String(ports.payment),
    NOTIFICATION_PORT: String(ports.notification),
    PROVIDER_PORT: String(ports.provider),
    SAGA_DATA_DIR: dataDir,
    // Local demo mode, signing with this test process's key: the scenarios' own tokens (signTestToken) are accepted too.
    DEMO_USERS_ENABLED: 'true',
    JWT_SIGNING_KEY: testSigningKeyPem(),
    INVENTORY_URL: inventoryLink.url,
    UPSTREAM_BREAKER_RESET_MS: '1000',
    UPSTREAM_TIMEOUT_MS: '3000',
    LOG_LEVEL: 'warn',
  };
  const logFile = join(repoRoot, '.local/logs', `embedded-e2e-${process.pid}.log`);
  embedded = new ServiceProcess({ name: 'embedded', script: join(repoRoot, 'platform/embedded/dist/main.js'), port: ports.gateway, env, logFile });
  embedded.start();
  // About 12 s on a quiet 2-core machine (five PGlite databases, migrations, OpenTelemetry); several times that while
  // the other integration suites run beside it.
  await embedded.waitReady(150_000);
  const link = inventoryLink;
  target = {
    gateways: [embedded.url],
    rateLimitMax: 100,
    authRateLimitMax: 10,
    inventoryOutage: { what: 'cut off (Toxiproxy)', begin: () => link.cut(), end: () => link.restore() },
    // In one process a crash after commit throws instead: the message comes back by itself.
    reviveAfterCrash: async () => undefined,
    describe: () => `embedded process log ${logFile}:\n${logTail(logFile, 20)}`,
  };
}, 180_000);

afterAll(async () => {
  await embedded?.kill('SIGTERM');
  await inventoryLink?.remove();
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
}, 30_000);

describeGatewaySuite('gateway, the embedded platform (npm start)', () => {
  if (!target) throw new Error('the embedded platform did not start');
  return target;
});

describeHostileClientSuite('hostile client, the embedded platform (npm start)', () => {
  if (!target) throw new Error('the embedded platform did not start');
  return target;
});
