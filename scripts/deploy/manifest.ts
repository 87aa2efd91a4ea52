// Reads infra/platform/services.json and resolves its placeholders for one environment (native, compose, k8s).
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

export const repoRoot = resolve(__dirname, '../..');
export const manifestPath = join(repoRoot, 'infra/platform/services.json');

export interface ServiceSpec {
  name: string;
  /** The compiled entry point, relative to the repository root (and to /app in the image). */
  script: string;
  port: number;
  /** Start order: every service of wave n is ready before wave n+1 starts; stopped in reverse. */
  wave: number;
  /** Reachable from outside the platform (only the gateway). */
  public: boolean;
  env: Record<string, string>;
}

export interface Manifest {
  image: string;
  infra: Record<string, { port: number; [key: string]: unknown }>;
  services: ServiceSpec[];
}

/** How one environment turns placeholders into values; undefined leaves the variable unset there. */
export interface Resolver {
  host(service: string): string;
  /** {bind:internal}: the address a listener only the platform's own scraper reaches binds (never published). */
  bind(scope: string): string;
  infra(name: string): string | undefined;
  secret(name: string): string | undefined;
}

const placeholder = /\{(host|infra|secret|bind):([^}]+)\}/g;

export type PlaceholderKind = 'host' | 'infra' | 'secret' | 'bind';
/** The only {bind:<scope>} there is: loopback natively, every interface inside a container or pod. */
export const bindScopes = ['internal'] as const;

/** Loads and sanity-checks the manifest: a typo here must stop every runner, not start half a platform. */
export function loadManifest(path = manifestPath): Manifest {
  const raw = JSON.parse(readFileSync(path, 'utf8')) as Partial<Manifest> & { services?: Partial<ServiceSpec>[] };
  if (typeof raw.image !== 'string' || !raw.infra || !Array.isArray(raw.services)) throw new Error(`${path}: expected image, infra and services`);
  const names = new Set<string>();
  const services = raw.services.map((s, i): ServiceSpec => {
    const where = `${path}: services[${i}]${s.name ? ` (${s.name})` : ''}`;
    if (typeof s.name !== 'string' || typeof s.script !== 'string' || !Number.isInteger(s.port) || !Number.isInteger(s.wave) || typeof s.env !== 'object' || s.env === null) {
      throw new Error(`${where}: expected name, script, port, wave and env`);
    }
    if (names.has(s.name)) throw new Error(`${where}: duplicate service name`);
    names.add(s.name);
    return { name: s.name, script: s.script, port: s.port as number, wave: s.wave as number, public: s.public === true, env: { ...s.env } };
  });
  const manifest: Manifest = { image: raw.image, infra: raw.infra, services };
  for (const service of services) {
    for (const [key, value] of Object.entries(service.env)) {
      for (const ref of placeholders(value)) {
        if (ref.kind === 'host' && !names.has(ref.name)) throw new Error(`${path}: ${service.name}.${key} names unknown service ${ref.name}`);
        if (ref.kind === 'infra' && !(ref.name.split('/')[0] in manifest.infra)) throw new Error(`${path}: ${service.name}.${key} names unknown infra ${ref.name}`);
        if (ref.kind === 'bind' && !(bindScopes as readonly string[]).includes(ref.name)) throw new Error(`${path}: ${service.name}.${key} names unknown bind scope ${ref.name}`);
      }
    }
  }
  return manifest;
}

export function placeholders(value: string): { kind: PlaceholderKind; name: string }[] {
  return [...value.matchAll(placeholder)].map((m) => ({ kind: m[1] as PlaceholderKind, name: m[2] }));
}

/** One service's environment in one place: a variable whose placeholder resolves to nothing is left out. */
export function resolveEnv(env: Record<string, string>, resolver: Resolver): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(env)) {
    let missing = false;
    const resolved = value.replace(placeholder, (_all, kind: string, name: string) => {
      const v = kind === 'host' ? resolver.host(name) : kind === 'bind' ? resolver.bind(name) : kind === 'infra' ? resolver.infra(name) : resolver.secret(name);
      if (v === undefined) missing = true;
      return v ?? '';
    });
    if (!missing) out[key] = resolved;
  }
  return out;
}

/** The port a process serves GET /metrics on (its METRICS_PORT), or undefined when the manifest gives it none. */
export function metricsPort(service: ServiceSpec): number | undefined {
  const value = service.env.METRICS_PORT;
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : undefined;
}

/**
 * Infra the platform runs without (the trace backend): marked `"optional": true` in the manifest. Nothing waits for
 * it (compose: depends_on service_started, never service_healthy; Kubernetes: not in wait-for-deps), and natively it is
 * passed on only when exported.
 */
export function isOptionalInfra(manifest: Pick<Manifest, 'infra'>, name: string): boolean {
  return manifest.infra[name.split('/')[0]]?.optional === true;
}

/** Services grouped by wave, lowest first. */
export function waves(services: ServiceSpec[]): ServiceSpec[][] {
  const numbers = [...new Set(services.map((s) => s.wave))].sort((a, b) => a - b);
  return numbers.map((n) => services.filter((s) => s.wave === n));
}

/** The environment variable infra/local writes for a database: postgres/order_db -> ORDER_DATABASE_URL. */
export function databaseUrlVariable(infraName: string): string | undefined {
  const match = /^postgres\/([a-z0-9_]+)_db$/.exec(infraName);
  return match ? `${match[1].toUpperCase()}_DATABASE_URL` : undefined;
}
