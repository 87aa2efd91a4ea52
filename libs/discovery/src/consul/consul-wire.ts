// What we hand the `consul` package and what Consul hands back: the package's register options (it spells them as Consul's
// agent API fields: Name, ID, Check.HTTP, ...) and the health entries of GET /v1/health/service/:service.
import { sortInstances, type Instance, type Registration } from '../ports/service-registry.port';
import { ConsulRegistryError } from './consul-client';

/** One entry of GET /v1/health/service/:service (the package types the body as any[]). */
export interface ConsulHealthEntry {
  Node: { Node: string; Address: string };
  Service: { ID: string; Service: string; Address: string; Port: number; Tags: string[] | null; Meta: Record<string, string> | null };
  Checks: Array<{ CheckID: string; Status: string }>;
}

/** Consul durations are Go duration strings ("10s"); a bare number would be read as nanoseconds. */
export const seconds = (s: number): string => `${s}s`;

/** Options for `agent.service.register`; the package sends PUT /v1/agent/service/register with Consul's field names. */
export function toRegisterOptions(registration: Registration) {
  const { check } = registration;
  const path = check.httpPath.startsWith('/') ? check.httpPath : `/${check.httpPath}`;
  return {
    name: registration.name,
    id: registration.id,
    address: registration.address,
    port: registration.port,
    tags: registration.tags ?? [],
    meta: registration.meta ?? {},
    check: {
      // The name Consul gives a service check when none is sent; the package's types ask for one.
      name: `Service '${registration.name}' check`,
      http: `http://${hostForUrl(registration.address)}:${registration.port}${path}`,
      interval: seconds(check.intervalS),
      timeout: seconds(check.timeoutS),
      deregistercriticalserviceafter: seconds(check.deregisterCriticalAfterS),
    },
  };
}

export function fromHealthEntry(entry: ConsulHealthEntry): Instance {
  const service = entry.Service;
  return {
    id: service.ID,
    // Consul docs: an empty Service.Address means "use the node's address".
    address: service.Address || entry.Node.Address,
    port: service.Port,
    tags: service.Tags ?? [],
    meta: service.Meta ?? {},
  };
}

/** A health/service body as the sorted instance list; anything but an array is a broken answer, never "no instances". */
export function toInstances(body: unknown): Instance[] {
  if (!Array.isArray(body)) throw new ConsulRegistryError(`Consul health.service answered ${typeof body}, not a list`);
  return sortInstances((body as ConsulHealthEntry[]).map(fromHealthEntry));
}

const hostForUrl = (address: string): string => (address.includes(':') ? `[${address}]` : address);
