// `consul agent` of the forge consul image: the project's strict Consul API double (libs/discovery) served on
// -client:8500, plus what a real agent adds that compose depends on (running HTTP checks, reaping, /v1/agent/members).
import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import { hostname, networkInterfaces } from 'node:os';
import { ConsulDouble } from '../../../../libs/discovery/src/testing/consul-double';
import { decodeServiceDefinition } from '../../../../libs/discovery/src/testing/consul-validate';
import { HealthChecker } from './checker';

export const VERSION = '1.20.0-forge';
export const DATACENTER = 'dc1';

export interface AgentFlags {
  client: string;
  httpPort: number;
  node: string;
}

/** The agent flags compose uses (`agent -dev -client=0.0.0.0`), in Go's flag syntax (-f=v, -f v, --f). */
export function parseAgentFlags(args: string[]): AgentFlags {
  const flags: AgentFlags = { client: '127.0.0.1', httpPort: 8500, node: hostname() };
  // Flags that take a value; the rest (-dev, -ui, -server, ...) are switches this stand-in has no use for.
  const valued = new Set(['client', 'http-port', 'node', 'bind', 'advertise', 'data-dir', 'config-dir', 'config-file', 'datacenter', 'log-level', 'bootstrap-expect', 'retry-join']);
  for (let i = 0; i < args.length; i++) {
    const match = /^--?([a-z-]+)(?:=(.*))?$/.exec(args[i] as string);
    if (!match) throw new Error(`consul agent: unexpected argument "${args[i]}"`);
    const name = match[1] as string;
    let value = match[2];
    if (value === undefined && valued.has(name)) value = args[++i];
    if (valued.has(name) && value === undefined) throw new Error(`consul agent: flag needs an argument: -${name}`);
    if (name === 'client') flags.client = value as string;
    else if (name === 'http-port') flags.httpPort = Number(value);
    else if (name === 'node') flags.node = value as string;
  }
  return flags;
}

function ownAddress(): string {
  for (const list of Object.values(networkInterfaces())) {
    for (const address of list ?? []) if (address.family === 'IPv4' && !address.internal) return address.address;
  }
  return '127.0.0.1';
}

/** GET /v1/agent/members as a dev agent answers it: itself, alive, a server. */
export function members(node: string, address: string) {
  return [
    {
      Name: node,
      Addr: address,
      Port: 8301,
      Tags: { build: VERSION, dc: DATACENTER, role: 'consul', port: '8300', bootstrap: '1', vsn: '2', vsn_min: '2', vsn_max: '3' },
      Status: 1,
      ProtocolMin: 1,
      ProtocolMax: 5,
      ProtocolCur: 2,
      DelegateMin: 2,
      DelegateMax: 5,
      DelegateCur: 4,
    },
  ];
}

async function readBody(req: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** An HTTP check's one GET, as Consul's checker sends it (its User-Agent and Accept). */
async function probe(url: string, timeoutMs: number): Promise<number> {
  const res = await fetch(url, { headers: { 'User-Agent': 'Consul Health Check', Accept: 'text/plain, text/*, */*' }, signal: AbortSignal.timeout(timeoutMs) });
  await res.body?.cancel();
  return res.status;
}

export async function runAgent(args: string[]): Promise<void> {
  const flags = parseAgentFlags(args);
  const address = ownAddress();
  const log = (message: string) => console.log(`${new Date().toISOString()} [INFO]  agent: ${message}`);
  // The double listens on loopback (an ephemeral port); this front server is the agent's HTTP API on -client.
  const double = await ConsulDouble.start();
  // The double records every request for its tests' assertions; a long-running agent must not grow that list forever.
  setInterval(() => void double.requests.splice(0), 60_000).unref();

  const checker = new HealthChecker({
    probe,
    setStatus: (id, status) => {
      if (double.registered(id)) double.setCheckStatus(id, status);
    },
    deregister: async (id) => {
      const res = await fetch(`${double.url}/v1/agent/service/deregister/${encodeURIComponent(id)}`, { method: 'PUT' });
      await res.body?.cancel();
    },
    now: () => Date.now(),
    random: () => Math.random(),
    log,
  });
  checker.start();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? '/', 'http://agent').pathname;
    if (req.method === 'GET' && path === '/v1/agent/members') return json(res, members(flags.node, address));
    if (req.method === 'GET' && path === '/v1/status/leader') return json(res, `${address}:8300`);
    const body = await readBody(req);
    const upstream = request(`${double.url}${req.url ?? '/'}`, { method: req.method, headers: { ...req.headers, host: new URL(double.url).host } }, (upRes) => {
      res.writeHead(upRes.statusCode ?? 502, upRes.headers);
      upRes.pipe(res);
      upRes.on('end', () => {
        if (upRes.statusCode !== 200 || req.method !== 'PUT') return;
        // The double accepted it: start (or restart) the service's check, or stop it on deregistration.
        if (path === '/v1/agent/service/register') {
          const service = decodeServiceDefinition(JSON.parse(body.toString('utf8')));
          log(`synced service "${service.ID}"`);
          checker.upsert(service.ID, service.Check);
        }
        const deregister = /^\/v1\/agent\/service\/deregister\/(.+)$/.exec(path);
        if (deregister) {
          log(`deregistered service "${decodeURIComponent(deregister[1] as string)}"`);
          checker.remove(decodeURIComponent(deregister[1] as string));
        }
      });
    });
    // A client that gives up on a blocking query must release the double's held query too.
    res.on('close', () => upstream.destroy());
    upstream.on('error', (error) => {
      if (!res.headersSent) json(res, String(error), 502);
    });
    upstream.end(body);
  };

  const server = createServer((req, res) => void handle(req, res).catch((error) => res.headersSent || json(res, String(error), 500)));
  await new Promise<void>((resolve) => server.listen(flags.httpPort, flags.client, resolve));
  log(`Consul API double (libs/discovery) serving as agent "${flags.node}" on http://${flags.client}:${flags.httpPort}, version ${VERSION}`);

  const shutdown = () => {
    log('caught signal, shutting down');
    checker.stop();
    server.close();
    server.closeAllConnections();
    void double.close().then(() => process.exit(0));
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

function json(res: ServerResponse, body: unknown, status = 200): void {
  res.writeHead(status, { 'Content-Type': 'application/json', 'X-Consul-KnownLeader': 'true' });
  res.end(JSON.stringify(body));
}
