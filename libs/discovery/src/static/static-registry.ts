// In-memory ServiceRegistry twin for the embedded mode (`npm start`) and unit tests: no health checker runs here.
import { sameInstances, sortInstances, type CheckStatus, type Instance, type Registration, type ServiceRegistry, type Watch } from '../ports/service-registry.port';

interface Entry {
  name: string;
  instance: Instance;
  status: CheckStatus;
}

export interface StaticRegistryOptions {
  /** Instances known from config before anything registers. */
  instances?: Registration[];
  /** In one process nothing can probe the instances, so they count as healthy unless told otherwise. */
  initialStatus?: CheckStatus;
}

export class StaticRegistry implements ServiceRegistry {
  private readonly entries = new Map<string, Entry>();
  private readonly watchers = new Set<{ name: string; last: Instance[] | undefined; onChange: (instances: Instance[]) => void }>();
  private readonly initialStatus: CheckStatus;

  constructor(options: StaticRegistryOptions = {}) {
    this.initialStatus = options.initialStatus ?? 'passing';
    for (const registration of options.instances ?? []) this.put(registration);
  }

  async register(registration: Registration): Promise<void> {
    this.put(registration);
    this.notify();
  }

  async deregister(id: string): Promise<void> {
    // Same outcome as Consul: deregistering an unknown id is an error, not a silent no-op.
    if (!this.entries.delete(id)) throw new Error(`Unknown service ID "${id}"`);
    this.notify();
  }

  async healthyInstances(name: string): Promise<Instance[]> {
    return this.current(name);
  }

  /** Test and fault-injection hook: what Consul's health checker would decide. */
  setHealth(id: string, status: CheckStatus): void {
    const entry = this.entries.get(id);
    if (!entry) throw new Error(`Unknown service ID "${id}"`);
    entry.status = status;
    this.notify();
  }

  watch(name: string, onChange: (instances: Instance[]) => void): Watch {
    const watcher = { name, last: undefined as Instance[] | undefined, onChange };
    this.watchers.add(watcher);
    // Asynchronous first call, like the Consul adapter, so callers never see onChange before watch() returns.
    setImmediate(() => this.watchers.has(watcher) && this.deliver(watcher));
    return { stop: () => void this.watchers.delete(watcher) };
  }

  private put(registration: Registration): void {
    const instance: Instance = { id: registration.id, address: registration.address, port: registration.port, tags: [...(registration.tags ?? [])], meta: { ...(registration.meta ?? {}) } };
    this.entries.set(registration.id, { name: registration.name, instance, status: this.initialStatus });
  }

  private current(name: string): Instance[] {
    const healthy = [...this.entries.values()].filter((entry) => entry.name === name && entry.status === 'passing');
    return sortInstances(healthy.map((entry) => structuredClone(entry.instance)));
  }

  private notify(): void {
    for (const watcher of this.watchers) this.deliver(watcher);
  }

  private deliver(watcher: { name: string; last: Instance[] | undefined; onChange: (instances: Instance[]) => void }): void {
    const next = this.current(watcher.name);
    if (watcher.last && sameInstances(watcher.last, next)) return;
    watcher.last = next;
    watcher.onChange(next);
  }
}
