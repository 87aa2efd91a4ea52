// Broker links: names per service and broker, the prefix a deployment puts in front, the gateway's settings and the URL through a proxy.
import { z } from 'zod';
import { LINK_NAME_PATTERN, brokerLinkEnv, brokerLinkSettingsShape, brokerLinksOf, proxyNameOf, throughProxy, upstreamOf } from './broker-links';

describe('broker links', () => {
  it('names one link per service and broker, service by service, each a valid link name', () => {
    const links = brokerLinksOf(['order', 'inventory']);
    expect(links).toEqual([
      { name: 'order-rabbitmq', service: 'order', broker: 'rabbitmq' },
      { name: 'inventory-rabbitmq', service: 'inventory', broker: 'rabbitmq' },
    ]);
    for (const link of links) expect(link.name).toMatch(LINK_NAME_PATTERN);
  });

  it("puts the deployment's prefix in front of the proxy's name, and none by default", () => {
    expect(proxyNameOf('chaos-1234-', 'payment-rabbitmq')).toBe('chaos-1234-payment-rabbitmq');
    expect(proxyNameOf('', 'payment-rabbitmq')).toBe('payment-rabbitmq');
  });

  it('sends a URL through a proxy, keeping credentials, vhost and query', () => {
    expect(throughProxy('amqp://guest:guest@127.0.0.1:5672/e2e_ab12?heartbeat=10', '127.0.0.1:40123')).toBe('amqp://guest:guest@127.0.0.1:40123/e2e_ab12?heartbeat=10');
    expect(throughProxy('amqp://saga:secret@rabbit.local', '127.0.0.1:40123')).toBe('amqp://saga:secret@127.0.0.1:40123');
  });

  it("gives a proxy the broker's host and port, or the broker's default port", () => {
    expect(upstreamOf('amqp://guest:guest@127.0.0.1:5673/vhost', 5672)).toBe('127.0.0.1:5673');
    expect(upstreamOf('amqp://guest:guest@rabbit.local', 5672)).toBe('rabbit.local:5672');
  });

  it("parses the gateway's settings: off without TOXIPROXY_URL, a prefix of name characters only", () => {
    const settings = z.object(brokerLinkSettingsShape);
    expect(settings.parse({})).toEqual({ TOXIPROXY_LINK_PREFIX: '' });
    const env = brokerLinkEnv('http://127.0.0.1:8474', 'chaos-42-');
    expect(settings.parse(env)).toEqual({ TOXIPROXY_URL: 'http://127.0.0.1:8474', TOXIPROXY_LINK_PREFIX: 'chaos-42-' });
    expect(settings.safeParse({ TOXIPROXY_URL: 'tcp://127.0.0.1:8474' }).success).toBe(false);
    expect(settings.safeParse({ TOXIPROXY_LINK_PREFIX: '../' }).success).toBe(false);
    expect(settings.safeParse({ TOXIPROXY_LINK_PREFIX: 'Chaos' }).success).toBe(false);
  });
});
