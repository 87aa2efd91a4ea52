// `npm run start:local`: every service of infra/platform/services.json as its own OS process against the real brokers of
// infra/local, started wave by wave; output prefixed with each process's name; Ctrl-C / SIGTERM stops them in reverse waves.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { tryItLines } from '../gateway/src/try-it';
import { loadManifest, placeholders, waves, type ServiceSpec } from './deploy/manifest';
import { nativeInfraVariable, nativeSpecs } from './deploy/resolvers';

const root = resolve(__dirname, '..');
const READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 10_000;

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

const colours = [36, 33, 35, 32, 34, 91];
const useColour = process.stdout.isTTY && !process.env.NO_COLOR;

class Child {
  process?: ChildProcess;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private resolveExit!: (value: { code: number | null; signal: NodeJS.Signals | null }) => void;
  expectingExit = false;

  constructor(
    readonly spec: Spec,
    private readonly colour: number,
  ) {
    this.exited = new Promise((resolveExit) => (this.resolveExit = resolveExit));
  }

  get url(): string {
    return `http://127.0.0.1:${this.spec.port}`;
  }

  isRunning(): boolean {
    return this.process !== undefined && this.process.exitCode === null && this.process.signalCode === null;
  }

  start(baseEnv: NodeJS.ProcessEnv): void {
    const child = spawn(process.execPath, ['-r', join(root, 'scripts/exit-with-parent.js'), join(root, this.spec.script)], {
      cwd: root,
      env: { ...baseEnv, ...this.spec.env, PORT: String(this.spec.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Its own process group: a terminal's Ctrl-C reaches only this launcher, which then stops the children in order.
      detached: true,
    });
    this.process = child;
    const prefix = useColour ? `\x1b[${this.colour}m[${this.spec.name}]\x1b[0m ` : `[${this.spec.name}] `;
    for (const stream of [child.stdout, child.stderr]) {
      if (stream) createInterface({ input: stream }).on('line', (line) => process.stdout.write(`${prefix}${line}\n`));
    }
    child.once('exit', (code, signal) => this.resolveExit({ code, signal }));
    child.once('error', (error) => {
      say(`${this.spec.name}: spawn failed: ${error.message}`);
      this.resolveExit({ code: null, signal: null });
    });
  }

  async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    let last = 'no answer yet';
    while (Date.now() < deadline) {
      if (!this.isRunning()) throw new Error(`${this.spec.name} exited before it was ready (see the [${this.spec.name}] lines above)`);
      try {
        const response = await fetch(`${this.url}/health/ready`, { signal: AbortSignal.timeout(1_000) });
        if (response.status === 200) return;
        last = `${response.status} ${(await response.text()).slice(0, 300)}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      await sleep(200);
    }
    throw new Error(`${this.spec.name} was not ready on ${this.url}/health/ready within ${timeoutMs / 1000} s (last answer: ${last})`);
  }

  async stop(): Promise<void> {
    if (!this.isRunning() || !this.process) return;
    this.expectingExit = true;
    this.process.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([this.exited.then(() => false), new Promise<boolean>((done) => (timer = setTimeout(() => done(true), STOP_GRACE_MS)))]);
    clearTimeout(timer);
    if (timedOut && this.isRunning()) {
      say(`${this.spec.name} still running ${STOP_GRACE_MS / 1000} s after SIGTERM: SIGKILL`);
      this.process.kill('SIGKILL');
      await this.exited;
    }
  }

  killNow(): void {
    if (this.isRunning()) this.process?.kill('SIGKILL');
  }
}

const sleep = (ms: number) => new Promise((done) => setTimeout(done, ms));
const say = (message: string) => process.stdout.write(`[start-local] ${message}\n`);

async function main(): Promise<void> {
  const env = loadEnv();
  const manifest = loadManifest();
  checkRequiredInfra(manifest.services, env);
  const specs: Spec[] = withLocalAuth(nativeSpecs(manifest, env), manifest, env);
  const gatewayPort = specs.find((s) => s.public)?.port ?? 8080;
  for (const spec of specs) {
    if (!existsSync(join(root, spec.script))) throw new Error(`${spec.script} is missing: run \`npm run build\` first`);
  }
  // The launcher's own env minus what the manifest sets per child (a stray DATABASE_URL must not leak into the provider).
  const { PORT: _port, DATABASE_URL: _db, SERVICE_ADDRESS: _address, ...inherited } = process.env;
  const baseEnv: NodeJS.ProcessEnv = inherited;

  const children = specs.map((spec, i) => new Child(spec, colours[i % colours.length]));
  let stopping: Promise<void> | undefined;

  const childWaves = waves(specs).map((wave) => children.filter((c) => wave.includes(c.spec)));
  // Reverse waves: the gateway first (no new requests), then order (no new sagas), then the participants together.
  const stopAll = (): Promise<void> =>
    (stopping ??= (async () => {
      for (const wave of [...childWaves].reverse()) await Promise.all(wave.map((c) => c.stop()));
    })());

  const shutdown = (reason: string, exitCode: number) => {
    if (stopping) return;
    say(`${reason}: stopping every service`);
    stopAll().then(
      () => {
        say('all stopped');
        process.exit(exitCode);
      },
      (error: unknown) => {
        say(`stop failed: ${error instanceof Error ? error.message : String(error)}`);
        process.exit(1);
      },
    );
  };

  process.on('SIGINT', () => shutdown('SIGINT', 0));
  process.on('SIGTERM', () => shutdown('SIGTERM', 0));
  process.on('SIGHUP', () => shutdown('SIGHUP', 0));
  // Last resort (an uncaught error, process.exit elsewhere): no child outlives the launcher.
  process.on('exit', () => children.forEach((c) => c.killNow()));

  const start = (child: Child) => {
    child.start(baseEnv);
    void child.exited.then(({ code, signal }) => {
      if (child.expectingExit || stopping) return;
      say(`${child.spec.name} died unexpectedly (${signal ? `signal ${signal}` : `exit code ${code}`})`);
      shutdown(`${child.spec.name} died`, 1);
    });
  };

  try {
    // A wave starts once the previous one is ready: order needs inventory's catalog, the gateway needs everyone.
    for (const wave of childWaves) {
      if (stopping) return;
      wave.forEach(start);
      await Promise.all(
        wave.map(async (child) => {
          await child.waitReady(READY_TIMEOUT_MS);
          say(`${child.spec.name} ready on ${child.url}`);
        }),
      );
    }
  } catch (error) {
    if (stopping) return;
    say(error instanceof Error ? error.message : String(error));
    shutdown('startup failed', 1);
    return;
  }
  if (stopping) return;

  const api = `http://127.0.0.1:${gatewayPort}`;
  const infra = [`RabbitMQ ${(env.RABBITMQ_URL ?? '').replace(/\/\/[^@]*@/, '//')}`, `Kafka ${env.KAFKA_BROKERS ?? '(service default)'}`];
  if (env.REDIS_URL) infra.push(`Redis ${env.REDIS_URL}`);
  if (env.CONSUL_URL) infra.push(`Consul ${env.CONSUL_URL}`);
  console.log(
    [
      '',
      `saga-platform is running as separate processes: ${api} (Node ${process.version})`,
      `  real brokers of infra/local (${infra.join(', ')}); services behind the gateway:`,
      `  ${children.filter((c) => !c.spec.public).map((c) => `${c.spec.name} ${c.url}`).join('  ')}`,
      '',
      ...tryItLines(api),
      '',
      'Ctrl-C stops them all.',
    ].join('\n'),
  );
}

main().catch((error: unknown) => {
  say(error instanceof Error ? error.message : String(error));
  process.exit(1);
});
