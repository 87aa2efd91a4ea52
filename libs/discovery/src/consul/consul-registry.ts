// ServiceRegistry over Consul's HTTP API through the `consul` npm package: registration, deregistration and health
// queries are its calls, watches its blocking-query `watch` helper (see consul-watch.ts and docs/decisions/0016).
import type Consul from 'consul';
import type { Instance, Registration, ServiceRegistry, Watch } from '../ports/service-registry.port';
import { consulCall, consulClient } from './consul-client';
import { toInstances, toRegisterOptions } from './consul-wire';
import { watchHealth, type WatchOptions } from './consul-watch';

export { ConsulRegistryError } from './consul-client';

export interface ConsulRegistryOptions {
  /** Agent address, e.g. http://127.0.0.1:8500 (CONSUL_URL). */
  url: string;
  /** ACL token sent as X-Consul-Token when set. */
  token?: string;
  /** Timeout of ordinary (non-blocking) calls. */
  requestTimeoutMs?: number;
  watch?: Partial<WatchOptions>;
}

export class ConsulRegistry implements ServiceRegistry {
  private readonly consul: Consul;

  constructor(private readonly options: ConsulRegistryOptions) {
    this.consul = consulClient(options.url, { token: options.token, requestTimeoutMs: options.requestTimeoutMs ?? 5_000 });
  }

  async register(registration: Registration): Promise<void> {
    await consulCall(`agent.service.register ${registration.id}`, this.consul.agent.service.register(toRegisterOptions(registration)));
  }

  async deregister(id: string): Promise<void> {
    await consulCall(`agent.service.deregister ${id}`, this.consul.agent.service.deregister(id));
  }

  /** GET /v1/health/service/:name?passing=true, without blocking. */
  async healthyInstances(name: string): Promise<Instance[]> {
    return toInstances(await consulCall(`health.service ${name}`, this.consul.health.service({ service: name, passing: true })));
  }

  watch(name: string, onChange: (instances: Instance[]) => void): Watch {
    const { waitS = 60, initialBackoffMs = 200, maxBackoffMs = 10_000 } = this.options.watch ?? {};
    return watchHealth(this.consul, name, onChange, { waitS, initialBackoffMs, maxBackoffMs });
  }
}
