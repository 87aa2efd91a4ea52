// docker-compose.yml and its replicas override: the official Compose schema, our semantic rules, and that each rule bites.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { mergeCompose, schemaErrors, semanticErrors, type ComposeDoc } from '../../scripts/deploy/check-compose';
import { loadManifest, repoRoot } from '../../scripts/deploy/manifest';
import { composeFiles, jaegerImage, kafkaEnvironment, readProperties, renderFiles } from '../../scripts/deploy/render-compose';

const manifest = loadManifest();
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const load = (file: string) => parse(read(file)) as ComposeDoc;
const copy = (doc: ComposeDoc): ComposeDoc => structuredClone(doc);
const main = load(composeFiles.main);
const replicas = load(composeFiles.replicas);
const service = (doc: ComposeDoc, name: string) => doc.services?.[name] as Record<string, unknown>;

describe('docker-compose.yml', () => {
  it('is what `npm run compose:render` makes of infra/platform/services.json (edit the manifest, not the file)', () => {
    const rendered = renderFiles(manifest);
    expect(read(composeFiles.main)).toBe(rendered[composeFiles.main]);
    expect(read(composeFiles.replicas)).toBe(rendered[composeFiles.replicas]);
    expect(read(composeFiles.prometheus)).toBe(rendered[composeFiles.prometheus]);
  });

  it('is valid against the Compose specification schema, alone and with the replicas override', () => {
    expect(schemaErrors(main)).toEqual([]);
    expect(schemaErrors(replicas)).toEqual([]);
    expect(schemaErrors(mergeCompose(main, replicas))).toEqual([]);
  });

  it('passes the semantic checks: dependencies exist and are healthy-checked, only the gateway and broker UIs publish, mounts exist', () => {
    expect(semanticErrors(main, manifest, repoRoot)).toEqual([]);
    expect(semanticErrors(mergeCompose(main, replicas), manifest, repoRoot)).toEqual([]);
  });

  it('runs the brokers, Consul, Toxiproxy and every service of the manifest, publishing only loopback ports', () => {
    expect(Object.keys(main.services ?? {}).sort()).toEqual(['consul', 'jaeger', 'kafka', 'postgres', 'prometheus', 'rabbitmq', 'redis', 'secrets-init', 'toxiproxy', ...manifest.services.map((s) => s.name)].sort());
    const published = Object.entries(main.services ?? {}).flatMap(([name, s]) => ((s.ports as string[] | undefined) ?? []).map((p) => `${name} ${p}`));
    expect(published.sort()).toEqual([
      'consul 127.0.0.1:8500:8500',
      'gateway 127.0.0.1:8080:8080',
      'jaeger 127.0.0.1:16686:16686',
      'prometheus 127.0.0.1:9090:9090',
      'rabbitmq 127.0.0.1:15672:15672',
      'toxiproxy 127.0.0.1:8474:8474',
    ]);
  });

  it('runs Jaeger v2 all-in-one (its image’s default config) with a healthcheck, its UI on loopback only and OTLP on the compose network', () => {
    const jaeger = service(main, 'jaeger');
    expect(jaeger.image).toBe(jaegerImage);
    expect(jaegerImage).toMatch(/^jaegertracing\/jaeger:2\./);
    // The built-in all-in-one config: no command, no config file, memory storage.
    expect(jaeger.command).toBeUndefined();
    expect(jaeger.entrypoint).toBeUndefined();
    expect(jaeger.volumes).toBeUndefined();
    expect(jaeger.ports).toEqual([`127.0.0.1:${manifest.infra.jaeger.queryPort}:16686`]);
    expect((jaeger.healthcheck as { test: string[] }).test).toEqual(['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:13133/status']);
    expect(manifest.infra.jaeger).toEqual({ port: 4318, queryPort: 16686, optional: true });
  });

  it('gives every process OTEL_EXPORTER_OTLP_ENDPOINT at Jaeger’s OTLP/HTTP receiver, and never waits for Jaeger to be healthy', () => {
    for (const spec of manifest.services) {
      expect({ name: spec.name, template: spec.env.OTEL_EXPORTER_OTLP_ENDPOINT }).toEqual({ name: spec.name, template: '{infra:jaeger}' });
      const app = service(main, spec.name);
      expect({ name: spec.name, endpoint: (app.environment as Record<string, string>).OTEL_EXPORTER_OTLP_ENDPOINT }).toEqual({ name: spec.name, endpoint: 'http://jaeger:4318' });
      // Tracing must never block start-up: started first, never service_healthy.
      expect({ name: spec.name, jaeger: (app.depends_on as Record<string, unknown>).jaeger }).toEqual({ name: spec.name, jaeger: { condition: 'service_started' } });
    }
    // Nothing else waits for Jaeger at all.
    const waiting = Object.entries(main.services ?? {}).filter(([, s]) => s.depends_on && 'jaeger' in (s.depends_on as object)).map(([name]) => name);
    expect(waiting.sort()).toEqual(manifest.services.map((s) => s.name).sort());
  });

  it('binds each process’s metrics listener inside its container only, and Prometheus scrapes every one of them by name', () => {
    const scrape = parse(read(composeFiles.prometheus)) as { scrape_configs: { job_name: string; dns_sd_configs: { names: string[]; type: string; port: number }[] }[] };
    const ports = manifest.services.map((s) => Number(s.env.METRICS_PORT));
    expect(new Set([...ports, ...manifest.services.map((s) => s.port)]).size).toBe(manifest.services.length * 2);
    for (const spec of manifest.services) {
      const env = service(main, spec.name).environment as Record<string, string>;
      expect({ name: spec.name, port: env.METRICS_PORT, host: env.METRICS_HOST }).toEqual({ name: spec.name, port: spec.env.METRICS_PORT, host: '0.0.0.0' });
      const job = scrape.scrape_configs.find((j) => j.job_name === spec.name);
      expect(job?.dns_sd_configs).toEqual([expect.objectContaining({ names: [spec.name], type: 'A', port: Number(spec.env.METRICS_PORT) })]);
    }
    expect(service(main, 'prometheus').volumes).toEqual([`./${composeFiles.prometheus}:/etc/prometheus/prometheus.yml:ro`]);
  });

  it('starts the services in the manifest’s waves: each waits for every service of an earlier wave to be healthy', () => {
    for (const spec of manifest.services) {
      const waits = Object.keys((service(main, spec.name).depends_on as object) ?? {});
      for (const earlier of manifest.services.filter((s) => s.wave < spec.wave)) expect(waits).toContain(earlier.name);
      for (const same of manifest.services.filter((s) => s.wave >= spec.wave)) expect(waits).not.toContain(same.name);
    }
  });

  it('configures Kafka with every setting of infra/kafka/server.properties (listeners on the compose network instead of loopback)', () => {
    const env = service(main, 'kafka').environment as Record<string, string>;
    const properties = readProperties(join(repoRoot, 'infra/kafka/server.properties'));
    expect(env).toEqual(kafkaEnvironment(manifest));
    expect(env.KAFKA_NUM_PARTITIONS).toBe(properties['num.partitions']);
    expect(env.KAFKA_GROUP_INITIAL_REBALANCE_DELAY_MS).toBe('0');
    expect(env.KAFKA_ADVERTISED_LISTENERS).toBe('PLAINTEXT://kafka:9092');
    // Kafka formats storage only with a 16-byte base64url cluster id; anything else stops the container at start.
    expect(Buffer.from(env.CLUSTER_ID, 'base64url')).toHaveLength(16);
    expect(env.CLUSTER_ID).toMatch(/^[A-Za-z0-9_-]{22}$/);
    expect(Object.keys(env).filter((k) => k.startsWith('KAFKA_'))).toHaveLength(Object.keys(properties).length);
  });

  it('sends RabbitMQ traffic through a Toxiproxy proxy whose upstream is the broker', () => {
    const proxies = JSON.parse(read('infra/toxiproxy/compose.json')) as { name: string; listen: string; upstream: string }[];
    const url = new URL((service(main, 'order').environment as Record<string, string>).RABBITMQ_URL);
    const proxy = proxies.find((p) => p.listen.endsWith(`:${url.port}`));
    expect(url.hostname).toBe('toxiproxy');
    expect(proxy?.upstream).toBe(`rabbitmq:${manifest.infra.rabbitmq.port}`);
  });

  it('keeps the replicas override to what can be replicated: no fixed names or host ports, the gateway stays single', () => {
    expect(Object.keys(replicas.services ?? {}).sort()).toEqual(manifest.services.filter((s) => !s.public).map((s) => s.name).sort());
    for (const s of Object.values(replicas.services ?? {})) expect(s).toEqual({ deploy: { replicas: 2 } });
    for (const spec of manifest.services.filter((s) => 'SERVICE_ADDRESS' in s.env)) {
      expect((service(main, spec.name).environment as Record<string, string>).SERVICE_ADDRESS).toBe('auto');
    }
  });
});

describe('the compose checker rejects a broken copy', () => {
  it('an unknown top-level field', () => {
    const broken = { ...copy(main), servcies: {} };
    expect(schemaErrors(broken)).toContain('/: must NOT have additional properties (servcies)');
  });

  it('ports of the wrong type', () => {
    const broken = copy(main);
    service(broken, 'gateway').ports = 8080;
    expect(schemaErrors(broken)).toContain('/services/gateway/ports: must be array');
  });

  it('a healthcheck interval that is not a duration', () => {
    const broken = copy(main);
    (service(broken, 'order').healthcheck as Record<string, unknown>).interval = 'often';
    expect(schemaErrors(broken)).toContain('/services/order/healthcheck/interval: must match format "duration"');
  });

  it('depends_on a service that does not exist', () => {
    const broken = copy(main);
    (service(broken, 'order').depends_on as Record<string, unknown>).inventroy = { condition: 'service_healthy' };
    expect(semanticErrors(broken, manifest, repoRoot)).toEqual(['order: depends_on inventroy, which is not a service of this file']);
  });

  it('waiting for a service that has no healthcheck', () => {
    const broken = copy(main);
    delete service(broken, 'kafka').healthcheck;
    expect(semanticErrors(broken, manifest, repoRoot)).toEqual(expect.arrayContaining(['inventory: waits for kafka to be healthy, but kafka has no healthcheck', 'kafka: no healthcheck (nothing could wait for it)']));
  });

  it('an app service other than the gateway publishing a port, and infra publishing its data port', () => {
    const broken = copy(main);
    service(broken, 'order').ports = ['3001:3001', '127.0.0.1:9466:9466'];
    service(broken, 'postgres').ports = ['5432:5432'];
    service(broken, 'jaeger').ports = ['127.0.0.1:16686:16686', '127.0.0.1:4318:4318'];
    expect(semanticErrors(broken, manifest, repoRoot)).toEqual([
      'postgres: publishes port 5432, which is not a UI or API a user opens',
      'jaeger: publishes port 4318, which is not a UI or API a user opens',
      'order: publishes port 3001, but only the gateway is reachable from outside',
      'order: publishes port 9466, but only the gateway is reachable from outside',
    ]);
  });

  it('a mounted infra file that is not in the repository', () => {
    const broken = copy(main);
    service(broken, 'redis').volumes = ['./infra/redis/missing.conf:/usr/local/etc/redis/redis.conf:ro'];
    expect(semanticErrors(broken, manifest, repoRoot)).toEqual(['redis: mounts ./infra/redis/missing.conf, which does not exist in the repository']);
  });

  it('replicas with a fixed container name or host port', () => {
    const broken = mergeCompose(main, { services: { gateway: { deploy: { replicas: 2 } }, order: { deploy: { replicas: 2 }, container_name: 'order' } } });
    expect(semanticErrors(broken, manifest, repoRoot)).toEqual(['order: 2 replicas cannot share container_name order', 'gateway: 2 replicas cannot share a fixed host port']);
  });
});
