// /api/admin/links, pure: only the platform's proxies are shown, in the links' order; names looked up; the latency body.
import { brokerLinksOf, type ProxyState } from '@saga/faults';
import { brokerLinkViewSchema, latencyBody, linkNameSchema, linkViews, lookupLink } from './broker-link-view';

const links = brokerLinksOf(['order', 'inventory', 'payment']);
const proxy = (name: string, overrides: Partial<ProxyState> = {}): ProxyState => ({ name, listen: '127.0.0.1:40001', upstream: '127.0.0.1:5672', enabled: true, toxics: [], ...overrides });

describe('broker link views', () => {
  it("shows the platform's proxies under its prefix, in the links' order, and no other proxy", () => {
    const latency = { name: 'latency', type: 'latency', stream: 'downstream' as const, toxicity: 1, attributes: { latency: 400, jitter: 100 } };
    const proxies = [
      proxy('chaos-7-payment-rabbitmq', { enabled: false }),
      proxy('chaos-7-order-rabbitmq', { toxics: [latency] }),
      proxy('order-rabbitmq'), // another deployment's (no prefix): not this gateway's
      proxy('chaos-7-order-redis'), // not a link
      proxy('embedded-inventory-99'),
    ];
    const views = linkViews(links, 'chaos-7-', proxies);
    expect(views).toEqual([
      { name: 'order-rabbitmq', service: 'order', broker: 'rabbitmq', proxy: 'chaos-7-order-rabbitmq', listen: '127.0.0.1:40001', upstream: '127.0.0.1:5672', enabled: true, toxics: [latency] },
      { name: 'payment-rabbitmq', service: 'payment', broker: 'rabbitmq', proxy: 'chaos-7-payment-rabbitmq', listen: '127.0.0.1:40001', upstream: '127.0.0.1:5672', enabled: false, toxics: [] },
    ]);
    for (const view of views) expect(brokerLinkViewSchema.parse(view)).toEqual(view);
    expect(linkViews(links, '', proxies).map((view) => view.proxy)).toEqual(['order-rabbitmq']);
  });

  it('looks a name up: a link, a name no link has, or not a link name at all', () => {
    expect(lookupLink('inventory-rabbitmq', links)).toEqual({ found: true, link: { name: 'inventory-rabbitmq', service: 'inventory', broker: 'rabbitmq' } });
    expect(lookupLink('order-kafka', links)).toEqual({ found: false, reason: 'unknown' });
    expect(lookupLink('notification-rabbitmq', links)).toEqual({ found: false, reason: 'unknown' });
    for (const bad of ['', 'Order-rabbitmq', '../admin', 'order rabbitmq', '-order', 'x'.repeat(64)]) expect(lookupLink(bad, links)).toEqual({ found: false, reason: 'invalid' });
  });

  it("lists exactly the links' names in the contract", () => {
    expect(linkNameSchema(['order', 'inventory']).options).toEqual(['order-rabbitmq', 'inventory-rabbitmq']);
  });

  it('takes a latency of 1 ms to a minute, jitter defaulting to 0, and nothing else', () => {
    expect(latencyBody.parse({ latencyMs: 400 })).toEqual({ latencyMs: 400, jitterMs: 0 });
    expect(latencyBody.parse({ latencyMs: 60_000, jitterMs: 100 })).toEqual({ latencyMs: 60_000, jitterMs: 100 });
    for (const bad of [{}, { latencyMs: 0 }, { latencyMs: 60_001 }, { latencyMs: 1.5 }, { latencyMs: '400' }, { latencyMs: 400, jitterMs: -1 }, { latencyMs: 400, extra: true }, null, []]) {
      expect(latencyBody.safeParse(bad).success).toBe(false);
    }
  });
});
