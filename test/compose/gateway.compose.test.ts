// The gateway suites (the user's path and the hostile client's) against `docker compose up`, run by compose:check:
// the same scenarios as the process and embedded modes, on the containers, through the published port.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { eventually } from '@saga/resilience';
import { adminBearer, bearerFor } from '@saga/auth/testing';
import { describeGatewaySuite, type GatewayTarget } from '../e2e/support/gateway-scenarios';
import { describeHostileClientSuite } from '../e2e/support/hostile-client-scenarios';

jest.setTimeout(120_000);

const root = join(__dirname, '../..');
const url = process.env.COMPOSE_GATEWAY_URL;
const composeArgs = (process.env.COMPOSE_ARGS ?? '').split(' ').filter(Boolean);
const adminPassword = process.env.COMPOSE_ADMIN_PASSWORD;
if (!url || composeArgs.length === 0 || !adminPassword || !process.env.SAGA_TEST_SIGNING_KEY_FILE) {
  throw new Error('run by `npm run compose:check`, which sets COMPOSE_GATEWAY_URL, COMPOSE_ARGS, COMPOSE_ADMIN_PASSWORD and SAGA_TEST_SIGNING_KEY_FILE');
}

const compose = (...args: string[]) => execFileSync('docker', ['compose', ...composeArgs, ...args], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
const healthOf = (service: string) => {
  const id = compose('ps', '-q', service).trim().split('\n')[0] ?? '';
  return id ? execFileSync('docker', ['inspect', '-f', '{{.State.Health.Status}}', id], { encoding: 'utf8' }).trim() : 'absent';
};

const target: GatewayTarget = {
  gateways: [url],
  // docker-compose.yml's gateway runs with the documented defaults.
  rateLimitMax: 100,
  authRateLimitMax: 10,
  inventoryOutage: {
    what: 'stopped (docker compose stop inventory)',
    // Stopped gracefully, it deregisters from the registry: the gateway's watch drops it and calls nothing.
    skippedBy: 'registry',
    begin: async () => {
      compose('stop', 'inventory');
    },
    end: async () => {
      compose('start', 'inventory');
      await eventually(async () => expect(healthOf('inventory')).toBe('healthy'), 90_000, 500);
    },
  },
  // crash-after-commit SIGKILLs payment; `restart: unless-stopped` brings the container back by itself.
  reviveAfterCrash: async () => {
    await eventually(async () => expect(healthOf('payment')).toBe('healthy'), 90_000, 500);
  },
  describe: () => `docker compose ${composeArgs.join(' ')} logs --tail 50:\n${compose('logs', '--no-color', '--tail', '50').slice(-20_000)}`,
  // No demo users in compose: the admin logs in with the generated password; alice and bob get tokens signed with
  // the gateway's own key (what an external issuer would hand them).
  accounts: { login: { username: 'admin', password: adminPassword }, alice: bearerFor('alice'), bob: bearerFor('bob'), admin: adminBearer() },
};

describeGatewaySuite('gateway, docker compose', () => target);
describeHostileClientSuite('hostile client, docker compose', () => target);
