// Runs the ServiceRegistry contract against the in-memory twin, plus what only the twin does (config instances).
import { describeServiceRegistryContract } from '../testing/service-registry.contract';
import { StaticRegistry } from './static-registry';

describeServiceRegistryContract('StaticRegistry', async () => {
  const registry = new StaticRegistry();
  return {
    registry,
    healthyOnRegister: true,
    setHealth: async (id, status) => registry.setHealth(id, status),
    // Nothing to lose in one process: the registry is the process.
    makeUnreachable: async () => undefined,
    makeReachable: async () => undefined,
    close: async () => undefined,
  };
});

describe('StaticRegistry from config', () => {
  it('serves the configured instances without any registration', async () => {
    const check = { httpPath: '/health/ready', intervalS: 10, timeoutS: 2, deregisterCriticalAfterS: 60 };
    const registry = new StaticRegistry({ instances: [{ name: 'inventory', id: 'inventory-1', address: '127.0.0.1', port: 3002, check }] });
    expect(await registry.healthyInstances('inventory')).toEqual([{ id: 'inventory-1', address: '127.0.0.1', port: 3002, tags: [], meta: {} }]);
  });
});
