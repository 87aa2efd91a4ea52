// start:local's broker links over the real manifest: which services get a proxy, where each proxy forwards, the
// RABBITMQ_URL each service is given (credentials and vhost kept) and the gateway's Toxiproxy settings.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadManifest, repoRoot } from '../deploy/manifest';
import { nativeSpecs } from '../deploy/resolvers';
import { linkLines, planBrokerLinks, throughBrokerLinks } from './broker-links';

// What infra:up writes to .local/env (the variables the manifest's placeholders resolve from).
const env = {
  RABBITMQ_URL: 'amqp://guest:guest@127.0.0.1:5672',
  KAFKA_BROKERS: '127.0.0.1:9092',
  ORDER_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/order_db',
  INVENTORY_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/inventory_db',
  PAYMENT_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/payment_db',
  NOTIFICATION_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/notification_db',
  PROVIDER_DATABASE_URL: 'postgres://saga:saga@127.0.0.1:5432/provider_db',
  TOXIPROXY_URL: 'http://127.0.0.1:8474',
};
const specs = nativeSpecs(loadManifest(), env);
const listen = { 'inventory-rabbitmq': '127.0.0.1:40002', 'payment-rabbitmq': '127.0.0.1:40003', 'notification-rabbitmq': '127.0.0.1:40004', 'order-rabbitmq': '127.0.0.1:40001' };

describe("start:local's broker links", () => {
  it('plans one proxy per service that reaches RabbitMQ, named <service>-rabbitmq, to the broker', () => {
    expect(planBrokerLinks(specs)).toEqual([
      { proxy: 'inventory-rabbitmq', service: 'inventory', upstream: '127.0.0.1:5672' },
      { proxy: 'payment-rabbitmq', service: 'payment', upstream: '127.0.0.1:5672' },
      { proxy: 'notification-rabbitmq', service: 'notification', upstream: '127.0.0.1:5672' },
      { proxy: 'order-rabbitmq', service: 'order', upstream: '127.0.0.1:5672' },
    ]);
  });

  it("creates only links the gateway's API contract names (so the console can slow or cut every one)", () => {
    const contract = JSON.parse(readFileSync(join(repoRoot, 'docs/openapi.json'), 'utf8')) as { paths: Record<string, { post: { parameters: { name: string; schema: { enum: string[] } }[] } }> };
    const names = contract.paths['/api/admin/links/{name}/cut']?.post.parameters.find((p) => p.name === 'name')?.schema.enum;
    expect(names).toEqual(expect.arrayContaining(planBrokerLinks(specs).map((link) => link.proxy)));
  });

  it("forwards to the broker .local/env names, on RabbitMQ's default port when the URL has none", () => {
    const elsewhere = nativeSpecs(loadManifest(), { ...env, RABBITMQ_URL: 'amqp://saga:pw@rabbit.internal/saga' });
    expect(new Set(planBrokerLinks(elsewhere).map((link) => link.upstream))).toEqual(new Set(['rabbit.internal:5672']));
  });

  it("points each service's RABBITMQ_URL at its own proxy and leaves everything else as the manifest says", () => {
    const links = planBrokerLinks(specs);
    const linked = throughBrokerLinks(specs, links, listen, env.TOXIPROXY_URL);
    const envOf = (name: string) => linked.find((spec) => spec.name === name)?.env ?? {};
    const before = (name: string) => specs.find((spec) => spec.name === name)?.env ?? {};
    expect(envOf('order').RABBITMQ_URL).toBe('amqp://guest:guest@127.0.0.1:40001');
    expect(envOf('inventory').RABBITMQ_URL).toBe('amqp://guest:guest@127.0.0.1:40002');
    expect(envOf('payment').RABBITMQ_URL).toBe('amqp://guest:guest@127.0.0.1:40003');
    expect(envOf('notification').RABBITMQ_URL).toBe('amqp://guest:guest@127.0.0.1:40004');
    for (const name of ['order', 'inventory', 'payment', 'notification']) {
      const { RABBITMQ_URL: _changed, ...rest } = envOf(name);
      const { RABBITMQ_URL: _original, ...unchanged } = before(name);
      expect(rest).toEqual(unchanged);
      // Kafka stays direct.
      expect(envOf(name).KAFKA_BROKERS).toBe('127.0.0.1:9092');
    }
    expect(envOf('payment-provider')).toEqual(before('payment-provider'));
    expect(envOf('payment-provider').RABBITMQ_URL).toBeUndefined();
  });

  it('keeps credentials, vhost and query of the broker URL through the proxy', () => {
    const withVhost = nativeSpecs(loadManifest(), { ...env, RABBITMQ_URL: 'amqp://saga:s3cret@127.0.0.1:5673/saga?heartbeat=10' });
    const linked = throughBrokerLinks(withVhost, planBrokerLinks(withVhost), listen, env.TOXIPROXY_URL);
    expect(linked.find((spec) => spec.name === 'order')?.env.RABBITMQ_URL).toBe('amqp://saga:s3cret@127.0.0.1:40001/saga?heartbeat=10');
    expect(planBrokerLinks(withVhost)[0]?.upstream).toBe('127.0.0.1:5673');
  });

  it('tells the gateway where Toxiproxy is, with no prefix (its links are <service>-rabbitmq)', () => {
    const gateway = throughBrokerLinks(specs, planBrokerLinks(specs), listen, env.TOXIPROXY_URL).find((spec) => spec.public);
    expect(gateway?.name).toBe('gateway');
    expect(gateway?.env).toMatchObject({ TOXIPROXY_URL: 'http://127.0.0.1:8474', TOXIPROXY_LINK_PREFIX: '' });
    expect(gateway?.env.RABBITMQ_URL).toBeUndefined();
  });

  it('refuses a planned link whose proxy has no address (a proxy that was not created)', () => {
    const { 'order-rabbitmq': _missing, ...partial } = listen;
    expect(() => throughBrokerLinks(specs, planBrokerLinks(specs), partial, env.TOXIPROXY_URL)).toThrow('no address for the proxy order-rabbitmq');
  });

  it('words each link for the banner', () => {
    expect(linkLines(planBrokerLinks(specs).slice(0, 1), listen)).toEqual(['inventory-rabbitmq 127.0.0.1:40002 → 127.0.0.1:5672']);
  });
});
