// Compares one deployment (compose, k8s, start:local) with infra/platform/services.json: services, ports, script, env names and host links.
import { placeholders, type Manifest, type ServiceSpec } from './manifest';

/** An env entry as a deployment states it: a value, a secret reference, or a field of the pod (its own IP...). */
export type EnvValue = { kind: 'value'; value: string } | { kind: 'secret' } | { kind: 'field'; path: string };

export interface DeployedService {
  name: string;
  /** Ports the process listens on as the deployment declares them (container ports, PORT...). */
  ports: number[];
  /** The command line, joined: must run the manifest's script. */
  command: string;
  env: Map<string, EnvValue>;
  /** Names it may add for its own plumbing (e.g. k8s POSTGRES_PASSWORD, expanded into DATABASE_URL). */
  helperEnv?: Set<string>;
}

export interface ParityOptions {
  /** How this environment names a service's host (compose and k8s: the service name; natively 127.0.0.1). */
  hostName?: (service: string) => string;
  /** Variables this environment may leave unset (natively: Consul, which this machine does not run, and the JWT secret). */
  mayBeUnset?: (template: string) => boolean;
  /** What {bind:internal} must be here: 0.0.0.0 in a container or pod (the default), 127.0.0.1 natively. */
  bindAddress?: string;
  /** Switches this environment may keep off although the manifest turns them on (k8s/base: FAULTS_ENABLED). */
  offSwitches?: Record<string, string>;
}

/** k8s/base keeps the fault API off; the kind and minikube overlays turn it on (docs/decisions/0018). */
export const k8sBaseOffSwitches: Record<string, string> = { FAULTS_ENABLED: 'false' };

const rx = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The value's shape with each {host:x} required and everything else free: http://{host:order}:3001 -> ^http://order(\..*)?:3001$ */
function hostPattern(template: string, hostName: (service: string) => string): RegExp {
  let out = '';
  let last = 0;
  for (const m of template.matchAll(/\{(host|infra|secret|bind):([^}]+)\}/g)) {
    out += rx(template.slice(last, m.index)) + (m[1] === 'host' ? `${rx(hostName(m[2]))}(\\.[a-z0-9.-]+)?` : '.+');
    last = (m.index ?? 0) + m[0].length;
  }
  return new RegExp(`^${out}${rx(template.slice(last))}$`);
}

/** Every difference between the manifest and one deployment, as sentences a reader can act on. */
export function parityErrors(manifest: Manifest, deployed: DeployedService[], where: string, options: ParityOptions = {}): string[] {
  const errors: string[] = [];
  const byName = new Map(deployed.map((d) => [d.name, d]));
  for (const spec of manifest.services) {
    const d = byName.get(spec.name);
    if (!d) {
      errors.push(`${where}: service ${spec.name} of the manifest is missing`);
      continue;
    }
    if (!d.ports.includes(spec.port)) errors.push(`${where}: ${spec.name} listens on ${d.ports.join(', ') || 'no port'}, the manifest says ${spec.port}`);
    if (!d.command.includes(spec.script)) errors.push(`${where}: ${spec.name} runs "${d.command}", not ${spec.script}`);
    errors.push(...envErrors(spec, d, where, options));
  }
  return errors;
}

function envErrors(spec: ServiceSpec, d: DeployedService, where: string, options: ParityOptions): string[] {
  const errors: string[] = [];
  const hostName = options.hostName ?? ((service: string) => service);
  for (const [key, template] of Object.entries(spec.env)) {
    const actual = d.env.get(key);
    const at = `${where}: ${spec.name}.${key}`;
    if (!actual) {
      if (options.mayBeUnset?.(template)) continue;
      errors.push(`${at} is missing`);
      continue;
    }
    const refs = placeholders(template);
    if (refs.some((r) => r.kind === 'secret')) {
      continue; // A secret's value is the environment's business; present is all we can ask.
    }
    // SERVICE_ADDRESS={host:<itself>} is "the address others reach this instance on": the pod's IP or `auto` (own IP) are that too.
    const ownAddress = key === 'SERVICE_ADDRESS' && template === `{host:${spec.name}}`;
    if (actual.kind === 'field') {
      if (!(ownAddress && actual.path === 'status.podIP')) errors.push(`${at} comes from the pod field ${actual.path}`);
      continue;
    }
    if (actual.kind === 'secret') {
      errors.push(`${at} comes from a secret, the manifest gives ${template}`);
      continue;
    }
    if (ownAddress && actual.value === 'auto') continue;
    if (options.offSwitches?.[key] !== undefined && actual.value === options.offSwitches[key]) continue;
    const bound = template.replace(/\{bind:[^}]+\}/g, options.bindAddress ?? '0.0.0.0');
    if (refs.length === 0 && actual.value !== template) errors.push(`${at} is ${JSON.stringify(actual.value)}, the manifest says ${JSON.stringify(template)}`);
    else if (refs.every((r) => r.kind === 'bind') && actual.value !== bound) errors.push(`${at} is ${JSON.stringify(actual.value)}, ${template} is ${JSON.stringify(bound)} here`);
    else if (refs.some((r) => r.kind === 'host') && !hostPattern(template, hostName).test(actual.value)) {
      errors.push(`${at} is ${JSON.stringify(actual.value)}, which does not point where ${template} does`);
    } else if (refs.some((r) => r.kind === 'infra') && actual.value.trim() === '') errors.push(`${at} is empty`);
    for (const ref of refs.filter((r) => r.kind === 'infra' && r.name.startsWith('postgres/'))) {
      const database = ref.name.split('/')[1];
      if (!actual.value.replace(/\?.*$/, '').endsWith(`/${database}`)) errors.push(`${at} does not name database ${database}`);
    }
  }
  for (const name of d.env.keys()) {
    if (!(name in spec.env) && !d.helperEnv?.has(name)) errors.push(`${where}: ${spec.name}.${name} is not in the manifest (renamed or extra?)`);
  }
  return errors;
}
