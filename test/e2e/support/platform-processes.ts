// The whole platform for one e2e run, every service its own OS process against the real brokers, in a private
// RabbitMQ vhost and private PostgreSQL databases, so runs never meet each other's queues or rows. Kafka's topics and
// consumer groups have fixed names, so platforms run one at a time (a lock file) and each starts the services'
// groups at the log's end (support/kafka-namespace.ts).
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Client } from 'pg';
import { serveTestJwks, testSigningKeyPem, type TestJwksServer } from '@saga/auth/testing';
import { brokerLinkEnv, throughProxy } from '@saga/faults';
import { createDatabases, createVhost, defaultEndpoints, deleteVhost, dropDatabases, withPath, type InfraEndpoints } from './infra-admin';
import { prepareKafkaForRun, waitForGroupToReach, type TopicOffsets } from './kafka-namespace';
import { acquirePlatformLock, type PlatformLock } from './platform-lock';
import { freePorts, logTail, ServiceProcess } from './service-process';

export type ServiceName = 'provider' | 'inventory' | 'payment' | 'notification' | 'order' | 'gateway';
/** A service's first process is named after it; extra instances (`extraInstances`) are `inventory#2`, `inventory#3`… */
export type InstanceName = ServiceName | `${ServiceName}#${number}`;

/** How long startPlatform waits for another run's platform to stop (E2E_PLATFORM_LOCK_TIMEOUT_MS); callers' hook timeouts must cover it. */
export const PLATFORM_LOCK_TIMEOUT_MS = Number(process.env.E2E_PLATFORM_LOCK_TIMEOUT_MS ?? 20 * 60_000);

const repoRoot = resolve(__dirname, '../../..');
const serviceDirs: Record<ServiceName, string> = {
  provider: 'services/payment-provider',
  inventory: 'services/inventory',
  payment: 'services/payment',
  notification: 'services/notification',
  order: 'services/order',
  gateway: 'gateway',
};
const withDatabase: readonly ServiceName[] = ['provider', 'inventory', 'payment', 'notification', 'order'];
/** Services that join Kafka consumer groups: a platform with any of them positions the groups first. */
const withKafka: readonly ServiceName[] = ['inventory', 'payment', 'notification', 'order'];
const lockFile = join(repoRoot, '.local/e2e-platform.lock');
/** Start order: the order service needs the others' queues and the inventory's URL; the gateway is ready once they all are. */
const startWaves: readonly (readonly ServiceName[])[] = [['provider', 'inventory', 'payment', 'notification'], ['order'], ['gateway']];

export interface PlatformOptions {
  /** ORDER_STEP_TIMEOUT_MS of the order service; default 5000. */
  stepTimeoutMs?: number;
  /** Extra environment per service, e.g. `{ provider: { PROVIDER_LATENCY_MS: '3000' } }`. */
  env?: Partial<Record<ServiceName, Record<string, string>>>;
  /** Which services to run; default the five behind the gateway (add 'gateway' to drive it through the front door). */
  services?: readonly ServiceName[];
  readyTimeoutMs?: number;
  endpoints?: Partial<InfraEndpoints>;
  /**
   * More processes of a service, e.g. `{ inventory: 1 }` adds `inventory#2`: same environment (database, vhost,
   * Kafka groups), its own port, started and stopped with the first. The first instance keeps the service's URL.
   */
  extraInstances?: Partial<Record<ServiceName, number>>;
  /** How long to wait for another platform (another jest worker, a bench) to stop; default PLATFORM_LOCK_TIMEOUT_MS. */
  lockTimeoutMs?: number;
  /**
   * host:port a service reaches RabbitMQ through instead of the broker itself, e.g. a Toxiproxy proxy the chaos
   * suite cuts or slows down (same vhost, same credentials).
   */
  rabbitHostFor?: Partial<Record<ServiceName, string>>;
  /**
   * The Toxiproxy those proxies live in and their names' prefix (`<prefix><service>-rabbitmq`): given to the gateway
   * (TOXIPROXY_URL, TOXIPROXY_LINK_PREFIX), whose /api/admin/links then slows or cuts them.
   */
  brokerLinks?: { toxiproxyUrl: string; prefix: string };
}

export interface Platform {
  readonly run: string;
  readonly urls: Record<ServiceName, string>;
  /** AMQP URL of the run's vhost, for tests that talk to the queues directly. */
  readonly rabbitUrl: string;
  readonly vhost: string;
  readonly databases: readonly string[];
  readonly logDir: string;
  /** The Kafka the services use (KAFKA_BROKERS). */
  readonly kafkaBrokers: readonly string[];
  /**
   * Where this run's part of each event topic begins (the services' groups were positioned here before they
   * started): a test's own consumer positioned here sees this run's events and no earlier run's.
   */
  readonly kafkaStart: TopicOffsets;
  /** Every process of the platform, extra instances included. */
  readonly instances: readonly InstanceName[];
  /** The service's own database, e.g. to look at a killed service's state. */
  databaseUrl(service: ServiceName): string;
  /** URL of one process (for extra instances; `urls` has each service's first). */
  instanceUrl(instance: InstanceName): string;
  kill(instance: InstanceName, signal?: NodeJS.Signals): Promise<void>;
  /** Same port, same environment; resolves once /health/ready answers 200. */
  restart(instance: InstanceName): Promise<void>;
  isRunning(instance: InstanceName): boolean;
  /** OS pid of a running service (benchmarks read its memory from /proc). */
  pid(instance: InstanceName): number | undefined;
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
  // One platform at a time: Kafka groups are shared (see platform-lock.ts). Released by stop(), or by the watchdog.
  const lock = await acquirePlatformLock(lockFile, { pid: realProcess.pid, run }, {
    timeoutMs: options.lockTimeoutMs ?? PLATFORM_LOCK_TIMEOUT_MS,
    onWait: (holder) => console.log(`e2e run ${run} waits for the platform of ${holder ? `run ${holder.run} (pid ${holder.pid}, since ${holder.since})` : 'another run'} to stop`),
  });
  try {
    return await startLocked(options, services, scripts, endpoints, run, lock);
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Instance names of a service: itself, then `service#2`… for its extra instances. */
function instancesOf(service: ServiceName, options: PlatformOptions): InstanceName[] {
  const extra = options.extraInstances?.[service] ?? 0;
  return [service, ...Array.from({ length: extra }, (_, i) => `${service}#${i + 2}` as InstanceName)];
}

const serviceOf = (instance: InstanceName): ServiceName => instance.split('#')[0] as ServiceName;

/** The URL with another host:port (a proxy in front of the broker), or unchanged. */
const viaHost = (url: string, hostPort: string | undefined): string => (hostPort ? throughProxy(url, hostPort) : url);

async function startLocked(
  options: PlatformOptions,
  services: readonly ServiceName[],
  scripts: Record<ServiceName, string>,
  endpoints: InfraEndpoints,
  run: string,
  lock: PlatformLock,
): Promise<Platform> {
  const logDir = join(repoRoot, '.local/logs/e2e', run);
  mkdirSync(logDir, { recursive: true });
  const databaseOf = (service: ServiceName) => `${run}_${service}`;
  const databases = withDatabase.filter((service) => services.includes(service)).map(databaseOf);
  const rabbitUrl = withPath(endpoints.rabbitUrl, run);
  const stateFile = join(logDir, 'platform.json');

  const instances = services.flatMap((service) => instancesOf(service, options));
  // Tokens: the gateway signs with this test process's ES256 key (@saga/auth/testing) and the services verify through
  // its JWKS, so adminBearer()/bearerFor() work against either. Without a gateway, this process serves the same JWKS.
  // Started before the services' ports are picked: started after, it once took one of them as it was freed, and
  // answered that service's readiness probe while the service itself had died of EADDRINUSE.
  const jwks: TestJwksServer | undefined = services.includes('gateway') ? undefined : await serveTestJwks();
  const named = [...(Object.keys(serviceDirs) as ServiceName[]), ...instances.filter((name) => name.includes('#'))];
  const picked = await freePorts(named.length);
  const ports = Object.fromEntries(named.map((instance, index) => [instance, picked[index]])) as Record<InstanceName, number>;
  const instanceUrl = (instance: InstanceName) => `http://127.0.0.1:${ports[instance]}`;
  const urls = Object.fromEntries((Object.keys(serviceDirs) as ServiceName[]).map((service) => [service, instanceUrl(service)])) as Record<ServiceName, string>;
  const jwksUrl = jwks?.url ?? `${urls.gateway}/.well-known/jwks.json`;

  const envOf = (service: ServiceName, instance: InstanceName): Record<string, string> => ({
    ...baseEnv(),
    PORT: String(ports[instance]),
    // E2E_LOG_LEVEL=info (or debug) when a failure needs more than warnings to explain.
    LOG_LEVEL: process.env.E2E_LOG_LEVEL ?? 'warn',
    // The suites (and the chaos runs) inject faults through /admin/faults: on here, off by default elsewhere.
    FAULTS_ENABLED: 'true',
    ...(service === 'provider' || service === 'gateway' ? {} : { RABBITMQ_URL: viaHost(rabbitUrl, options.rabbitHostFor?.[service]) }),
    ...(withKafka.includes(service) ? { KAFKA_BROKERS: endpoints.kafkaBrokers.join(',') } : {}),
    ...(withDatabase.includes(service) ? { DATABASE_URL: withPath(endpoints.adminDatabaseUrl, databaseOf(service)) } : {}),
    ...(service === 'provider' ? { PROVIDER_ADMIN_ENABLED: 'true' } : {}),
    ...(service === 'provider' || service === 'gateway' ? {} : { JWT_JWKS_URL: jwksUrl }),
    ...(service === 'payment' ? { PAYMENT_PROVIDER_URL: urls.provider } : {}),
    ...(service === 'order' ? { INVENTORY_URL: urls.inventory, ORDER_STEP_TIMEOUT_MS: String(options.stepTimeoutMs ?? 5_000) } : {}),
    // Replicas share their limits through Redis, under this run's own prefix (other runs may use the same Redis).
    ...(service === 'gateway'
      ? { HOST: '127.0.0.1', DEMO_USERS_ENABLED: 'true', JWT_SIGNING_KEY: testSigningKeyPem(), ORDER_URL: urls.order, INVENTORY_URL: urls.inventory, PAYMENT_URL: urls.payment, NOTIFICATION_URL: urls.notification, REDIS_URL: endpoints.redisUrl, RATE_LIMIT_KEY_PREFIX: `${run}:` }
      : {}),
    ...(service === 'gateway' && options.brokerLinks ? brokerLinkEnv(options.brokerLinks.toxiproxyUrl, options.brokerLinks.prefix) : {}),
    ...options.env?.[service],
  });
  const processes = new Map<InstanceName, ServiceProcess>(
    instances.map((instance) => {
      const service = serviceOf(instance);
      return [instance, new ServiceProcess({ name: instance, script: scripts[service], port: ports[instance], env: envOf(service, instance), logFile: join(logDir, `${instance}.log`) })];
    }),
  );
  const processOf = (instance: InstanceName): ServiceProcess => {
    const found = processes.get(instance);
    if (!found) throw new Error(`${instance} is not part of this platform (options.services, options.extraInstances)`);
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
      lockFile: lock.file,
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
      await jwks?.close();
      lock.release();
      if (problems.length > 0) throw new Error(`e2e platform ${run} was not cleaned up completely: ${problems.join('; ')}`);
    })());

  let kafkaStart: TopicOffsets = {};
  const platform: Platform = {
    run,
    urls,
    rabbitUrl,
    vhost: run,
    databases,
    logDir,
    kafkaBrokers: endpoints.kafkaBrokers,
    get kafkaStart() {
      return kafkaStart;
    },
    instances,
    databaseUrl: (service) => withPath(endpoints.adminDatabaseUrl, databaseOf(service)),
    instanceUrl: (instance) => {
      processOf(instance);
      return instanceUrl(instance);
    },
    kill: async (instance, signal = 'SIGKILL') => {
      await processOf(instance).kill(signal);
      saveState();
    },
    restart: async (instance) => {
      const target = processOf(instance);
      await target.kill('SIGTERM');
      target.start();
      saveState();
      await target.waitReady(options.readyTimeoutMs ?? 30_000);
    },
    isRunning: (instance) => processOf(instance).isRunning(),
    pid: (instance) => processOf(instance).pid,
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
  const watchdog = spawn(process.execPath, [join(__dirname, 'watchdog.cjs'), String(realProcess.pid), stateFile], { detached: true, stdio: 'ignore' });
  watchdog.unref();
  if (watchdog.pid !== undefined) lock.setWatchdog(watchdog.pid);

  try {
    // Before any service joins a group: no one else in the groups, each group starts at the log's end.
    if (services.some((service) => withKafka.includes(service))) kafkaStart = await prepareKafkaForRun(endpoints.kafkaBrokers);
    await createVhost(endpoints, run); // before any service starts: they declare their queues in it
    await createDatabases(endpoints.adminDatabaseUrl, databases);
    for (const wave of startWaves) {
      const starting = wave.filter((service) => services.includes(service)).flatMap((service) => instancesOf(service, options)).map(processOf);
      starting.forEach((p) => p.start());
      saveState();
      await Promise.all(starting.map((p) => p.waitReady(options.readyTimeoutMs ?? 30_000)));
    }
    if (services.includes('order') && Object.keys(kafkaStart).length > 0) await waitForOrderTimeline(platform, kafkaStart);
  } catch (error) {
    await stop().catch(() => undefined);
    throw error;
  }
  return platform;
}

/**
 * Ready is not yet quiet: the order service's timeline starts a new consumer group at offset 0 of every event topic, and
 * replays what earlier runs left there before it reaches this run's part. Waits (up to two minutes) until it has, so
 * no test or benchmark measures a platform busy with that; a timeline that does not get there is reported, not fatal.
 */
async function waitForOrderTimeline(platform: Platform, start: TopicOffsets): Promise<void> {
  const client = new Client({ connectionString: platform.databaseUrl('order'), application_name: 'e2e-harness' });
  await client.connect();
  let groupId: string | undefined;
  try {
    groupId = (await client.query<{ group_id: string }>('SELECT group_id FROM timeline_state WHERE id = 1')).rows[0]?.group_id;
  } finally {
    await client.end();
  }
  if (!groupId) return;
  const took = await waitForGroupToReach(platform.kafkaBrokers, groupId, start, 120_000);
  if (took === undefined) console.warn(`e2e run ${platform.run}: the order timeline (${groupId}) had not replayed the earlier runs' events within 120 s; going on`);
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
      throw new Error(`${String(error)}\n\n${where}`, { cause: error });
    }
  };
}
