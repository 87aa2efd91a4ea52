// ServiceRegistry over Consul's HTTP API with plain fetch, so the test double sees exactly the HTTP we send.
import { sortInstances, type Instance, type Registration, type ServiceRegistry, type Watch } from '../ports/service-registry.port';
import { fromHealthEntry, toServiceDefinition, type ConsulHealthEntry } from './consul-wire';
import { watchHealth, type WatchOptions } from './consul-watch';

export interface ConsulRegistryOptions {
  /** Agent address, e.g. http://127.0.0.1:8500. */
  url: string;
  /** ACL token sent as X-Consul-Token when set. */
  token?: string;
  /** Timeout of ordinary (non-blocking) calls. */
  requestTimeoutMs?: number;
  watch?: Partial<WatchOptions>;
}

export class ConsulRegistryError extends Error {
  constructor(
    message: string,
    readonly status?: number,
  ) {
    super(message);
    this.name = 'ConsulRegistryError';
  }
}

export class ConsulRegistry implements ServiceRegistry {
  private readonly base: string;
  private readonly requestTimeoutMs: number;

  constructor(private readonly options: ConsulRegistryOptions) {
    this.base = options.url.replace(/\/+$/, '');
    this.requestTimeoutMs = options.requestTimeoutMs ?? 5_000;
  }

  async register(registration: Registration): Promise<void> {
    await this.call('PUT', '/v1/agent/service/register', toServiceDefinition(registration));
  }

  async deregister(id: string): Promise<void> {
    await this.call('PUT', `/v1/agent/service/deregister/${encodeURIComponent(id)}`);
  }

  async healthyInstances(name: string): Promise<Instance[]> {
    const { instances } = await this.queryHealth(name, AbortSignal.timeout(this.requestTimeoutMs));
    return instances;
  }

  watch(name: string, onChange: (instances: Instance[]) => void): Watch {
    const { waitS = 60, initialBackoffMs = 200, maxBackoffMs = 10_000 } = this.options.watch ?? {};
    return watchHealth(onChange, { waitS, initialBackoffMs, maxBackoffMs }, (index, signal) => this.queryHealth(name, signal, { index, waitS }));
  }

  /** GET /v1/health/service/:name?passing=true, blocking when an index is given. */
  async queryHealth(name: string, signal: AbortSignal, blocking?: { index: number; waitS: number }): Promise<{ instances: Instance[]; index: number }> {
    const query = new URLSearchParams({ passing: 'true' });
    if (blocking && blocking.index > 0) {
      query.set('index', String(blocking.index));
      query.set('wait', `${blocking.waitS}s`);
    }
    const response = await fetch(`${this.base}/v1/health/service/${encodeURIComponent(name)}?${query}`, { headers: this.headers(), signal });
    if (!response.ok) throw new ConsulRegistryError(`Consul health query for ${name} failed: ${response.status} ${await response.text()}`, response.status);
    const entries = (await response.json()) as ConsulHealthEntry[];
    return { instances: sortInstances(entries.map(fromHealthEntry)), index: Number(response.headers.get('X-Consul-Index') ?? 0) };
  }

  private async call(method: 'PUT', path: string, body?: unknown): Promise<void> {
    const headers = this.headers();
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const response = await fetch(`${this.base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.requestTimeoutMs),
    });
    if (!response.ok) throw new ConsulRegistryError(`Consul ${method} ${path} failed: ${response.status} ${await response.text()}`, response.status);
    await response.body?.cancel();
  }

  private headers(): Record<string, string> {
    return this.options.token ? { 'X-Consul-Token': this.options.token } : {};
  }
}
