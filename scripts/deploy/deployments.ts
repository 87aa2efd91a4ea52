// Reads each deployment (a compose file, the k8s manifests, start:local's resolution) into the shape check-parity compares.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import type { ComposeDoc } from './check-compose';
import type { DeployedService, EnvValue } from './check-parity';
import type { Manifest } from './manifest';
import { nativeSpecs } from './resolvers';

type Obj = Record<string, unknown>;
const obj = (v: unknown): Obj => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Obj) : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const commandOf = (...parts: unknown[]) => parts.flatMap((p) => (Array.isArray(p) ? p.map(String) : typeof p === 'string' ? [p] : [])).join(' ');

/** Compose's ${VAR:-default} as a fresh checkout sees it (nothing exported), and $$ as the `$` it stands for. */
export function composeDefault(value: string): string {
  return value.replace(/\$\$|\$\{[A-Za-z_][A-Za-z0-9_]*(?::?[-?])?([^}]*)\}/g, (m, fallback: string | undefined) => (m === '$$' ? '$' : (fallback ?? '')));
}

export function composeDeployed(doc: ComposeDoc, manifest: Manifest): DeployedService[] {
  const names = new Set(manifest.services.map((s) => s.name));
  return Object.entries(obj(doc.services))
    .filter(([name]) => names.has(name))
    .map(([name, raw]) => {
      const service = obj(raw);
      const env = new Map<string, EnvValue>();
      const environment = service.environment;
      if (Array.isArray(environment)) {
        for (const line of environment.map(String)) env.set(line.split('=')[0], { kind: 'value', value: composeDefault(line.slice(line.indexOf('=') + 1)) });
      } else for (const [k, v] of Object.entries(obj(environment))) env.set(k, { kind: 'value', value: composeDefault(String(v ?? '')) });
      // $(NAME) is expanded in the container (infra/docker/secret-env.js) from the file NAME_FILE names: plumbing, not config.
      const helperEnv = new Set<string>();
      for (const value of env.values()) {
        if (value.kind !== 'value') continue;
        for (const [, ref] of value.value.matchAll(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g)) helperEnv.add(ref as string).add(`${ref as string}_FILE`);
      }
      const port = env.get('PORT');
      return { name, ports: port?.kind === 'value' ? [Number(port.value)] : [], command: commandOf(service.entrypoint, service.command), env, helperEnv };
    });
}

/** Every document of every YAML file directly under dir and its subfolders (kustomize resources are plain YAML). */
export function loadK8sDocuments(dir: string): Obj[] {
  const docs: Obj[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) docs.push(...loadK8sDocuments(path));
    else if (/\.ya?ml$/.test(entry.name) && entry.name !== 'kustomization.yaml') {
      for (const doc of parseAllDocuments(readFileSync(path, 'utf8'))) {
        const value: unknown = doc.toJS();
        if (value) docs.push({ ...obj(value), '//file': path });
      }
    }
  }
  return docs;
}

/** Deployments with their Service: ports are the Service ports that reach a container port; env resolved through ConfigMaps. */
export function k8sDeployed(docs: Obj[]): DeployedService[] {
  const ofKind = (kind: string) => docs.filter((d) => d.kind === kind);
  const configMaps = new Map(ofKind('ConfigMap').map((c) => [String(obj(c.metadata).name), obj(c.data)]));
  const services = new Map(ofKind('Service').map((s) => [String(obj(s.metadata).name), s]));
  return ofKind('Deployment').map((deployment) => {
    const name = String(obj(deployment.metadata).name);
    const containers = list(obj(obj(obj(deployment.spec).template).spec).containers).map(obj);
    const container = containers.find((c) => c.name === name) ?? containers[0] ?? {};
    const containerPorts = list(container.ports).map(obj);
    const ports = list(obj(services.get(name)?.spec).ports)
      .map(obj)
      .filter((p) => containerPorts.some((c) => c.containerPort === p.targetPort || c.name === p.targetPort || (p.targetPort === undefined && c.containerPort === p.port)))
      .map((p) => Number(p.port));
    const env = new Map<string, EnvValue>();
    for (const entry of list(container.env).map(obj)) {
      const from = obj(entry.valueFrom);
      const key = String(entry.name);
      if ('value' in entry) env.set(key, { kind: 'value', value: String(entry.value) });
      else if (from.configMapKeyRef) {
        const ref = obj(from.configMapKeyRef);
        const value = configMaps.get(String(ref.name))?.[String(ref.key)];
        if (value !== undefined) env.set(key, { kind: 'value', value: String(value) });
      } else if (from.secretKeyRef) env.set(key, { kind: 'secret' });
      else if (from.fieldRef) env.set(key, { kind: 'field', path: String(obj(from.fieldRef).fieldPath) });
    }
    // $(NAME) expands an earlier entry, as the kubelet does; the names only used that way are plumbing, not config.
    const helperEnv = new Set<string>();
    for (const [key, value] of env) {
      if (value.kind !== 'value') continue;
      env.set(key, {
        kind: 'value',
        value: value.value.replace(/\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g, (m, ref: string) => {
          helperEnv.add(ref);
          const target = env.get(ref);
          return target?.kind === 'value' ? target.value : target ? '***' : m;
        }),
      });
    }
    return { name, ports, command: commandOf(container.command, container.args), env, helperEnv };
  });
}

/** What start:local gives each process for a given .local/env (see scripts/start-local.ts). */
export function nativeDeployed(manifest: Manifest, localEnv: Record<string, string | undefined>): DeployedService[] {
  return nativeSpecs(manifest, localEnv).map((spec) => {
    const env = new Map<string, EnvValue>(Object.entries(spec.env).map(([k, v]) => [k, { kind: 'value', value: v }]));
    return { name: spec.name, ports: [Number(spec.env.PORT)], command: spec.script, env };
  });
}
