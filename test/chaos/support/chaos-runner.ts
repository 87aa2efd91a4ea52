// Runs chaos scenarios on one platform: every service its own process, each one's RabbitMQ link through Toxiproxy
// (also slowed or cut from the gateway's /api/admin/links); per scenario a fresh set of customers, a mixed workload,
// the fault a third of the way in, healed at two thirds.
import { randomBytes } from 'node:crypto';
import { adminBearer } from '@saga/auth/testing';
import { brokerLinkName, proxyNameOf, Toxiproxy, upstreamOf, type ToxiproxyProxy } from '@saga/faults';
import { stockLevels } from '../../e2e/support/order-client';
import { startPlatform, type Platform } from '../../e2e/support/platform-processes';
import { defaultEndpoints } from '../../e2e/support/infra-admin';
import { deadLetterTopicEnds, formatFigures, measureInvariants, type ChaosFigures } from './chaos-invariants';
import { brokerClients, type ChaosContext, type ChaosScenario } from './chaos-scenarios';
import { runWorkload } from './chaos-workload';

export interface ChaosPlatform {
  platform: Platform;
  rabbitLinks: ChaosContext['rabbitLinks'];
  stop(): Promise<void>;
}

/** This run's proxies: `chaos-<pid>-<service>-rabbitmq`, apart from another run's and from start:local's `<service>-rabbitmq`. */
const chaosLinkPrefix = (pid: number): string => `chaos-${pid}-`;

export async function startChaosPlatform(): Promise<ChaosPlatform> {
  const endpoints = defaultEndpoints();
  const toxiproxy = new Toxiproxy(endpoints.toxiproxyUrl);
  const prefix = chaosLinkPrefix(process.pid);
  const rabbitLinks: ChaosContext['rabbitLinks'] = {};
  for (const service of brokerClients) {
    rabbitLinks[service] = await toxiproxy.createProxy(proxyNameOf(prefix, brokerLinkName(service, 'rabbitmq')), upstreamOf(endpoints.rabbitUrl, 5672));
  }
  try {
    const platform = await startPlatform({
      // The gateway too, with the links: during `npm run chaos` an admin can watch in the console and break links there.
      services: ['provider', 'inventory', 'payment', 'notification', 'order', 'gateway'],
      rabbitHostFor: Object.fromEntries(Object.entries(rabbitLinks).map(([service, link]) => [service, (link as ToxiproxyProxy).listen])),
      brokerLinks: { toxiproxyUrl: endpoints.toxiproxyUrl, prefix },
      // The orchestrator gives a silent step 5 s before it compensates (or resends a compensation).
      stepTimeoutMs: 5_000,
      // Payment waits up to 8 s for the provider, longer than the step deadline, so a slow provider's (6 s) successes
      // arrive late (provider-late); reconciliation looks at settled payments every 2 s. Its database timeouts are
      // shortened so that connect + statement + provider still fit one attempt's 15 s bound (checked at start).
      env: {
        payment: {
          PROVIDER_TIMEOUT_MS: '8000',
          DB_CONNECT_TIMEOUT_MS: '3000',
          DB_STATEMENT_TIMEOUT_MS: '4000',
          RECONCILE_INTERVAL_MS: '2000',
          RECONCILE_GRACE_MS: '3000',
        },
      },
    });
    await gatewayListsLinks(platform, brokerClients.map((service) => brokerLinkName(service, 'rabbitmq'))).catch(async (error: unknown) => {
      await platform.stop().catch(() => undefined);
      throw error;
    });
    return {
      platform,
      rabbitLinks,
      stop: async () => {
        await platform.stop();
        for (const link of Object.values(rabbitLinks)) await link?.remove();
      },
    };
  } catch (error) {
    for (const link of Object.values(rabbitLinks)) await link?.remove();
    throw error;
  }
}

/** Fails fast unless the gateway's /api/admin/links lists exactly this run's links: its TOXIPROXY_URL and prefix reached it. */
async function gatewayListsLinks(platform: Platform, expected: string[]): Promise<void> {
  const response = await fetch(`${platform.urls.gateway}/api/admin/links`, { headers: { authorization: adminBearer() }, signal: AbortSignal.timeout(5_000) });
  const body = (await response.json().catch(() => ({}))) as { items?: { name: string; enabled: boolean }[] };
  const listed = (body.items ?? []).filter((link) => link.enabled).map((link) => link.name).sort();
  if (response.status !== 200 || listed.join() !== [...expected].sort().join()) {
    throw new Error(`the gateway's GET /api/admin/links answered ${response.status} ${JSON.stringify(body).slice(0, 300)}; expected the links ${expected.join(', ')}`);
  }
}

/** Plenty of the everyday skus and a little cheese (so some orders still run out of stock), whatever earlier scenarios took. */
const stockTargets: Record<string, number> = { 'SKU-APPLE': 1000, 'SKU-BREAD': 500, 'SKU-TEA': 300, 'SKU-COFFEE': 300, 'SKU-CHEESE': 30 };

async function restockForWorkload(platform: Platform): Promise<void> {
  const stock = await stockLevels(platform.urls.inventory);
  for (const [sku, target] of Object.entries(stockTargets)) {
    const missing = target - (stock[sku] ?? 0);
    if (missing <= 0) continue;
    const response = await fetch(`${platform.urls.inventory}/admin/restock`, {
      method: 'POST',
      headers: { authorization: adminBearer(), 'content-type': 'application/json' },
      body: JSON.stringify({ sku, quantity: missing }),
    });
    if (!response.ok) throw new Error(`restock ${sku} +${missing} answered ${response.status}: ${await response.text()}`);
  }
}

export interface ScenarioOptions {
  orders?: number;
  ratePerSecond?: number;
  /** How long after healing every order must be final. */
  boundMs?: number;
  log?: (message: string) => void;
}

export async function runScenario(chaos: ChaosPlatform, scenario: ChaosScenario, options: ScenarioOptions = {}): Promise<{ figures: ChaosFigures; problems: string[] }> {
  const { platform } = chaos;
  const log = options.log ?? ((message: string) => console.log(`[chaos ${scenario.name}] ${message}`));
  const orders = options.orders ?? 100;
  const tag = randomBytes(3).toString('hex');
  const customers = Array.from({ length: 5 }, (_, i) => `chaos-${scenario.name}-${tag}-${i}`);
  await restockForWorkload(platform);
  const initialStock = await stockLevels(platform.urls.inventory);
  const deadLettersBefore = await deadLetterTopicEnds(platform);
  const ctx: ChaosContext = { platform, rabbitLinks: chaos.rabbitLinks, log };

  let injected: Promise<void> | undefined;
  let healed: Promise<number> | undefined;
  const workload = await runWorkload(() => platform.urls.order, { orders, ratePerSecond: options.ratePerSecond ?? 12, customers }, (started) => {
    if (started === Math.floor(orders / 3) && !injected) {
      log(`injecting: ${scenario.description}`);
      const injectedAt = Date.now();
      injected = scenario.inject(ctx);
      healed = injected.then(async () => {
        const remaining = (scenario.holdMs ?? 3_000) - (Date.now() - injectedAt);
        if (remaining > 0) await new Promise((r) => setTimeout(r, remaining));
        await scenario.heal(ctx);
        log(`healed after ${((Date.now() - injectedAt) / 1000).toFixed(1)} s`);
        return Date.now();
      });
    }
  });
  // Also when the fault outlived the workload: the invariants count from the moment it was healed.
  const healedAt = await (healed ?? Promise.resolve(Date.now()));
  const result = await measureInvariants({
    scenario: scenario.name,
    platform,
    customers,
    accepted: workload.accepted,
    refused: workload.refused,
    initialStock,
    deadLettersBefore,
    healedAt,
    boundMs: options.boundMs ?? 60_000,
  });
  console.log(formatFigures(result.figures));
  return result;
}
