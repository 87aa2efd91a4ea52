// What every service does with the registry: register itself once listening, and hand back the deregister hook
// (the first graceful-shutdown step, so the registry stops routing to it before its HTTP server closes).
import { hostname } from 'node:os';
import type { Registration, ServiceRegistry } from './ports/service-registry.port';

export interface SelfRegistration {
  /** Service name in the registry (order, inventory, payment, notification, payment-provider). */
  name: string;
  /** The port the HTTP server actually listens on. */
  port: number;
  /** Address others reach this instance on (SERVICE_ADDRESS); default 127.0.0.1. */
  address?: string;
  /** Recorded in meta.version; default 0.1.0. */
  version?: string;
  /** For the instance id; default os.hostname(). */
  hostname?: string;
}

/** The registration a service sends: id <name>-<hostname>-<port>, tag saga-platform, HTTP check on /health/ready. */
export function selfRegistration(self: SelfRegistration): Registration {
  return {
    name: self.name,
    id: `${self.name}-${self.hostname ?? hostname()}-${self.port}`,
    address: self.address ?? '127.0.0.1',
    port: self.port,
    tags: ['saga-platform'],
    meta: { version: self.version ?? '0.1.0' },
    check: { httpPath: '/health/ready', intervalS: 5, timeoutS: 2, deregisterCriticalAfterS: 60 },
  };
}

/** Registers the instance and returns the hook that deregisters it (call it first on shutdown). */
export async function registerSelf(registry: ServiceRegistry, self: SelfRegistration): Promise<() => Promise<void>> {
  const registration = selfRegistration(self);
  await registry.register(registration);
  return () => registry.deregister(registration.id);
}
