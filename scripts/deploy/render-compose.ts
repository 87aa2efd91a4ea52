// Renders docker-compose.yml and docker-compose.replicas.yml from infra/platform/services.json; `--check` fails on drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { isOptionalInfra, loadManifest, placeholders, repoRoot, resolveEnv, type Manifest, type ServiceSpec } from './manifest';
import { composeScrapeConfig, composeScrapeFile, composeScrapeHeader, prometheusImage, prometheusPort, renderPrometheusYaml } from './prometheus-config';
import { composeRef, composeResolver, composeSecrets, composeUsers } from './resolvers';

type ComposeService = Record<string, unknown>;
export interface ComposeFile {
  services: Record<string, ComposeService>;
  [key: string]: unknown;
}

export const composeFiles = { main: 'docker-compose.yml', replicas: 'docker-compose.replicas.yml', prometheus: composeScrapeFile } as const;
/** Only the one image is ever built; every app service runs it with its own command. */
export const buildSpec = { context: '.', dockerfile: 'Dockerfile' };

const healthcheck = (test: string[], extra: { interval?: string; timeout?: string; retries?: number; start_period?: string } = {}) => ({
  test,
  interval: extra.interval ?? '5s',
  timeout: extra.timeout ?? '5s',
  retries: extra.retries ?? 30,
  start_period: extra.start_period ?? '10s',
});
const healthy = { condition: 'service_healthy' } as const;
const initialised = { condition: 'service_completed_successfully' } as const;
/**
 * Optional infra (the trace backend): started first, never waited for (not healthy, not ready: a Jaeger that is slow
 * or crashes blocks nothing; the SDK drops what it cannot export). `required: false` would say it better, but the
 * Compose schema the checks use does not know it yet.
 */
const loosely = { condition: 'service_started' } as const;

/** The trace backend: Jaeger v2, whose image's default config is the all-in-one (in-memory storage, OTLP receiver, query and UI). */
export const jaegerImage = 'jaegertracing/jaeger:2.12.0';
/** Jaeger v2's health check extension (healthcheckv2), on every interface of the container as the image configures it. */
export const jaegerHealthPort = 13133;
/** The secrets volume, read-only unless the service writes there (the gateway's key and admin password). */
const secretsMount = (writable = false) => `${composeSecrets.volume}:${composeSecrets.dir}${writable ? '' : ':ro'}`;
const secretFile = (name: keyof typeof composeSecrets.passwords) => `${composeSecrets.dir}/${composeSecrets.passwords[name]}`;

/**
 * secrets-init: at first start only, random passwords into the secrets volume (an existing file is kept, so a
 * restart or `docker compose up` again changes nothing). Owned by the image's node user (uid 1000), so the gateway can
 * add its key and admin password next to them; readable by the broker and database containers that mount it.
 * `$$` is compose's escape for a literal `$`.
 */
export const secretsInitScript = [
  'set -eu',
  `cd ${composeSecrets.dir}`,
  `for name in ${Object.values(composeSecrets.passwords).join(' ')}; do`,
  '  if [ ! -s "$$name" ]; then',
  // 32 random bytes as 64 hex characters: safe inside a URL's userinfo, no quoting anywhere.
  '    head -c 32 /dev/urandom | od -An -tx1 | tr -d " \\n" > "$$name.new"',
  '    mv "$$name.new" "$$name"',
  '    echo "secrets-init: generated $$name"',
  '  fi',
  'done',
  `printf 'requirepass %s\\n' "$$(cat ${composeSecrets.passwords.REDIS_PASSWORD})" > redis-auth.conf`,
  // Only its own files: the gateway keeps its private key 0600 in the same directory.
  `chmod 0644 ${Object.values(composeSecrets.passwords).join(' ')} redis-auth.conf`,
  `chown -R 1000:1000 ${composeSecrets.dir}`,
  `chmod 0755 ${composeSecrets.dir}`,
].join('\n');

/** infra/kafka/server.properties as apache/kafka env (KAFKA_ + upper case, '.' -> '_'); listeners and voters use the compose host name. */
export function kafkaEnvironment(manifest: Manifest, propertiesFile = join(repoRoot, 'infra/kafka/server.properties')): Record<string, string> {
  const port = manifest.infra.kafka.port;
  const containerSpecific: Record<string, string> = {
    'controller.quorum.voters': '1@kafka:9093',
    listeners: `PLAINTEXT://:${port},CONTROLLER://:9093`,
    'advertised.listeners': `PLAINTEXT://kafka:${port}`,
    // The image's own data directory (the file's value is only a placeholder that infra/local overrides too).
    'log.dirs': '/var/lib/kafka/data',
  };
  // A fixed KRaft cluster id (16 bytes, base64url: Kafka rejects anything else) so a restarted container keeps its log.
  const env: Record<string, string> = { CLUSTER_ID: 'c2FnYS1wbGF0Zm9ybS1rcg' };
  for (const [key, value] of Object.entries(readProperties(propertiesFile))) env[kafkaEnvName(key)] = containerSpecific[key] ?? value;
  return env;
}

export function kafkaEnvName(property: string): string {
  // The apache/kafka image's rule: '-' -> '___', '_' -> '__', '.' -> '_'.
  return `KAFKA_${property.replace(/-/g, '___').replace(/_/g, '__').replace(/\./g, '_').toUpperCase()}`;
}

export function readProperties(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const line of readFileSync(file, 'utf8').split('\n')) {
    const match = /^\s*([^#!\s][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (match) out[match[1]] = match[2];
  }
  return out;
}

function infraServices(manifest: Manifest): Record<string, ComposeService> {
  const pg = manifest.infra.postgres;
  const pgUser = composeUsers.postgres;
  return {
    'secrets-init': {
      // An image compose already pulls, for its shell and /dev/urandom.
      image: 'redis:7-alpine',
      entrypoint: ['sh', '-c', secretsInitScript],
      volumes: [secretsMount(true)],
      restart: 'no',
    },
    consul: {
      image: 'hashicorp/consul:1.20',
      command: ['agent', '-dev', '-client=0.0.0.0'],
      ports: [`127.0.0.1:${manifest.infra.consul.port}:8500`],
      healthcheck: healthcheck(['CMD', 'consul', 'members']),
    },
    kafka: {
      image: 'apache/kafka:3.9.1',
      environment: kafkaEnvironment(manifest),
      healthcheck: healthcheck(['CMD-SHELL', `/opt/kafka/bin/kafka-broker-api-versions.sh --bootstrap-server localhost:${manifest.infra.kafka.port} >/dev/null 2>&1`], { timeout: '15s', start_period: '15s' }),
    },
    rabbitmq: {
      image: 'rabbitmq:3.13-management',
      // conf.d is read in name order, later keys win: ours after the image's 10-defaults, compose's overrides last.
      volumes: [
        './infra/rabbitmq/rabbitmq.conf:/etc/rabbitmq/conf.d/20-saga.conf:ro',
        './infra/rabbitmq/compose.conf:/etc/rabbitmq/conf.d/30-compose.conf:ro',
        './infra/rabbitmq/enabled_plugins:/etc/rabbitmq/enabled_plugins:ro',
        secretsMount(),
      ],
      // The user from the environment, its password from the secrets volume (as Kubernetes passes RABBITMQ_DEFAULT_PASS).
      environment: { RABBITMQ_DEFAULT_USER: composeUsers.rabbitmq },
      entrypoint: ['sh', '-c', `export RABBITMQ_DEFAULT_PASS="$$(cat ${secretFile('RABBITMQ_PASSWORD')})" && exec docker-entrypoint.sh rabbitmq-server`],
      ports: [`127.0.0.1:${manifest.infra.rabbitmq.managementPort}:15672`],
      depends_on: { 'secrets-init': initialised },
      healthcheck: healthcheck(['CMD', 'rabbitmq-diagnostics', '-q', 'check_port_connectivity'], { timeout: '15s', start_period: '15s' }),
    },
    postgres: {
      image: 'postgres:15-bookworm',
      // The image's default (100) is below what the services' derived pools add up to (~110 at full concurrency,
      // docs/decisions/0015): pools open connections on demand, but the ceiling must not be the first thing to fail.
      command: ['postgres', '-c', 'max_connections=300'],
      // The image reads the password from the file (at initdb: the database keeps the one it was created with).
      environment: { POSTGRES_USER: pgUser, POSTGRES_PASSWORD_FILE: secretFile('POSTGRES_PASSWORD'), POSTGRES_DB: 'saga' },
      volumes: ['./infra/postgres/init.sql:/docker-entrypoint-initdb.d/10-init.sql:ro', secretsMount()],
      depends_on: { 'secrets-init': initialised },
      // Over TCP: during initdb the image's temporary server listens on the socket only, so healthy means initialised.
      healthcheck: healthcheck(['CMD', 'pg_isready', '-h', '127.0.0.1', '-p', String(pg.port), '-U', pgUser, '-d', 'order_db']),
    },
    redis: {
      image: 'redis:7-alpine',
      volumes: ['./infra/redis/redis.conf:/usr/local/etc/redis/redis.conf:ro', secretsMount()],
      // The shared file binds loopback for the native mode; in a container the other containers must reach it, and
      // only with the password: `requirepass` comes from secrets-init's include file (not on the command line).
      command: ['redis-server', '/usr/local/etc/redis/redis.conf', '--bind', '0.0.0.0', '--protected-mode', 'no', '--include', `${composeSecrets.dir}/redis-auth.conf`],
      depends_on: { 'secrets-init': initialised },
      // Without the password PING answers NOAUTH (and redis-cli still exits 0): healthy means PONG.
      healthcheck: healthcheck(['CMD-SHELL', `REDISCLI_AUTH="$$(cat ${secretFile('REDIS_PASSWORD')})" redis-cli ping | grep -q PONG`]),
    },
    toxiproxy: {
      image: 'ghcr.io/shopify/toxiproxy:2.12.0',
      command: ['-host=0.0.0.0', '-config=/config/toxiproxy.json'],
      volumes: ['./infra/toxiproxy/compose.json:/config/toxiproxy.json:ro'],
      ports: [`127.0.0.1:${manifest.infra.toxiproxy.port}:8474`],
      depends_on: { rabbitmq: healthy },
      healthcheck: healthcheck(['CMD', '/toxiproxy-cli', 'list']),
    },
    prometheus: {
      image: prometheusImage,
      // The image's entrypoint is the prometheus binary: these are its arguments (the forge stand-in takes the same).
      command: ['--config.file=/etc/prometheus/prometheus.yml', '--storage.tsdb.path=/prometheus', '--storage.tsdb.retention.time=1d', `--web.listen-address=0.0.0.0:${prometheusPort}`],
      volumes: [`./${composeScrapeFile}:/etc/prometheus/prometheus.yml:ro`],
      ports: [`127.0.0.1:${prometheusPort}:${prometheusPort}`],
      // No depends_on: a target that is not up yet is simply up == 0 until it is.
      healthcheck: healthcheck(['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${prometheusPort}/-/ready`]),
    },
    jaeger: {
      image: jaegerImage,
      // No command: the image runs its built-in all-in-one config (memory storage, OTLP/HTTP on 4318, query on 16686),
      // listening on every interface (the image sets JAEGER_LISTEN_HOST=0.0.0.0). OTLP stays on the compose network;
      // the UI and its HTTP API are published on loopback only.
      ports: [`127.0.0.1:${Number(manifest.infra.jaeger.queryPort)}:${Number(manifest.infra.jaeger.queryPort)}`],
      // The official image is Alpine: busybox's wget (the forge stand-in installs Debian's).
      healthcheck: healthcheck(['CMD', 'wget', '-q', '-O', '/dev/null', `http://127.0.0.1:${jaegerHealthPort}/status`]),
    },
  };
}

/** The compose services an app service's env needs (toxiproxy too for RabbitMQ, which it fronts). */
const placeholdersOf = (service: ServiceSpec) => Object.values(service.env).flatMap((value) => placeholders(value));

function infraDependencies(service: ServiceSpec): string[] {
  // Every infra the service's env names (optional infra included: appService decides how loosely it waits).
  const needs = new Set<string>();
  for (const value of Object.values(service.env)) {
    for (const ref of placeholders(value)) {
      if (ref.kind !== 'infra') continue;
      const kind = ref.name.split('/')[0];
      needs.add(kind);
      if (kind === 'rabbitmq') needs.add('toxiproxy');
    }
  }
  return [...needs].sort();
}

function appService(manifest: Manifest, service: ServiceSpec): ComposeService {
  const env = resolveEnv(service.env, composeResolver(manifest));
  // $$(NAME) in a URL: NAME_FILE tells the image's preload (infra/docker/secret-env.js) which file holds it.
  for (const name of Object.keys(composeSecrets.passwords) as (keyof typeof composeSecrets.passwords)[]) {
    if (Object.values(env).some((value) => value.includes(composeRef(name)))) env[`${name}_FILE`] = secretFile(name);
  }
  const usesSecrets = Object.values(env).some((value) => value.startsWith(`${composeSecrets.dir}/`) || value.includes('$$('));
  // The gateway writes its signing key and admin password there on its first start.
  const writesSecrets = placeholdersOf(service).some((ref) => ref.kind === 'secret');
  // Each container registers its own IP in Consul (a replica must not register the shared service name): see
  // infra/docker/own-address.js, preloaded by the image.
  if ('SERVICE_ADDRESS' in env) env.SERVICE_ADDRESS = 'auto';
  const earlier = manifest.services.filter((s) => s.wave < service.wave).map((s) => s.name);
  const depends = [...infraDependencies(service), ...earlier];
  const ready = `fetch('http://127.0.0.1:${service.port}/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`;
  return {
    image: `${manifest.image}:latest`,
    build: buildSpec,
    command: ['node', service.script],
    environment: env,
    ...(usesSecrets ? { volumes: [secretsMount(writesSecrets)] } : {}),
    ...(service.public ? { ports: [`127.0.0.1:${service.port}:${service.port}`] } : {}),
    // Tracing never blocks start-up: the trace backend is started first, never waited for.
    depends_on: {
      ...(usesSecrets ? { 'secrets-init': initialised } : {}),
      ...Object.fromEntries(depends.map((name) => [name, isOptionalInfra(manifest, name) ? loosely : healthy])),
    },
    // Ready, not just live: depends_on waits for the brokers to be connected, like start:local's waves.
    healthcheck: healthcheck(['CMD', 'node', '-e', ready], { timeout: '3s' }),
    restart: 'unless-stopped',
    // The services drain for up to 10 s on SIGTERM (deregister, finish handlers, close brokers).
    stop_grace_period: '15s',
  };
}

export function renderCompose(manifest: Manifest): ComposeFile {
  const services: Record<string, ComposeService> = infraServices(manifest);
  for (const service of manifest.services) services[service.name] = appService(manifest, service);
  return { services, volumes: { [composeSecrets.volume]: {} } };
}

/** Two of every service behind Consul (not the gateway: it owns the one published port). */
export function renderReplicas(manifest: Manifest): ComposeFile {
  return { services: Object.fromEntries(manifest.services.filter((s) => !s.public).map((s) => [s.name, { deploy: { replicas: 2 } }])) };
}

// No anchors (each service reads on its own), and YAML 1.1 quoting so "no"/"on" stay strings for every parser.
const yamlOptions = { lineWidth: 0, aliasDuplicateObjects: false, version: '1.1' } as const;

const header = (what: string) =>
  `# ${what}\n# Generated from infra/platform/services.json by \`npm run compose:render\` (scripts/deploy/render-compose.ts): edit those, not this.\n`;

export function renderFiles(manifest = loadManifest()): Record<string, string> {
  return {
    [composeFiles.main]: header('The whole platform in containers: `docker compose up --build --wait`, then http://localhost:8080.') + stringify(renderCompose(manifest), yamlOptions),
    [composeFiles.replicas]:
      header('Two replicas of each service, found through Consul: `docker compose -f docker-compose.yml -f docker-compose.replicas.yml up --build --wait`.') +
      stringify(renderReplicas(manifest), yamlOptions),
    [composeFiles.prometheus]: renderPrometheusYaml(composeScrapeConfig(manifest), composeScrapeHeader),
  };
}

if (require.main === module) {
  const check = process.argv.includes('--check');
  let stale = 0;
  for (const [file, text] of Object.entries(renderFiles())) {
    const path = join(repoRoot, file);
    let current = '';
    try {
      current = readFileSync(path, 'utf8');
    } catch {
      // A missing file is simply stale.
    }
    if (current === text) continue;
    stale++;
    if (check) console.error(`${file} differs from infra/platform/services.json: run npm run compose:render`);
    else writeFileSync(path, text);
    if (!check) console.log(`wrote ${file}`);
  }
  if (check && stale > 0) process.exit(1);
}
