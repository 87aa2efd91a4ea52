// A service's current base URL from the registry: watches the healthy instances and picks one round-robin per call.
import type { Instance, ServiceRegistry } from './ports/service-registry.port';
import { RoundRobin } from './round-robin';

export interface DiscoveredUpstream {
  readonly name: string;
  /** http://address:port of the next healthy instance, or undefined when none is known. */
  next(): string | undefined;
  /** Every healthy instance's base URL (for questions each instance answers for itself, such as its spans). */
  all(): string[];
  /** How many healthy instances are known right now. */
  readonly size: number;
  stop(): void;
}

export const instanceUrl = (instance: Instance): string => `http://${instance.address.includes(':') ? `[${instance.address}]` : instance.address}:${instance.port}`;

/** The watch keeps the list current; a registry outage keeps the last known list (the adapters do that). */
export function discoverUpstream(registry: ServiceRegistry, name: string): DiscoveredUpstream {
  const picker = new RoundRobin<string>();
  const watch = registry.watch(name, (instances) => picker.update(instances.map(instanceUrl)));
  return {
    name,
    next: () => picker.next(),
    all: () => picker.all(),
    get size() {
      return picker.size;
    },
    stop: () => watch.stop(),
  };
}
