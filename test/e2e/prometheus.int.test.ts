// Metrics end to end: every process on its manifest METRICS_PORT, scraped by infra/local's real Prometheus, read back through its query API.
import { eventually } from '@saga/resilience';
import { loadManifest, metricsPort, resolveEnv } from '../../scripts/deploy/manifest';
import { nativeResolver } from '../../scripts/deploy/resolvers';
import { gatewayCall, login, waitForFinalOrder } from './support/gateway-client';
import { PLATFORM_LOCK_TIMEOUT_MS, startPlatform, type Platform, type ServiceName } from './support/platform-processes';

jest.setTimeout(120_000);

const prometheusUrl = process.env.PROMETHEUS_URL;
const manifest = loadManifest();
/** The harness calls payment-provider "provider"; every other process has its manifest name. */
const harnessName = (service: string): ServiceName => (service === 'payment-provider' ? 'provider' : service) as ServiceName;
// What start:local gives each process: its own METRICS_PORT, bound to loopback (the manifest's {bind:internal} here).
const metricsEnv = Object.fromEntries(
  manifest.services.map((s) => [harnessName(s.name), resolveEnv({ METRICS_PORT: s.env.METRICS_PORT ?? '', METRICS_HOST: s.env.METRICS_HOST ?? '' }, nativeResolver({}))]),
) as Record<ServiceName, Record<string, string>>;

type Sample = { metric: Record<string, string>; value: [number, string] };

async function query(expr: string): Promise<Sample[]> {
  const response = await fetch(`${prometheusUrl}/api/v1/query?query=${encodeURIComponent(expr)}`, { signal: AbortSignal.timeout(5_000) });
  const body = (await response.json()) as { status: string; error?: string; data?: { result: Sample[] } };
  if (body.status !== 'success' || !body.data) throw new Error(`${expr}: Prometheus answered ${response.status} ${body.error ?? ''}`);
  return body.data.result;
}

/** The single value of a sum(...) query; an absent series (nothing counted yet) is 0. */
const scalar = async (expr: string): Promise<number> => Number((await query(expr))[0]?.value[1] ?? 0);

const gatewayOrders = 'sum(http_requests_total{job="gateway",service="gateway",route=~"/api/orders.*"})';

let platform: Platform | undefined;

beforeAll(async () => {
  if (!prometheusUrl) throw new Error('PROMETHEUS_URL is not set: run `bash infra/local/infra.sh up` (it starts Prometheus) and `set -a; . .local/env; set +a`');
  // Prometheus must be scraping the manifest's ports, or nothing below can pass: say so before starting anything.
  const jobs = new Set((await query('up')).map((s) => s.metric.job));
  const missing = manifest.services.map((s) => s.name).filter((name) => !jobs.has(name));
  if (missing.length > 0) throw new Error(`Prometheus at ${prometheusUrl} has no job for ${missing.join(', ')}: restart it with infra.sh so it regenerates its scrape config`);
  platform = await startPlatform({
    services: ['provider', 'inventory', 'payment', 'notification', 'order', 'gateway'],
    env: metricsEnv,
  });
}, PLATFORM_LOCK_TIMEOUT_MS + 120_000);

afterAll(async () => {
  await platform?.stop();
}, 60_000);

describe('Prometheus scrapes every process of the platform (infra/local, 1 s interval)', () => {
  it('sees every process up on its own METRICS_PORT', async () => {
    for (const s of manifest.services) expect({ service: s.name, port: metricsPort(s) }).toEqual({ service: s.name, port: expect.any(Number) });
    await eventually(
      async () => {
        const up = await query('up');
        const byJob = Object.fromEntries(manifest.services.map((s) => [s.name, up.find((u) => u.metric.job === s.name && u.metric.instance === `127.0.0.1:${metricsPort(s)}`)?.value[1]]));
        expect(byJob).toEqual(Object.fromEntries(manifest.services.map((s) => [s.name, '1'])));
      },
      20_000,
      500,
    );
  });

  it('counts the orders placed through the gateway, approved and declined, in the gateway and the order service', async () => {
    if (!platform) throw new Error('the platform did not start');
    const gw = platform.urls.gateway;
    // Counters start at 0 in fresh processes, but read the scraped value anyway: only the growth is asserted.
    const before = await scalar(gatewayOrders);
    const alice = await login(gw, 'alice', 'alice-secret');
    const tokens = ['tok_visa', 'tok_chargeDeclined', 'tok_visa', 'tok_visa', 'tok_chargeDeclined', 'tok_visa'];
    let sent = 0;
    const placed = await Promise.all(
      tokens.map(async (paymentToken) => {
        sent++;
        const answer = await gatewayCall<{ orderId: string }>(gw, 'POST', '/api/orders', { authorization: alice, body: { items: [{ sku: 'SKU-APPLE', quantity: 1 }], paymentToken } });
        expect(answer.status).toBe(202);
        return answer.body.orderId;
      }),
    );
    // The saga counters and histograms: in these fresh processes they start from nothing, but read them anyway.
    const sagaBefore = {
      started: await scalar('sum(saga_started_total{job="order"})'),
      approved: await scalar('sum(saga_completed_total{job="order",outcome="APPROVED"})'),
      declined: await scalar('sum(saga_completed_total{job="order",outcome="CANCELLED",reason="PAYMENT_DECLINED"})'),
      durations: await scalar('sum(saga_duration_seconds_count{job="order"})'),
    };
    const finals: string[] = [];
    for (const orderId of placed) {
      // waitForFinalOrder polls GET /api/orders/:id: each poll is one more request the gateway counts.
      const polls = { n: 0 };
      const final = await countPolls(polls, () => waitForFinalOrder(gw, alice, orderId, 30_000));
      sent += polls.n;
      finals.push(final.status);
    }
    expect(finals).toEqual(tokens.map((t) => (t === 'tok_chargeDeclined' ? 'CANCELLED' : 'APPROVED')));

    await eventually(async () => expect(await scalar(gatewayOrders)).toBeGreaterThanOrEqual(before + sent), 20_000, 500);
    await eventually(async () => expect(await scalar('sum(http_request_duration_seconds_count{job="order",service="order"})')).toBeGreaterThanOrEqual(tokens.length), 20_000, 500);
    // Each series by route template, never by order id.
    const routes = (await query('http_requests_total{job="gateway",route=~"/api/orders.*"}')).map((s) => s.metric.route);
    for (const id of placed) expect(routes.join(' ')).not.toContain(id);

    const declined = tokens.filter((t) => t === 'tok_chargeDeclined').length;
    await eventually(async () => {
      expect({
        started: (await scalar('sum(saga_started_total{job="order"})')) - sagaBefore.started,
        approved: (await scalar('sum(saga_completed_total{job="order",outcome="APPROVED"})')) - sagaBefore.approved,
        declined: (await scalar('sum(saga_completed_total{job="order",outcome="CANCELLED",reason="PAYMENT_DECLINED"})')) - sagaBefore.declined,
        durations: (await scalar('sum(saga_duration_seconds_count{job="order"})')) - sagaBefore.durations,
      }).toEqual({ started: tokens.length, approved: tokens.length - declined, declined, durations: tokens.length });
    }, 20_000, 500);
    // The declined ones were compensated: their stock released (C2), counted once each.
    expect(await scalar('sum(saga_compensations_total{job="order"})')).toBeGreaterThanOrEqual(declined);
  });

  it('shows each service\'s messaging: every consumer attached, an outbox backlog per lane that drains to zero', async () => {
    const services = ['order', 'inventory', 'payment', 'notification'];
    await eventually(async () => {
      const running = await query('messaging_consumer_running');
      for (const service of services) {
        const own = running.filter((s) => s.metric.job === service);
        expect({ service, consumers: own.length > 0, allUp: own.every((s) => s.value[1] === '1') }).toEqual({ service, consumers: true, allUp: true });
      }
      const pending = await query('outbox_pending_messages');
      for (const service of services) {
        const lanes = pending.filter((s) => s.metric.job === service).map((s) => `${s.metric.lane}=${s.value[1]}`).sort();
        expect({ service, lanes }).toEqual({ service, lanes: ['command=0', 'event=0'] });
      }
    }, 30_000, 500);
  });
});

/**
 * Counts the gateway calls waitForFinalOrder makes by wrapping global fetch for the duration (it calls gatewayCall,
 * which uses fetch once per poll), so the asserted growth is exactly what this test sent.
 */
async function countPolls<T>(counter: { n: number }, run: () => Promise<T>): Promise<T> {
  const original = globalThis.fetch;
  globalThis.fetch = ((input: Parameters<typeof fetch>[0], init?: Parameters<typeof fetch>[1]) => {
    if (String(input instanceof Request ? input.url : input).includes('/api/orders')) counter.n++;
    return original(input, init);
  }) as typeof fetch;
  try {
    return await run();
  } finally {
    globalThis.fetch = original;
  }
}
