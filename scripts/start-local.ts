// `npm run start:local`: every service of infra/platform/services.json as its own OS process against the real brokers of
// infra/local, started wave by wave, each one's RabbitMQ link through its own Toxiproxy proxy (scripts/local/broker-links.ts);
// output prefixed with each process's name; a service that dies is restarted with backoff (scripts/local/supervisor.ts)
// and only a crash loop stops the platform; Ctrl-C / SIGTERM stops them in reverse waves.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { Toxiproxy } from '@saga/faults';
import { consoleLine, tryItLines } from '../gateway/src/try-it';
import { loadManifest, placeholders, waves, type ServiceSpec } from './deploy/manifest';
import { nativeInfraVariable, nativeSpecs } from './deploy/resolvers';
import { linkLines, planBrokerLinks, throughBrokerLinks } from './local/broker-links';
import { Supervisor, type ExitStatus, type Readiness, type ServiceProcess, type SupervisedService } from './local/supervisor';

const root = resolve(__dirname, '..');

/** `.local/env` (written by infra:up) under process.env: an explicitly set variable wins. */
function loadEnv(): Record<string, string | undefined> {
  const file = join(root, '.local/env');
  const fromFile: Record<string, string> = {};
  if (existsSync(file)) {
    for (const line of readFileSync(file, 'utf8').split('\n')) {
      const match = /^\s*(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
      if (match) fromFile[match[1]] = match[2].trim().replace(/^(['"])(.*)\1$/, '$2');
    }
  }
  return { ...fromFile, ...process.env };
}

/** Without a database or RabbitMQ the services refuse to start: say how to get them before spawning anything. */
function checkRequiredInfra(specs: ServiceSpec[], env: Record<string, string | undefined>): void {
  for (const spec of specs) {
    for (const [key, value] of Object.entries(spec.env)) {
      for (const ref of placeholders(value)) {
        if (ref.kind !== 'infra' || !(ref.name.startsWith('postgres/') || ref.name === 'rabbitmq')) continue;
        const variable = nativeInfraVariable(ref.name);
        if (!env[variable]) throw new Error(`${variable} is not set (${spec.name} needs it as ${key}): run \`npm run infra:up\` (it writes .local/env) or export it`);
      }
    }
  }
}

type Spec = ServiceSpec;

/**
 * The local mode's tokens: the gateway on loopback with the demo users, signing ES256 with the key kept in
 * .local/keys/ (generated at first start, never committed); every service that verifies tokens does so through the
 * gateway's JWKS. An exported JWT_SECRET (32+ bytes) switches them all to HS256 instead.
 */
function withLocalAuth(specs: Spec[], manifest: { services: ServiceSpec[] }, env: Record<string, string | undefined>): Spec[] {
  const gatewayPort = specs.find((s) => s.public)?.port ?? 8080;
  const jwksUrl = `http://127.0.0.1:${gatewayPort}/.well-known/jwks.json`;
  return specs.map((spec) => {
    if (spec.public) {
      const key: Record<string, string> = env.JWT_SECRET ? {} : { JWT_SIGNING_KEY_FILE: env.JWT_SIGNING_KEY_FILE ?? join(root, '.local/keys/jwt-signing-key.pem') };
      return { ...spec, env: { ...spec.env, HOST: env.HOST ?? '127.0.0.1', DEMO_USERS_ENABLED: 'true', ...key } };
    }
    const verifiesTokens = Object.keys(manifest.services.find((s) => s.name === spec.name)?.env ?? {}).some((name) => name.startsWith('JWT_'));
    if (!verifiesTokens) return spec;
    if (env.JWT_SECRET) {
      // HS256 everywhere: the gateway publishes no key set, so the manifest's JWKS URL must not win over the secret.
      const { JWT_JWKS_URL: _jwks, ...rest } = spec.env;
      return { ...spec, env: rest };
    }
    return { ...spec, env: { JWT_JWKS_URL: jwksUrl, ...spec.env } };
  });
}

/**
 * Each service's RabbitMQ link through its own Toxiproxy proxy (`order-rabbitmq`…), so the console can slow or cut one,
 * and the gateway told where Toxiproxy is. A proxy left by an earlier run is healed and kept (same port); they stay in
 * Toxiproxy after the run (infra:down clears them). Without TOXIPROXY_URL the services reach RabbitMQ directly.
 */
async function withBrokerLinks(specs: Spec[], env: Record<string, string | undefined>): Promise<{ specs: Spec[]; lines: string[] }> {
  const url = env.TOXIPROXY_URL?.replace(/\/+$/, '');
  const links = planBrokerLinks(specs);
  if (!url) {
    say('TOXIPROXY_URL is not set: the services reach RabbitMQ directly (no broker links to slow or cut)');
    return { specs, lines: [] };
  }
  const toxiproxy = new Toxiproxy(url);
  const listen: Record<string, string> = {};
  for (const link of links) {
    try {
      listen[link.proxy] = (await toxiproxy.ensureProxy(link.proxy, link.upstream)).listen;
    } catch (error) {
      const why = error instanceof Error ? error.message : String(error);
      throw new Error(`the broker link ${link.proxy} could not be set up (${why}): run \`npm run infra:up\` (it starts Toxiproxy), or unset TOXIPROXY_URL to connect the services to RabbitMQ directly`, { cause: error });
    }
  }
  return { specs: throughBrokerLinks(specs, links, listen, url), lines: [`broker links through Toxiproxy ${url} (slow or cut them in the console, as admin):`, ...linkLines(links, listen).map((line) => `  ${line}`)] };
}

const colours = [36, 33, 35, 32, 34, 91];
const useColour = process.stdout.isTTY && !process.env.NO_COLOR;

interface LocalService extends SupervisedService {
  spec: Spec;
  colour: number;
}

/** One OS process of a service, its output prefixed with its name (every restart spawns a new one). */
function spawnService(service: LocalService, baseEnv: NodeJS.ProcessEnv): ServiceProcess {
  const child = spawn(process.execPath, ['-r', join(root, 'scripts/exit-with-parent.js'), join(root, service.spec.script)], {
    cwd: root,
    env: { ...baseEnv, ...service.spec.env, PORT: String(service.spec.port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Its own process group: a terminal's Ctrl-C reaches only this launcher, which then stops the children in order.
    detached: true,
  });
  const prefix = useColour ? `\x1b[${service.colour}m[${service.name}]\x1b[0m ` : `[${service.name}] `;
  for (const stream of [child.stdout, child.stderr]) {
    if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
  }
  let spawnFailed = false;
  const exited = new Promise<ExitStatus>((resolveExit) => {
    child.once('exit', (code, signal) => resolveExit({ code, signal }));
    // 'error' also reports a failed kill, of a process that still runs: only a process that never got a pid is gone.
    child.on('error', (error) => {
      if (child.pid !== undefined) return say(`${service.name}: ${error.message}`);
      spawnFailed = true;
      resolveExit({ code: null, signal: null, error: `spawn failed: ${error.message}` });
    });
  });
  const isRunning = () => !spawnFailed && child.exitCode === null && child.signalCode === null;
  return {
    exited,
    isRunning,
    kill: (signal) => {
      if (isRunning()) child.kill(signal);
    },
  };
}

async function probeReady(url: string): Promise<Readiness> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    if (response.status === 200) return { ready: true };
    return { ready: false, answer: `${response.status} ${(await response.text()).slice(0, 300)}` };
  } catch (error) {
    return { ready: false, answer: error instanceof Error ? error.message : String(error) };
  }
}

const say = (message: string) => process.stdout.write(`[start-local] ${message}\n`);

async function main(): Promise<void> {
  const env = loadEnv();
  const manifest = loadManifest();
  checkRequiredInfra(manifest.services, env);
  const direct: Spec[] = withLocalAuth(nativeSpecs(manifest, env), manifest, env);
  const gatewayPort = direct.find((s) => s.public)?.port ?? 8080;
  for (const spec of direct) {
    if (!existsSync(join(root, spec.script))) throw new Error(`${spec.script} is missing: run \`npm run build\` first`);
  }
  const { specs, lines: linkBanner } = await withBrokerLinks(direct, env);
  // The launcher's own env minus what the manifest sets per child (a stray DATABASE_URL must not leak into the provider).
  const { PORT: _port, DATABASE_URL: _db, SERVICE_ADDRESS: _address, ...inherited } = process.env;
  const baseEnv: NodeJS.ProcessEnv = inherited;

  const services: LocalService[] = specs.map((spec, i) => ({ name: spec.name, url: `http://127.0.0.1:${spec.port}`, spec, colour: colours[i % colours.length] }));
  // Supervised like compose's `restart: unless-stopped` or a Deployment: a service that dies is restarted with
  // backoff (scripts/local/restart-policy.ts); only a crash loop, a failed startup or a signal stops them all.
  const supervisor = new Supervisor<LocalService>({
    waves: waves(specs).map((wave) => services.filter((s) => wave.includes(s.spec))),
    spawn: (service) => spawnService(service, baseEnv),
    probeReady,
    log: say,
    onStopped: (exitCode) => process.exit(exitCode),
  });

  process.on('SIGINT', () => supervisor.shutdown('SIGINT', 0));
  process.on('SIGTERM', () => supervisor.shutdown('SIGTERM', 0));
  process.on('SIGHUP', () => supervisor.shutdown('SIGHUP', 0));
  // Last resort (an uncaught error, process.exit elsewhere): no child outlives the launcher.
  process.on('exit', () => supervisor.killNow());

  if (!(await supervisor.start())) return;

  const api = `http://127.0.0.1:${gatewayPort}`;
  const infra = [`RabbitMQ ${(env.RABBITMQ_URL ?? '').replace(/\/\/[^@]*@/, '//')}`, `Kafka ${env.KAFKA_BROKERS ?? '(service default)'}`];
  if (env.REDIS_URL) infra.push(`Redis ${env.REDIS_URL}`);
  if (env.CONSUL_URL) infra.push(`Consul ${env.CONSUL_URL}`);
  console.log(
    [
      '',
      consoleLine(api),
      '',
      `saga-platform is running as separate processes: ${api} (Node ${process.version})`,
      `  real brokers of infra/local (${infra.join(', ')}); services behind the gateway:`,
      `  ${services.filter((s) => !s.spec.public).map((s) => `${s.name} ${s.url}`).join('  ')}`,
      ...(linkBanner.length > 0 ? ['', ...linkBanner] : []),
      '',
      ...tryItLines(api),
      '',
      'A service that dies is restarted (0.5 s, then doubling up to 10 s; 5 deaths in 60 s stop them all). Ctrl-C stops them all.',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
