// A small client of Toxiproxy's HTTP API (the real server from infra/local): proxies to cut and restore at will.
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
  constructor(private readonly apiUrl: string = process.env.TOXIPROXY_URL ?? 'http://127.0.0.1:8474') {}

  private async call(method: string, path: string, body?: unknown): Promise<unknown> {
    const response = await fetch(`${this.apiUrl}${path}`, {
      method,
      headers: body === undefined ? {} : { 'content-type': 'application/json' },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(5_000),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`toxiproxy ${method} ${path} answered ${response.status}: ${text}`);
    return text ? (JSON.parse(text) as unknown) : undefined;
  }

  /** A proxy on a port the OS picks (listen 127.0.0.1:0), forwarding to `upstream` (host:port). */
  async createProxy(name: string, upstream: string): Promise<ToxiproxyProxy> {
    await this.call('DELETE', `/proxies/${name}`).catch(() => undefined); // left over by a run that died
    const created = (await this.call('POST', '/proxies', { name, listen: '127.0.0.1:0', upstream, enabled: true })) as { listen: string };
    // Re-enabling must listen on the same port, so the port the OS picked is pinned from now on.
    const listen = created.listen;
    return {
      name,
      listen,
      url: `http://${listen}`,
      cut: async () => void (await this.call('POST', `/proxies/${name}`, { enabled: false })),
      restore: async () => void (await this.call('POST', `/proxies/${name}`, { enabled: true, listen })),
      slowDown: async (latencyMs, jitterMs = 0) => {
        const toxic = `${name}-latency`;
        await this.call('POST', `/proxies/${name}/toxics`, { name: toxic, type: 'latency', stream: 'downstream', toxicity: 1, attributes: { latency: latencyMs, jitter: jitterMs } });
        return async () => void (await this.call('DELETE', `/proxies/${name}/toxics/${toxic}`).catch(() => undefined));
      },
      remove: async () => void (await this.call('DELETE', `/proxies/${name}`).catch(() => undefined)),
    };
  }
}
