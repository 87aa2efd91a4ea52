// Strict double of the Consul agent HTTP endpoints we use (register, deregister, health/service with blocking queries).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DecodeError, decodeServiceDefinition, parseWaitMs, type StoredService } from './consul-validate';

export type DoubleCheckStatus = 'passing' | 'warning' | 'critical';
interface Entry {
  service: StoredService;
  status: DoubleCheckStatus;
  createIndex: number;
  modifyIndex: number;
}

const NODE = { ID: '5c2a1f0e-0000-4000-8000-000000000001', Node: 'consul-double', Address: '127.0.0.1', Datacenter: 'dc1', TaggedAddresses: {}, Meta: {} };

export class ConsulDouble {
  /** Every request received, so tests can assert there is no polling storm. */
  readonly requests: Array<{ method: string; path: string }> = [];
  private readonly services = new Map<string, Entry>();
  private readonly waiters = new Set<() => void>();
  private index = 1;
  private server: Server | undefined;
  private port = 0;

  static async start(): Promise<ConsulDouble> {
    const double = new ConsulDouble();
    await double.goOnline();
    return double;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  /** Test hook: what Consul's HTTP checker would conclude. New checks start critical, as in Consul. */
  setCheckStatus(serviceId: string, status: DoubleCheckStatus): void {
    const entry = this.services.get(serviceId);
    if (!entry) throw new Error(`consul double: unknown service ID "${serviceId}"`);
    entry.status = status;
    this.changed(entry);
  }

  /** Test hook: a snapshot restore or new leader can move the index backwards; clients must reset. */
  resetIndex(to: number): void {
    this.index = to;
    this.wake();
  }

  /** Blocking queries held open right now (a stopped watch must not leave one behind). */
  get heldQueries(): number {
    return this.waiters.size;
  }

  registered(serviceId: string): StoredService | undefined {
    return this.services.get(serviceId)?.service;
  }

  /** Simulates an agent outage: closes the listener and every open connection (held blocking queries included). */
  async goOffline(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
  }

  /** Comes back on the same port, with the same catalog, like an agent restart that kept its state. */
  async goOnline(): Promise<void> {
    if (this.server) return;
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve) => server.listen(this.port, '127.0.0.1', resolve));
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  async close(): Promise<void> {
    await this.goOffline();
    this.wake();
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://double');
    this.requests.push({ method: req.method ?? '', path: url.pathname + url.search });
    try {
      if (url.pathname === '/v1/agent/service/register') return await this.register(req, res);
      const deregister = /^\/v1\/agent\/service\/deregister\/(.+)$/.exec(url.pathname);
      if (deregister) return this.deregister(req, res, decodeURIComponent(deregister[1] as string));
      const health = /^\/v1\/health\/service\/([^/]+)$/.exec(url.pathname);
      if (health) return await this.health(req, res, decodeURIComponent(health[1] as string), url.searchParams);
      reply(res, 404, `Invalid URL path: not a recognized HTTP API endpoint`);
    } catch (error) {
      if (error instanceof DecodeError) return reply(res, 400, error.message);
      reply(res, 500, String(error));
    }
  }

  private async register(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== 'PUT') return reply(res, 405, `method ${req.method} not allowed`);
    let raw: unknown;
    try {
      raw = JSON.parse(await readBody(req));
    } catch (error) {
      throw new DecodeError(`Request decode failed: ${(error as Error).message}`);
    }
    const service = decodeServiceDefinition(raw);
    const previous = this.services.get(service.ID);
    this.index += 1;
    const status = (service.Check?.Status as DoubleCheckStatus | undefined) ?? previous?.status ?? 'critical';
    this.services.set(service.ID, { service, status, createIndex: previous?.createIndex ?? this.index, modifyIndex: this.index });
    this.wake();
    reply(res, 200, '');
  }

  private deregister(req: IncomingMessage, res: ServerResponse, id: string): void {
    if (req.method !== 'PUT') return reply(res, 405, `method ${req.method} not allowed`);
    if (!this.services.delete(id)) return reply(res, 404, `Unknown service ID "${id}". Ensure that the service ID is passed, not the service name.`);
    this.index += 1;
    this.wake();
    reply(res, 200, '');
  }

  private async health(req: IncomingMessage, res: ServerResponse, name: string, query: URLSearchParams): Promise<void> {
    if (req.method !== 'GET') return reply(res, 405, `method ${req.method} not allowed`);
    const rawIndex = query.get('index');
    if (rawIndex !== null && !/^\d+$/.test(rawIndex)) return reply(res, 400, 'Invalid index');
    const minIndex = rawIndex === null ? 0 : Number(rawIndex);
    const waitMs = parseWaitMs(query.get('wait'));
    // Consul: `?passing` or `passing=true` filters; `passing=false` does not.
    const passingOnly = query.has('passing') && query.get('passing') !== 'false';
    if (minIndex > 0 && this.index <= minIndex) await this.blockUntilChange(minIndex, waitMs, res);
    if (res.destroyed) return;
    const entries = [...this.services.values()].filter((entry) => entry.service.Name === name && (!passingOnly || entry.status === 'passing'));
    res.setHeader('X-Consul-Index', String(this.index));
    res.setHeader('X-Consul-KnownLeader', 'true');
    reply(res, 200, JSON.stringify(entries.map(toHealthEntry)), 'application/json');
  }

  private blockUntilChange(minIndex: number, waitMs: number, res: ServerResponse): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(check);
        res.off('close', done);
        resolve();
      };
      const check = () => this.index > minIndex && done();
      const timer = setTimeout(done, waitMs);
      this.waiters.add(check);
      // A client that gives up (or an outage) must not leave a waiter behind.
      res.on('close', done);
    });
  }

  private changed(entry: Entry): void {
    this.index += 1;
    entry.modifyIndex = this.index;
    this.wake();
  }

  private wake(): void {
    for (const waiter of [...this.waiters]) waiter();
  }
}

function toHealthEntry(entry: Entry) {
  const { service } = entry;
  return {
    Node: { ...NODE, CreateIndex: 1, ModifyIndex: 1 },
    Service: { ID: service.ID, Service: service.Name, Tags: service.Tags, Address: service.Address, Meta: service.Meta, Port: service.Port, Weights: { Passing: 1, Warning: 1 }, EnableTagOverride: false, CreateIndex: entry.createIndex, ModifyIndex: entry.modifyIndex },
    Checks: [
      { Node: NODE.Node, CheckID: 'serfHealth', Name: 'Serf Health Status', Status: 'passing', ServiceID: '', ServiceName: '' },
      { Node: NODE.Node, CheckID: `service:${service.ID}`, Name: `Service '${service.Name}' check`, Status: entry.status, ServiceID: service.ID, ServiceName: service.Name },
    ],
  };
}

function reply(res: ServerResponse, status: number, body: string, contentType = 'text/plain; charset=utf-8'): void {
  res.writeHead(status, { 'Content-Type': contentType });
  res.end(body);
}

async function readBody(req: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}
