// `npm run dlq -- list | redrive <id> | redrive-all`: the dead letters of every service, seen and re-driven through the gateway.
const usage = `usage: npm run dlq -- <command>
  list [--service <name>] [--state dead-lettered|redriven|all] [--json]   dead letters of every service (both brokers)
  redrive <id>                                                           send one back to its consumer
  redrive-all [--service <name>]                                         send back every one not re-driven yet
env: GATEWAY_URL (default http://localhost:8080); ADMIN_TOKEN, or ADMIN_USER/ADMIN_PASSWORD (default admin/admin-secret)`;

export interface Letter {
  id: string;
  service: string;
  broker: string;
  source: string;
  type?: string;
  orderId?: string;
  reason: string;
  attempts?: number;
  deadLetteredAt: string;
  state: string;
}

interface Listing {
  items: Letter[];
  counts: Record<string, number>;
  services: Record<string, string>;
}

export interface DlqDeps {
  env: Record<string, string | undefined>;
  fetch: typeof fetch;
  out: (line: string) => void;
}

class CliError extends Error {}

/** Runs one command; resolves to the exit code (0 done, 1 something failed, 2 usage). */
export async function runDlq(argv: readonly string[], deps: DlqDeps): Promise<number> {
  const [command, ...rest] = argv;
  const flags = flagsOf(rest);
  if (!flags) return usageError(deps);
  try {
    const api = apiOf(deps);
    if (command === 'list' && flags.args.length === 0) {
      const listing = await api.list(flags.service, flags.state ?? 'all');
      deps.out(flags.json ? JSON.stringify(listing, null, 2) : formatListing(listing));
      return Object.values(listing.services).every((status) => status === 'ok') ? 0 : 1;
    }
    if (command === 'redrive' && flags.args.length === 1) {
      const id = flags.args[0]!;
      const { status, body } = await api.redrive(id);
      deps.out(redriveLine(id, status, body));
      return status < 300 ? 0 : 1;
    }
    if (command === 'redrive-all' && flags.args.length === 0) {
      const { items } = await api.list(flags.service, 'dead-lettered');
      let failed = 0;
      for (const letter of items) {
        const { status, body } = await api.redrive(letter.id);
        deps.out(redriveLine(letter.id, status, body));
        if (status >= 300) failed += 1;
      }
      deps.out(`${items.length - failed} of ${items.length} dead letters re-driven${failed ? `, ${failed} failed` : ''}`);
      return failed === 0 ? 0 : 1;
    }
    return usageError(deps);
  } catch (error) {
    deps.out(`dlq: ${error instanceof Error ? error.message : String(error)}`);
    return 1;
  }
}

function flagsOf(rest: readonly string[]): { args: string[]; service?: string; state?: string; json: boolean } | undefined {
  const flags: { args: string[]; service?: string; state?: string; json: boolean } = { args: [], json: false };
  for (let i = 0; i < rest.length; i += 1) {
    const arg = rest[i]!;
    if (arg === '--json') flags.json = true;
    else if (arg === '--service' || arg === '--state') {
      const value = rest[(i += 1)];
      if (!value) return undefined;
      flags[arg === '--service' ? 'service' : 'state'] = value;
    } else if (arg.startsWith('--')) return undefined;
    else flags.args.push(arg);
  }
  return flags;
}

function usageError(deps: DlqDeps): number {
  deps.out(usage);
  return 2;
}

function apiOf({ env, fetch: doFetch }: DlqDeps) {
  const base = (env.GATEWAY_URL ?? 'http://localhost:8080').replace(/\/$/, '');
  let token: Promise<string> | undefined;
  const call = async (method: string, path: string, body?: unknown, authorization?: string) => {
    const response = await doFetch(`${base}${path}`, {
      method,
      headers: { ...(authorization ? { authorization } : {}), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      signal: AbortSignal.timeout(15_000),
    }).catch((error: unknown) => { throw new CliError(`cannot reach the gateway at ${base}: ${error instanceof Error ? error.message : String(error)}`); });
    const text = await response.text();
    let parsed: unknown = text;
    try { parsed = text ? JSON.parse(text) : {}; } catch { /* not JSON: shown as it is */ }
    return { status: response.status, body: parsed };
  };
  const bearer = () => (token ??= (async () => {
    if (env.ADMIN_TOKEN) return `Bearer ${env.ADMIN_TOKEN.replace(/^Bearer /, '')}`;
    const login = await call('POST', '/auth/token', { username: env.ADMIN_USER ?? 'admin', password: env.ADMIN_PASSWORD ?? 'admin-secret' });
    const accessToken = (login.body as { access_token?: unknown }).access_token;
    if (login.status !== 200 || typeof accessToken !== 'string') throw new CliError(`POST /auth/token answered ${login.status}: ${errorText(login.body)}`);
    return `Bearer ${accessToken}`;
  })());
  return {
    async list(service: string | undefined, state: string): Promise<Listing> {
      const query = new URLSearchParams({ state, ...(service ? { service } : {}) });
      const { status, body } = await call('GET', `/api/admin/dead-letters?${query.toString()}`, undefined, await bearer());
      if (status !== 200) throw new CliError(`GET /api/admin/dead-letters answered ${status}: ${errorText(body)}`);
      return body as Listing;
    },
    // Ids are URL-safe by construction ([A-Za-z0-9._:-]): sent as they are, so logs show what the operator typed.
    redrive: async (id: string) => call('POST', `/api/admin/dead-letters/${/^[A-Za-z0-9._:-]+$/.test(id) ? id : encodeURIComponent(id)}/redrive`, undefined, await bearer()),
  };
}

const errorText = (body: unknown): string => {
  const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  return error ? `${error.code ?? ''} ${error.message ?? ''}`.trim() : typeof body === 'string' ? body : JSON.stringify(body);
};

function redriveLine(id: string, status: number, body: unknown): string {
  const outcome = (body as { outcome?: string }).outcome;
  if (status === 202) return `re-driven        ${id}`;
  if (status === 200 && outcome === 'already-redriven') return `already re-driven ${id} (nothing sent)`;
  return `FAILED (${status}) ${id}: ${errorText(body)}`;
}

export function formatListing(listing: Listing): string {
  const lines = listing.items.flatMap((letter) => [
    [letter.deadLetteredAt, letter.state.padEnd(13), letter.service.padEnd(12), letter.broker.padEnd(8), letter.source, letter.type ?? '?', letter.orderId ? `order ${letter.orderId}` : '', letter.attempts === undefined ? '' : `${letter.attempts} attempts`].filter(Boolean).join('  '),
    `    id:     ${letter.id}`,
    `    reason: ${letter.reason}`,
  ]);
  const counts = `${listing.counts['dead-lettered'] ?? 0} dead-lettered, ${listing.counts.redriven ?? 0} re-driven`;
  const troubled = Object.entries(listing.services).filter(([, status]) => status !== 'ok').map(([name, status]) => `${name} ${status}`);
  return [...lines, counts + (troubled.length ? ` — not complete: ${troubled.join('; ')}` : '')].join('\n');
}

if (require.main === module) {
  void runDlq(process.argv.slice(2), { env: process.env, fetch, out: (line) => console.log(line) }).then((code) => {
    process.exitCode = code;
  });
}
