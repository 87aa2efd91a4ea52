// The run's private infrastructure: a RabbitMQ vhost (management API) and one PostgreSQL database per service.
import { Client } from 'pg';

export interface InfraEndpoints {
  /** A database the saga user can connect to in order to CREATE / DROP the run's databases. */
  adminDatabaseUrl: string;
  /** AMQP URL without a vhost; the run's vhost is appended. */
  rabbitUrl: string;
  /** RabbitMQ management API, credentials in the URL. */
  managementUrl: string;
  /** Kafka bootstrap brokers (KAFKA_BROKERS, comma-separated). */
  kafkaBrokers: string[];
  /** Redis, where gateway replicas share their rate-limit counters. */
  redisUrl: string;
  /** Toxiproxy's API (the chaos suite puts each service's RabbitMQ link through it). */
  toxiproxyUrl: string;
}

export function defaultEndpoints(env: NodeJS.ProcessEnv = process.env): InfraEndpoints {
  return {
    adminDatabaseUrl: env.E2E_ADMIN_DATABASE_URL ?? 'postgres://saga:saga@127.0.0.1:5432/postgres',
    rabbitUrl: env.RABBITMQ_URL ?? 'amqp://guest:guest@127.0.0.1:5672',
    managementUrl: env.RABBITMQ_MANAGEMENT_URL ?? 'http://guest:guest@127.0.0.1:15672',
    redisUrl: env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    toxiproxyUrl: env.TOXIPROXY_URL ?? 'http://127.0.0.1:8474',
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((broker) => broker.trim()).filter(Boolean),
  };
}

/** The URL with its path (database name or vhost) replaced. */
export function withPath(url: string, path: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${encodeURIComponent(path)}`;
  return parsed.toString();
}

/** Names come from the harness (`e2e_<hex>_<service>`); checked anyway, since they end up in SQL unquoted. */
function assertSafeName(name: string): void {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(name)) throw new Error(`unsafe database or vhost name: ${name}`);
}

async function withAdminClient<T>(adminDatabaseUrl: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ connectionString: adminDatabaseUrl, application_name: 'e2e-harness' });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end().catch(() => undefined);
  }
}

export async function createDatabases(adminDatabaseUrl: string, names: readonly string[]): Promise<void> {
  names.forEach(assertSafeName);
  await withAdminClient(adminDatabaseUrl, async (client) => {
    for (const name of names) await client.query(`CREATE DATABASE ${name}`);
  });
}

/** WITH (FORCE) ends sessions a killed service may have left behind. */
export async function dropDatabases(adminDatabaseUrl: string, names: readonly string[]): Promise<void> {
  names.forEach(assertSafeName);
  await withAdminClient(adminDatabaseUrl, async (client) => {
    for (const name of names) await client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
  });
}

export async function existingDatabases(adminDatabaseUrl: string, prefix: string): Promise<string[]> {
  return withAdminClient(adminDatabaseUrl, async (client) => {
    const result = await client.query<{ datname: string }>('SELECT datname FROM pg_database WHERE starts_with(datname, $1) ORDER BY datname', [prefix]);
    return result.rows.map((row) => row.datname);
  });
}

/** Calls the management API; 404 counts as success for DELETE (already gone). */
export async function management(managementUrl: string, method: 'GET' | 'PUT' | 'DELETE', path: string, body?: object): Promise<unknown> {
  const base = new URL(managementUrl);
  const auth = Buffer.from(`${decodeURIComponent(base.username)}:${decodeURIComponent(base.password)}`).toString('base64');
  const response = await fetch(`${base.origin}/api/${path}`, {
    method,
    headers: { authorization: `Basic ${auth}`, 'content-type': 'application/json' },
    signal: AbortSignal.timeout(10_000),
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  if (method === 'DELETE' && response.status === 404) return undefined;
  if (!response.ok) throw new Error(`RabbitMQ management ${method} /api/${path}: ${response.status} ${await response.text()}`);
  const text = await response.text();
  return text ? (JSON.parse(text) as unknown) : undefined;
}

/** A vhost only the run's services use, with full rights for the AMQP user. */
export async function createVhost(endpoints: InfraEndpoints, vhost: string): Promise<void> {
  assertSafeName(vhost);
  const user = decodeURIComponent(new URL(endpoints.rabbitUrl).username || 'guest');
  await management(endpoints.managementUrl, 'PUT', `vhosts/${vhost}`);
  await management(endpoints.managementUrl, 'PUT', `permissions/${vhost}/${encodeURIComponent(user)}`, { configure: '.*', write: '.*', read: '.*' });
}

export async function deleteVhost(managementUrl: string, vhost: string): Promise<void> {
  assertSafeName(vhost);
  await management(managementUrl, 'DELETE', `vhosts/${vhost}`);
}

export async function vhostExists(managementUrl: string, vhost: string): Promise<boolean> {
  const vhosts = (await management(managementUrl, 'GET', 'vhosts')) as { name: string }[];
  return vhosts.some((entry) => entry.name === vhost);
}
