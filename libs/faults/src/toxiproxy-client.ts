// A client of Toxiproxy's HTTP API (the real server of infra/local): proxies to create, cut, slow down and restore.
import { stateOf, ToxiproxyError, type ProxyState } from './toxiproxy-state';

/** The one latency toxic a link carries (set again = changed); a second one would only add up. */
export const LATENCY_TOXIC = 'latency';

/** A proxy created for a test or a run: its address, and its faults at hand. */
export interface ToxiproxyProxy {
  name: string;
  /** host:port the proxy listens on; point a client here instead of at the upstream. */
  listen: string;
  url: string;
  /** Closes the listener and every connection through it: clients get "connection refused". */
  cut(): Promise<void>;
  restore(): Promise<void>;
  /** Adds latency (ms, ± jitter) to everything coming back from the upstream; returns a function that removes it. */
  slowDown(latencyMs: number, jitterMs?: number): Promise<() => Promise<void>>;
  remove(): Promise<void>;
}

export class Toxiproxy {
  constructor(
    readonly apiUrl: string,
    private readonly timeoutMs = 5_000,
  ) {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(`${this.apiUrl}${path}`, {
        method,
        headers: body === undefined ? {} : { 'content-type': 'application/json' },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(this.timeoutMs),
      });
    } catch (error) {
      const cause = error instanceof Error ? (error.cause instanceof Error ? error.cause.message : error.message) : String(error);
      throw new ToxiproxyError(`Toxiproxy at ${this.apiUrl} did not answer ${method} ${path}: ${cause}`);
    }
    const text = await response.text();
    if (!response.ok) throw new ToxiproxyError(`Toxiproxy ${method} ${path} answered ${response.status}: ${text.slice(0, 200)}`, response.status);
    try {
      return text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      throw new ToxiproxyError(`Toxiproxy ${method} ${path} answered ${response.status} with a body that is not JSON`, response.status);
    }
  }

  private static path(name: string): string {
    return `/proxies/${encodeURIComponent(name)}`;
  }

  /** Every proxy of this Toxiproxy. */
  async proxies(): Promise<ProxyState[]> {
    const raw = await this.call('GET', '/proxies');
    if (typeof raw !== 'object' || raw === null) throw new ToxiproxyError('Toxiproxy answered GET /proxies with an unexpected body', 200);
    return Object.values(raw).map((proxy) => stateOf(proxy, 'GET /proxies'));
  }

  /** One proxy, or undefined when there is none of that name. */
  async proxy(name: string): Promise<ProxyState | undefined> {
    try {
      return stateOf(await this.call('GET', Toxiproxy.path(name)), `GET ${Toxiproxy.path(name)}`);
    } catch (error) {
      if (error instanceof ToxiproxyError && error.status === 404) return undefined;
      throw error;
    }
  }

  /** Closes the proxy's listener and its connections (toxics stay, for when it is restored). */
  async cut(name: string): Promise<ProxyState> {
    return stateOf(await this.call('POST', Toxiproxy.path(name), { enabled: false }), 'a cut');
  }

  /** Listens again, on `listen` when given: a proxy created on port 0 must come back on the port its clients know. */
  async restore(name: string, listen?: string): Promise<ProxyState> {
    return stateOf(await this.call('POST', Toxiproxy.path(name), { enabled: true, ...(listen && { listen }) }), 'a restore');
  }

  /** Sets the latency of everything the upstream sends back (ms, ± jitter): the link's latency toxic, added or changed. */
  async setLatency(name: string, latencyMs: number, jitterMs = 0): Promise<void> {
    const attributes = { latency: latencyMs, jitter: jitterMs };
    try {
      await this.call('POST', `${Toxiproxy.path(name)}/toxics`, { name: LATENCY_TOXIC, type: 'latency', stream: 'downstream', toxicity: 1, attributes });
    } catch (error) {
      // Already slowed: change it in place (two latency toxics would add up).
      if (!(error instanceof ToxiproxyError && error.status === 409)) throw error;
      await this.call('POST', `${Toxiproxy.path(name)}/toxics/${LATENCY_TOXIC}`, { attributes });
    }
  }

  /** Removes one toxic; one already gone is no error. */
  async removeToxic(name: string, toxic: string): Promise<void> {
    try {
      await this.call('DELETE', `${Toxiproxy.path(name)}/toxics/${encodeURIComponent(toxic)}`);
    } catch (error) {
      if (!(error instanceof ToxiproxyError && error.status === 404)) throw error;
    }
  }

  /** Every toxic removed and the proxy listening again: the link as it was created. */
  async heal(name: string): Promise<ProxyState> {
    const state = await this.proxy(name);
    if (!state) throw new ToxiproxyError(`Toxiproxy has no proxy ${name}`, 404);
    for (const toxic of state.toxics) await this.removeToxic(name, toxic.name);
    return this.restore(name, state.listen);
  }

  async deleteProxy(name: string): Promise<void> {
    await this.call('DELETE', Toxiproxy.path(name)).catch((error: unknown) => {
      if (!(error instanceof ToxiproxyError && error.status === 404)) throw error;
    });
  }

  /**
   * The proxy `name` to `upstream`, healed (no toxics, listening): one already there keeps its port (its clients may
   * still be connected to it), one to another upstream is replaced, a missing one is created on a port the OS picks.
   */
  async ensureProxy(name: string, upstream: string): Promise<ProxyState> {
    const existing = await this.proxy(name);
    if (existing?.upstream === upstream) return this.heal(name);
    if (existing) await this.deleteProxy(name);
    return stateOf(await this.call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream, enabled: true }), 'POST /proxies');
  }

  /** A proxy on a port the OS picks (listen 127.0.0.1:0), forwarding to `upstream` (host:port); one of that name left over by a run that died is replaced. */
  async createProxy(name: string, upstream: string): Promise<ToxiproxyProxy> {
    await this.deleteProxy(name);
    const created = stateOf(await this.call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream, enabled: true }), 'POST /proxies');
    // Re-enabling must listen on the same port, so the port the OS picked is pinned from now on.
    const listen = created.listen;
    return {
      name,
      listen,
      url: `http://${listen}`,
      cut: async () => void (await this.cut(name)),
      restore: async () => void (await this.restore(name, listen)),
      slowDown: async (latencyMs, jitterMs = 0) => {
        await this.setLatency(name, latencyMs, jitterMs);
        return () => this.removeToxic(name, LATENCY_TOXIC).catch(() => undefined);
      },
      remove: () => this.deleteProxy(name).catch(() => undefined),
    };
  }
}
