// The `consul` command of the forge consul image: `consul agent ...` starts the stand-in agent, `consul members` (compose's
// healthcheck) asks a running one over HTTP, `consul version` says what this is.
import { runAgent, VERSION } from './agent';

/** CONSUL_HTTP_ADDR / -http-addr as Consul reads them: host:port or a URL, default 127.0.0.1:8500. */
export function httpAddr(args: string[], env: NodeJS.ProcessEnv): string {
  const flag = args.map((arg, i) => (/^--?http-addr=(.*)$/.exec(arg)?.[1] ?? (/^--?http-addr$/.test(arg) ? args[i + 1] : undefined))).find((v) => v !== undefined);
  const addr = flag ?? env.CONSUL_HTTP_ADDR ?? '127.0.0.1:8500';
  return /^https?:\/\//.test(addr) ? addr.replace(/\/$/, '') : `http://${addr}`;
}

interface Member {
  Name: string;
  Addr: string;
  Port: number;
  Status: number;
  Tags: Record<string, string>;
}

/** `consul members`: the table Consul prints, and exit 1 when the agent does not answer. */
async function membersCommand(args: string[]): Promise<number> {
  let list: Member[];
  try {
    const res = await fetch(`${httpAddr(args, process.env)}/v1/agent/members`, { signal: AbortSignal.timeout(5_000) });
    if (!res.ok) throw new Error(`Unexpected response code: ${res.status} (${await res.text()})`);
    list = (await res.json()) as Member[];
  } catch (error) {
    console.error(`Error retrieving members: ${(error as Error).message}`);
    return 1;
  }
  const statuses = ['none', 'alive', 'leaving', 'left', 'failed'];
  const rows = [['Node', 'Address', 'Status', 'Type', 'Build', 'Protocol', 'DC', 'Partition', 'Segment']];
  for (const m of list) {
    rows.push([m.Name, `${m.Addr}:${m.Port}`, statuses[m.Status] ?? String(m.Status), m.Tags.role === 'consul' ? 'server' : 'client', m.Tags.build ?? '', m.Tags.vsn ?? '', m.Tags.dc ?? '', 'default', '<all>']);
  }
  const widths = rows[0]!.map((_, col) => Math.max(...rows.map((row) => row[col]!.length)));
  for (const row of rows) console.log(row.map((cell, col) => cell.padEnd(widths[col]!)).join('  ').trimEnd());
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'agent':
      await runAgent(rest);
      return -1; // keeps running
    case 'members':
      return membersCommand(rest);
    case 'version':
    case '-version':
    case '--version':
      console.log(`Consul v${VERSION}\n(the saga-platform forge stand-in: libs/discovery's Consul API double, not HashiCorp Consul)`);
      return 0;
    default:
      console.error(`consul (forge stand-in): only "agent", "members" and "version" are implemented, not "${command ?? ''}"`);
      return 1;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => code >= 0 && process.exit(code),
    (error) => {
      console.error(String(error instanceof Error ? error.message : error));
      process.exit(1);
    },
  );
}
