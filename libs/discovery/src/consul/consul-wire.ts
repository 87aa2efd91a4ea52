// Consul HTTP API shapes we send and read, spelled exactly as Consul's API docs spell them (agent/service, health).
import type { Instance, Registration } from '../ports/service-registry.port';

/** Body of PUT /v1/agent/service/register (only the fields we use). */
export interface ConsulServiceDefinition {
  Name: string;
  ID: string;
  Address: string;
  Port: number;
  Tags: string[];
  Meta: Record<string, string>;
  Check: { HTTP: string; Interval: string; Timeout: string; DeregisterCriticalServiceAfter: string };
}

/** One entry of GET /v1/health/service/:service. */
export interface ConsulHealthEntry {
  Node: { Node: string; Address: string };
  Service: { ID: string; Service: string; Address: string; Port: number; Tags: string[] | null; Meta: Record<string, string> | null };
  Checks: Array<{ CheckID: string; Status: string }>;
}

/** Consul durations are Go duration strings ("10s"); a bare number would be read as nanoseconds. */
export const seconds = (s: number): string => `${s}s`;

export function toServiceDefinition(registration: Registration): ConsulServiceDefinition {
  const { check } = registration;
  const path = check.httpPath.startsWith('/') ? check.httpPath : `/${check.httpPath}`;
  return {
    Name: registration.name,
    ID: registration.id,
    Address: registration.address,
    Port: registration.port,
    Tags: registration.tags ?? [],
    Meta: registration.meta ?? {},
    Check: {
      HTTP: `http://${hostForUrl(registration.address)}:${registration.port}${path}`,
      Interval: seconds(check.intervalS),
      Timeout: seconds(check.timeoutS),
      DeregisterCriticalServiceAfter: seconds(check.deregisterCriticalAfterS),
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

const hostForUrl = (address: string): string => (address.includes(':') ? `[${address}]` : address);
