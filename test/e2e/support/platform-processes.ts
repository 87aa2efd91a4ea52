// The whole platform for one e2e run, every service its own OS process against the real brokers, in a private
// RabbitMQ vhost and private PostgreSQL databases, so runs never meet each other's queues or rows.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { createDatabases, createVhost, defaultEndpoints, deleteVhost, dropDatabases, withPath, type InfraEndpoints } from './infra-admin';
import { freePort, logTail, ServiceProcess } from './service-process';

export type ServiceName = 'provider' | 'inventory' | 'payment' | 'notification' | 'order';

const repoRoot = resolve(__dirname, '../../..');
const serviceDirs: Record<ServiceName, string> = {
  provider: 'services/payment-provider',
  inventory: 'services/inventory',
  payment: 'services/payment',
  notification: 'services/notification',
  order: 'services/order',
};
const withDatabase: readonly ServiceName[] = ['inventory', 'payment', 'notification', 'order'];
/** Start order: the order service needs the others' queues and the inventory's URL. */
const startWaves: readonly (readonly ServiceName[])[] = [['provider', 'inventory', 'payment', 'notification'], ['order']];

export interface PlatformOptions {
  /** ORDER_STEP_TIMEOUT_MS of the order service; default 5000. */
  stepTimeoutMs?: number;
  /** Extra environment per service, e.g. `{ provider: { PROVIDER_LATENCY_MS: '3000' } }`. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Which services to run; default all five (the harness's own smoke test runs fewer). */
  services?: readonly ServiceName[];
  readyTimeoutMs?: number;
  endpoints?: Partial<InfraEndpoints>;
}

export interface Platform {
  readonly run: string;
  readonly urls: Record<ServiceName, string>;
  /** AMQP URL of the run's vhost, for tests that talk to the queues directly. */
  readonly rabbitUrl: string;
  readonly vhost: string;
  readonly databases: readonly string[];
  readonly logDir: string;
  /** The service's own database, e.g. to look at a killed service's state. */
  databaseUrl(service: ServiceName): string;
  kill(service: ServiceName, signal?: NodeJS.Signals): Promise<void>;
  /** Same port, same environment; resolves once /health/ready answers 200. */
  restart(service: ServiceName): Promise<void>;
  isRunning(service: ServiceName): boolean;
  /** OS pid of a running service (benchmarks read its memory from /proc). */
  pid(service: ServiceName): number | undefined;
  /** Where to look when something failed: the log directory, crashes, and each log's last lines. */
  describe(): string;
  stop(): Promise<void>;
}

/**
 * The real `process`: inside jest, the global one is a copy whose 'exit' event never fires. Core modules come
 * from the outer realm, so a function made by their Function constructor sees the real global.
 */
const realProcess = (spawn.constructor as FunctionConstructor)('return process')() as NodeJS.Process;

function requireBuilt(service: ServiceName): string {
  const script = join(repoRoot, serviceDirs[service], 'dist/main.js');
  if (!existsSync(script)) throw new Error(`${script} is missing: run \`npm run build\` (tsc -b) before the e2e tests`);
  return script;
}

/** Only what a service needs: the test runner's own variables (NODE_ENV=test, JEST_*, DATABASE_URL…) stay out. */
function baseEnv(): Record<string, string> {
  const keep = ['PATH', 'HOME', 'LANG', 'TZ', 'TMPDIR'];
  return Object.fromEntries(keep.flatMap((key) => (process.env[key] === undefined ? [] : [[key, process.env[key] as string]])));
}

export async function startPlatform(options: PlatformOptions = {}): Promise<Platform> {
  const services = options.services ?? (['provider', 'inventory', 'payment', 'notification', 'order'] as const);
  const scripts = Object.fromEntries(services.map((service) => [service, requireBuilt(service)])) as Record<ServiceName, string>;
  const endpoints = { ...defaultEndpoints(), ...options.endpoints };
  const run = `e2e_${randomBytes(4).toString('hex')}`;
  const logDir = join(repoRoot, '.local/logs/e2e', run);
  mkdirSync(logDir, { recursive: true });
  const databaseOf = (service: ServiceName) => `${run}_${service}`;
  const databases = withDatabase.filter((service) => services.includes(service)).map(databaseOf);
  const rabbitUrl = withPath(endpoints.rabbitUrl, run);
  const stateFile = join(logDir, 'platform.json');

  const ports = {} as Record<ServiceName, number>;
  for (const service of Object.keys(serviceDirs) as ServiceName[]) ports[service] = await freePort();
  const urls = Object.fromEntries(Object.entries(ports).map(([service, port]) => [service, `http://127.0.0.1:${port}`])) as Record<ServiceName, string>;

  const envOf = (service: ServiceName): Record<string, string> => ({
    ...baseEnv(),
    PORT: String(ports[service]),
    // E2E_LOG_LEVEL=info (or debug) when a failure needs more than warnings to explain.
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    ...(service === 'provider' ? {} : { RABBITMQ_URL: rabbitUrl }),
    ...(withDatabase.includes(service) ? { DATABASE_URL: withPath(endpoints.adminDatabaseUrl, databaseOf(service)) } : {}),
    ...(service === 'payment' ? { PAYMENT_PROVIDER_URL: urls.provider } : {}),
    ...(service === 'order' ? { INVENTORY_URL: urls.inventory, ORDER_STEP_TIMEOUT_MS: String(options.stepTimeoutMs ?? 5_000) } : {}),
    ...options.env?.[service],
  });
  const processes = new Map<ServiceName, ServiceProcess>(
    services.map((service) => [service, new ServiceProcess({ name: service, script: scripts[service], port: ports[service], env: envOf(service), logFile: join(logDir, `${service}.log`) })]),
  );
  const processOf = (service: ServiceName): ServiceProcess => {
    const found = processes.get(service);
    if (!found) throw new Error(`${service} is not part of this platform (options.services)`);
    return found;
  };

  /** What the watchdog needs to clean up after a test process that died; rewritten whenever a pid changes. */
  const saveState = () =>
    writeFileSync(stateFile, JSON.stringify({
      processes: [...processes.values()].flatMap((p) => (p.pid ? [{ pid: p.pid, script: p.spec.script }] : [])),
      databases,
      vhost: run,
      adminDatabaseUrl: endpoints.adminDatabaseUrl,
      managementUrl: endpoints.managementUrl,
    }));
  const killChildrenNow = () => processes.forEach((p) => p.killNow());

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> =>
    (stopping ??= (async () => {
      realProcess.off('exit', killChildrenNow);
      await Promise.all([...processes.values()].map((p) => p.kill('SIGTERM')));
      const problems: string[] = [];
      await dropDatabases(endpoints.adminDatabaseUrl, databases).catch((error: unknown) => problems.push(`drop databases: ${String(error)}`));
      await deleteVhost(endpoints.managementUrl, run).catch((error: unknown) => problems.push(`delete vhost: ${String(error)}`));
      rmSync(stateFile, { force: true });
      if (problems.length > 0) throw new Error(`e2e platform ${run} was not cleaned up completely: ${problems.join('; ')}`);
    })());

  const platform: Platform = {
    run,
    urls,
    rabbitUrl,
    vhost: run,
    databases,
    logDir,
    databaseUrl: (service) => withPath(endpoints.adminDatabaseUrl, databaseOf(service)),
    kill: async (service, signal = 'SIGKILL') => {
      await processOf(service).kill(signal);
      saveState();
    },
    restart: async (service) => {
      const target = processOf(service);
      await target.kill('SIGTERM');
      target.start();
      saveState();
      await target.waitReady(options.readyTimeoutMs ?? 30_000);
    },
    isRunning: (service) => processOf(service).isRunning(),
    pid: (service) => processOf(service).pid,
    describe: () => {
      const crashes = [...processes.values()].flatMap((p) => p.unexpectedExits);
      const tails = [...processes.values()].map((p) => `--- ${p.spec.name} (${p.spec.logFile}) ---\n${logTail(p.spec.logFile, 8)}`);
      return [`e2e run ${run}: service logs in ${logDir}`, crashes.length ? `unexpected exits: ${crashes.join('; ')}` : '', ...tails].filter(Boolean).join('\n');
    },
    stop,
  };

  // Safety nets: children die with this process, and a detached watchdog cleans up if it dies without stop().
  realProcess.on('exit', killChildrenNow);
  saveState();
  spawn(process.execPath, [join(__dirname, 'watchdog.cjs'), String(realProcess.pid), stateFile], { detached: true, stdio: 'ignore' }).unref();

  try {
    await createVhost(endpoints, run); // before any service starts: they declare their queues in it
    await createDatabases(endpoints.adminDatabaseUrl, databases);
    for (const wave of startWaves) {
      const starting = wave.filter((service) => processes.has(service)).map(processOf);
      starting.forEach((p) => p.start());
      saveState();
      await Promise.all(starting.map((p) => p.waitReady(options.readyTimeoutMs ?? 30_000)));
    }
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return platform;
}

/**
 * Wraps a test body: when it fails, the error names the run's log directory and each service's last log lines.
 * The platform is read lazily because beforeAll creates it after the tests are declared.
 */
export function withServiceLogs(platform: () => Platform | undefined, body: () => Promise<void>): () => Promise<void> {
  return async () => {
    try {
      await body();
    } catch (error) {
      const where = platform()?.describe() ?? 'the platform did not start (see beforeAll)';
      if (error instanceof Error) {
        error.message = `${error.message}\n\n${where}`;
        throw error;
      }
      throw new Error(`${String(error)}\n\n${where}`);
    }
  };
}
