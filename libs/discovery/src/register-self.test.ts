import { discoverUpstream } from './discovered-upstream';
import { registerSelf, selfRegistration } from './register-self';
import { StaticRegistry } from './static/static-registry';
import { eventually } from './testing/eventually';

describe('registerSelf', () => {
  it('registers <name>-<hostname>-<port> with the /health/ready check and returns the deregister hook', async () => {
    const registry = new StaticRegistry();
    const deregister = await registerSelf(registry, { name: 'inventory', port: 3002, hostname: 'box', address: '10.0.0.7', version: '1.2.3' });
    expect(selfRegistration({ name: 'inventory', port: 3002, hostname: 'box' })).toEqual({
      name: 'inventory',
      id: 'inventory-box-3002',
      address: '127.0.0.1',
      port: 3002,
      tags: ['saga-platform'],
      meta: { version: '0.1.0' },
      check: { httpPath: '/health/ready', intervalS: 5, timeoutS: 2, deregisterCriticalAfterS: 60 },
    });
    expect(await registry.healthyInstances('inventory')).toEqual([{ id: 'inventory-box-3002', address: '10.0.0.7', port: 3002, tags: ['saga-platform'], meta: { version: '1.2.3' } }]);
    await deregister();
    expect(await registry.healthyInstances('inventory')).toEqual([]);
  });
});

describe('discoverUpstream', () => {
  it('alternates over the healthy instances and follows changes', async () => {
    const registry = new StaticRegistry();
    await registerSelf(registry, { name: 'inventory', port: 1, hostname: 'a' });
    await registerSelf(registry, { name: 'inventory', port: 2, hostname: 'b' });
    const upstream = discoverUpstream(registry, 'inventory');
    try {
      await eventually(() => expect(upstream.size).toBe(2));
      expect([upstream.next(), upstream.next(), upstream.next()]).toEqual(['http://127.0.0.1:1', 'http://127.0.0.1:2', 'http://127.0.0.1:1']);
      await registry.deregister('inventory-a-1');
      expect([upstream.next(), upstream.next()]).toEqual(['http://127.0.0.1:2', 'http://127.0.0.1:2']);
      await registry.deregister('inventory-b-2');
      expect(upstream.next()).toBeUndefined();
    } finally {
      upstream.stop();
    }
  });
});
