// The ServiceRegistry port: what services and the gateway need from discovery, independent of Consul.

export interface HealthCheckSpec {
  /** Path on the instance itself (e.g. /health/ready); adapters build the full URL from address and port. */
  httpPath: string;
  intervalS: number;
  timeoutS: number;
  /** A crashed instance that never deregisters is reaped after this long in critical. */
  deregisterCriticalAfterS: number;
}

export interface Registration {
  name: string;
  id: string;
  address: string;
  port: number;
  tags?: string[];
  meta?: Record<string, string>;
  check: HealthCheckSpec;
}

export interface Instance {
  id: string;
  address: string;
  port: number;
  tags: string[];
  meta: Record<string, string>;
}

export interface Watch {
  stop(): void;
}

export interface ServiceRegistry {
  register(instance: Registration): Promise<void>;
  deregister(id: string): Promise<void>;
  /** Instances whose checks pass, sorted by id so callers can compare lists. */
  healthyInstances(name: string): Promise<Instance[]>;
  /** Calls onChange with the first list, then on every change; a registry outage keeps the last list (no call). */
  watch(name: string, onChange: (instances: Instance[]) => void): Watch;
}

export type CheckStatus = 'passing' | 'warning' | 'critical';

/** Stable order and a cheap equality, so watchers only notify on real changes. */
export const sortInstances = (instances: Instance[]): Instance[] => [...instances].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
export const sameInstances = (a: readonly Instance[], b: readonly Instance[]): boolean => JSON.stringify(a) === JSON.stringify(b);
