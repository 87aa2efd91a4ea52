// End to end through the gateway: every service its own OS process on the real brokers, two gateway replicas
// sharing their rate limits through the real Redis, inventory SIGKILLed and restarted under the gateway's breaker.
// Then the hostile-client scenarios against the same platform.
import { eventually } from '@saga/resilience';
import { describeGatewaySuite, type GatewayTarget } from './support/gateway-scenarios';
import { describeHostileClientSuite } from './support/hostile-client-scenarios';
import { PLATFORM_LOCK_TIMEOUT_MS, startPlatform, type Platform } from './support/platform-processes';

jest.setTimeout(120_000);

let platform: Platform | undefined;
let target: GatewayTarget | undefined;

beforeAll(async () => {
  platform = await startPlatform({
    services: ['provider', 'inventory', 'payment', 'notification', 'order', 'gateway'],
    extraInstances: { gateway: 1 },
    // A short reset keeps the recovery scenario quick; the limits are the documented defaults.
    env: { gateway: { UPSTREAM_BREAKER_RESET_MS: '1000', UPSTREAM_TIMEOUT_MS: '3000' } },
  });
  const p = platform;
  target = {
    gateways: [p.urls.gateway, p.instanceUrl('gateway#2')],
    rateLimitMax: 100,
    authRateLimitMax: 10,
    inventoryOutage: {
      what: 'SIGKILLed',
      begin: () => p.kill('inventory'),
      end: () => p.restart('inventory'),
    },
    // crash-after-commit SIGKILLs payment: restart it once it is gone, as its supervisor would.
    reviveAfterCrash: async () => {
      await eventually(async () => expect(p.isRunning('payment')).toBe(false), 20_000, 50);
      await p.restart('payment');
    },
    describe: () => p.describe(),
  };
}, PLATFORM_LOCK_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

describeGatewaySuite('gateway, services as processes on the real brokers, two replicas sharing Redis', () => {
  if (!target) throw new Error('the platform did not start');
  return target;
});

describeHostileClientSuite('hostile client, services as processes on the real brokers, two replicas sharing Redis', () => {
  if (!target) throw new Error('the platform did not start');
  return target;
});
