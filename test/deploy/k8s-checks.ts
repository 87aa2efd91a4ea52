// Semantic checks of rendered k8s objects against infra/platform/services.json; each returns problems, empty when sound.
import type { K8sObject } from './k8s-tools';
import { named, ofKind, podsOf, resolvePort, workloads, type Container, type EnvVar, type HttpProbe, type Manifest, type ManifestService, type Service, type Workload } from './k8s-model';

export const NAMESPACE = 'saga-platform';

/** How Kubernetes binds the manifest's placeholders: Service DNS names, credentials expanded from Secret-backed vars. */
export function k8sValue(manifest: Manifest, value: string): string {
  const port = (name: string) => manifest.infra[name]?.port ?? NaN;
  const infra: Record<string, (db?: string) => string> = {
    consul: () => `http://consul:${port('consul')}`,
    postgres: (db) => `postgres://saga:$(POSTGRES_PASSWORD)@postgres:${port('postgres')}/${db ?? ''}`,
    rabbitmq: () => `amqp://saga:$(RABBITMQ_PASSWORD)@rabbitmq:${port('rabbitmq')}`,
    kafka: () => `kafka:${port('kafka')}`,
    redis: () => `redis://redis:${port('redis')}`,
  };
  return value
    .replace(/\{host:([a-z0-9-]+)\}/g, (_, host: string) => host)
    .replace(/\{infra:([a-z0-9-]+)(?:\/([a-z0-9_]+))?\}/g, (whole: string, name: string, db?: string) => infra[name]?.(db) ?? whole);
}

/** {secret:<name>} -> the key in the saga-secrets Secret. */
export const SECRET_KEYS: Record<string, string> = { jwt: 'jwt-secret' };

const secretName = (objects: K8sObject[], ref: string) => ofKind(objects, 'Secret').find((s) => s.metadata.name === ref);
const configMapValue = (objects: K8sObject[], name: string, key: string): string | undefined =>
  (named<K8sObject & { data?: Record<string, string> }>(objects, 'ConfigMap', name)?.data ?? {})[key];

function checkProbe(where: string, probe: HttpProbe | undefined, kind: string, path: string, w: Workload, port: number): string[] {
  if (!probe?.httpGet) return [`${where}: no HTTP ${kind} probe`];
  const out: string[] = [];
  if (probe.httpGet.path !== path) out.push(`${where}: ${kind} probe path ${probe.httpGet.path} (expected ${path})`);
  if (resolvePort(w, probe.httpGet.port) !== port) out.push(`${where}: ${kind} probe port ${probe.httpGet.port} does not reach ${port}`);
  return out;
}

/** One env var against the manifest's value, following ConfigMap and Secret references. */
function checkEnv(objects: K8sObject[], manifest: Manifest, where: string, env: EnvVar[], key: string, expected: string): string[] {
  const index = env.findIndex((e) => e.name === key);
  const entry = env[index];
  if (!entry) return [`${where}: env ${key} missing`];
  const secret = /^\{secret:([a-z0-9-]+)\}$/.exec(expected);
  if (secret) {
    const ref = entry.valueFrom?.secretKeyRef;
    const wantKey = SECRET_KEYS[secret[1] as string];
    if (!ref || ref.key !== wantKey) return [`${where}: env ${key} must come from a Secret (key ${wantKey})`];
    const s = secretName(objects, ref.name) as (K8sObject & { data?: Record<string, string> }) | undefined;
    return s?.data?.[ref.key] ? [] : [`${where}: env ${key}: Secret ${ref.name} has no key ${ref.key}`];
  }
  const want = k8sValue(manifest, expected);
  const cm = entry.valueFrom?.configMapKeyRef;
  const actual = cm ? configMapValue(objects, cm.name, cm.key) : entry.value;
  const out = actual === want ? [] : [`${where}: env ${key} is ${JSON.stringify(actual)} (expected ${JSON.stringify(want)})`];
  // Kubernetes expands $(VAR) only from variables declared earlier in the same list, else it stays literal.
  for (const [, ref] of (actual ?? '').matchAll(/\$\(([A-Z0-9_]+)\)/g)) {
    const at = env.findIndex((e) => e.name === ref);
    if (at < 0 || at > index) out.push(`${where}: env ${key} uses $(${ref}) which is not declared before it`);
    else if (!env[at]?.valueFrom?.secretKeyRef) out.push(`${where}: env ${key}: $(${ref}) should come from a Secret`);
  }
  return out;
}

/** What a service's init container must wait for: the infra it uses and the lower-wave services it calls. */
export function expectedWaits(manifest: Manifest, s: ManifestService): string[] {
  const waits = new Set<string>();
  for (const value of Object.values(s.env)) {
    for (const [, infra] of value.matchAll(/\{infra:([a-z0-9-]+)/g)) waits.add(`${infra}:${manifest.infra[infra as string]?.port}`);
    for (const [, host] of value.matchAll(/\{host:([a-z0-9-]+)\}/g)) {
      const t = manifest.services.find((x) => x.name === host);
      if (t && t.wave < s.wave) waits.add(`${t.name}:${t.port}`);
    }
  }
  return [...waits].sort();
}

/** Each manifest service: its Deployment (command, image, port, probes, env, start wave) and its Service. */
export function checkManifestServices(objects: K8sObject[], manifest: Manifest): string[] {
  const problems: string[] = [];
  const all = workloads(objects);
  for (const s of manifest.services) {
    const w = all.find((x) => x.kind === 'Deployment' && x.name === s.name);
    if (!w) {
      problems.push(`no Deployment ${s.name}`);
      continue;
    }
    const where = `Deployment ${s.name}`;
    const c = w.spec.containers.find((x) => x.name === s.name);
    if (!c) {
      problems.push(`${where}: no container named ${s.name}`);
      continue;
    }
    if (c.image !== `${manifest.image}:latest`) problems.push(`${where}: image ${c.image} (expected ${manifest.image}:latest)`);
    if (JSON.stringify(c.command) !== JSON.stringify(['node', s.script])) problems.push(`${where}: command ${JSON.stringify(c.command)} (expected node ${s.script})`);
    if (!c.ports?.some((p) => p.containerPort === s.port)) problems.push(`${where}: no container port ${s.port}`);
    problems.push(...checkProbe(where, c.readinessProbe, 'readiness', '/health/ready', w, s.port));
    problems.push(...checkProbe(where, c.livenessProbe, 'liveness', '/health/live', w, s.port));
    for (const [key, value] of Object.entries(s.env)) problems.push(...checkEnv(objects, manifest, where, c.env ?? [], key, value));
    if (c.securityContext?.readOnlyRootFilesystem !== true) problems.push(`${where}: root filesystem is writable`);
    const wait = w.spec.initContainers?.find((x) => x.name === 'wait-for-deps');
    const waits = [...(wait?.args ?? [])].sort();
    if (JSON.stringify(waits) !== JSON.stringify(expectedWaits(manifest, s))) problems.push(`${where}: waits for ${waits.join(' ') || 'nothing'} (expected ${expectedWaits(manifest, s).join(' ')})`);

    const svc = named<Service>(objects, 'Service', s.name);
    if (!svc) problems.push(`no Service ${s.name}`);
    else {
      const sp = svc.spec.ports.find((p) => p.port === s.port);
      if (!sp) problems.push(`Service ${s.name}: no port ${s.port}`);
      if (!podsOf(svc, all).includes(w)) problems.push(`Service ${s.name}: selector does not match Deployment ${s.name}'s pods`);
      else if (sp && resolvePort(w, sp.targetPort ?? sp.port) !== s.port) problems.push(`Service ${s.name}: targetPort ${sp.targetPort} does not reach ${s.port}`);
      if (!s.public && (svc.spec.type ?? 'ClusterIP') !== 'ClusterIP') problems.push(`Service ${s.name} is ${svc.spec.type}: only public services may be exposed`);
    }
  }
  return problems;
}

function referencedObjects(c: Container): { kind: string; name: string; key?: string }[] {
  const refs: { kind: string; name: string; key?: string }[] = [];
  for (const e of c.env ?? []) {
    if (e.valueFrom?.configMapKeyRef) refs.push({ kind: 'ConfigMap', ...e.valueFrom.configMapKeyRef });
    if (e.valueFrom?.secretKeyRef) refs.push({ kind: 'Secret', ...e.valueFrom.secretKeyRef });
  }
  for (const f of c.envFrom ?? []) {
    if (f.configMapRef) refs.push({ kind: 'ConfigMap', name: f.configMapRef.name });
    if (f.secretRef) refs.push({ kind: 'Secret', name: f.secretRef.name });
  }
  return refs;
}

/** Every workload and Service: probes, resources, non-root, references that resolve, selectors that select. */
export function checkWorkloads(objects: K8sObject[]): string[] {
  const problems: string[] = [];
  const all = workloads(objects);
  for (const o of objects) if (o.kind !== 'Namespace' && o.metadata.namespace !== NAMESPACE) problems.push(`${o.kind} ${o.metadata.name} is not in namespace ${NAMESPACE}`);
  for (const w of all) {
    const where = `${w.kind} ${w.name}`;
    if (w.spec.securityContext?.runAsNonRoot !== true) problems.push(`${where}: pod may run as root (securityContext.runAsNonRoot)`);
    for (const c of [...(w.spec.initContainers ?? []), ...w.spec.containers]) {
      for (const side of ['requests', 'limits'] as const)
        for (const r of ['cpu', 'memory']) if (!c.resources?.[side]?.[r]) problems.push(`${where}/${c.name}: no ${side}.${r}`);
      if (c.securityContext?.allowPrivilegeEscalation !== false) problems.push(`${where}/${c.name}: allowPrivilegeEscalation is not false`);
      for (const ref of referencedObjects(c)) {
        const target = named<K8sObject & { data?: Record<string, string> }>(objects, ref.kind, ref.name);
        if (!target) problems.push(`${where}/${c.name}: ${ref.kind} ${ref.name} does not exist`);
        else if (ref.key !== undefined && target.data?.[ref.key] === undefined) problems.push(`${where}/${c.name}: ${ref.kind} ${ref.name} has no key ${ref.key}`);
      }
    }
    for (const c of w.spec.containers) if (!c.readinessProbe || !c.livenessProbe) problems.push(`${where}/${c.name}: needs a readiness and a liveness probe`);
    for (const v of w.spec.volumes ?? []) {
      if (v.configMap && !named(objects, 'ConfigMap', v.configMap.name)) problems.push(`${where}: volume ${v.name}: ConfigMap ${v.configMap.name} does not exist`);
      if (v.secret && !named(objects, 'Secret', v.secret.secretName)) problems.push(`${where}: volume ${v.name}: Secret ${v.secret.secretName} does not exist`);
    }
  }
  for (const svc of ofKind<Service>(objects, 'Service')) {
    const pods = podsOf(svc, all);
    if (pods.length === 0) problems.push(`Service ${svc.metadata.name}: selector ${JSON.stringify(svc.spec.selector ?? {})} matches no pods`);
    for (const sp of svc.spec.ports)
      for (const w of pods) if (resolvePort(w, sp.targetPort ?? sp.port) === undefined) problems.push(`Service ${svc.metadata.name}: targetPort ${sp.targetPort ?? sp.port} is not a port of ${w.name}`);
  }
  return problems;
}
