// Keeps the k8s infra settings equal to infra/ (the one place broker and database settings are written down).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { K8sObject } from './k8s-tools';
import { repoRoot } from './k8s-tools';
import { workloads } from './k8s-model';

export const readRepoFile = (rel: string): string => readFileSync(path.join(repoRoot, rel), 'utf8');

/** Copies kustomize needs inside its tree (no ../ by default), each with its source. */
export const COPIES: { copy: string; source: string }[] = [
  { copy: 'k8s/base/files/init.sql', source: 'infra/postgres/init.sql' },
  { copy: 'k8s/base/files/rabbitmq.conf', source: 'infra/rabbitmq/rabbitmq.conf' },
];

/** `key = value` / `key=value` lines, comments and blanks skipped. */
export function parseProperties(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const m = /^\s*([^#\s=][^=]*?)\s*=\s*(.*?)\s*$/.exec(line);
    if (m) out.set(m[1] as string, m[2] as string);
  }
  return out;
}

const containerEnv = (objects: K8sObject[], workload: string): Map<string, string> => {
  const c = workloads(objects).find((w) => w.name === workload)?.spec.containers[0];
  return new Map((c?.env ?? []).filter((e) => e.value !== undefined).map((e) => [e.name, e.value as string]));
};

// Addresses differ by design: loopback natively, all interfaces plus the Service name in the cluster.
const KAFKA_K8S_ONLY = new Set(['listeners', 'advertised.listeners', 'log.dirs']);
const kafkaEnvName = (key: string) => 'KAFKA_' + key.toUpperCase().replace(/\./g, '_');

/** Every server.properties setting is a KAFKA_* variable of the same value, and no KAFKA_* setting comes from nowhere. */
export function checkKafkaParity(objects: K8sObject[], serverProperties: string): string[] {
  const props = parseProperties(serverProperties);
  const env = containerEnv(objects, 'kafka');
  const problems: string[] = [];
  for (const [key, value] of props) {
    if (KAFKA_K8S_ONLY.has(key)) {
      if (!env.has(kafkaEnvName(key))) problems.push(`kafka: ${kafkaEnvName(key)} missing`);
    } else if (env.get(kafkaEnvName(key)) !== value) problems.push(`kafka: ${kafkaEnvName(key)}=${env.get(kafkaEnvName(key))} (server.properties ${key}=${value})`);
  }
  const known = new Set([...props.keys()].map(kafkaEnvName));
  // KAFKA_HEAP_OPTS is the JVM's, not a broker property.
  for (const name of env.keys()) if (name.startsWith('KAFKA_') && name !== 'KAFKA_HEAP_OPTS' && !known.has(name)) problems.push(`kafka: ${name} is not in infra/kafka/server.properties`);
  return problems;
}

// Listener addresses and log targets are the cluster's own; any other override would make the broker differ from infra/.
const RABBIT_K8S_ONLY = /^(listeners\.tcp\.default|management\.tcp\.ip|log\..*)$/;

/** k8s/base/files/rabbitmq-k8s.conf (loaded after the copy of infra/rabbitmq/rabbitmq.conf) overrides addresses and logs only. */
export function checkRabbitOverrides(k8sOverrides: string): string[] {
  return [...parseProperties(k8sOverrides).keys()].filter((key) => !RABBIT_K8S_ONLY.test(key)).map((key) => `rabbitmq: rabbitmq-k8s.conf overrides ${key}; set it in infra/rabbitmq/rabbitmq.conf instead`);
}

/** redis.conf directives as command-line flags (bind and protected-mode are the cluster's: the NetworkPolicy guards it). */
export function checkRedisParity(objects: K8sObject[], redisConf: string): string[] {
  const args = workloads(objects).find((w) => w.name === 'redis')?.spec.containers[0]?.args ?? [];
  const problems: string[] = [];
  for (const line of redisConf.split('\n')) {
    const m = /^\s*([a-z-]+)\s+(.*?)\s*$/.exec(line);
    if (!m || line.trim().startsWith('#') || ['bind', 'protected-mode'].includes(m[1] as string)) continue;
    const value = (m[2] as string).replace(/^"(.*)"$/, '$1');
    const at = args.indexOf(`--${m[1]}`);
    if (at < 0 || args[at + 1] !== value) problems.push(`redis: --${m[1]} ${JSON.stringify(value)} missing from the container args`);
  }
  return problems;
}

/** The rendered ConfigMap holds exactly the source file (a generator pointing at a stale copy would not). */
export function checkRenderedFile(objects: K8sObject[], configMapPrefix: string, key: string, source: string): string[] {
  const cm = (objects.filter((o) => o.kind === 'ConfigMap' && o.metadata.name.startsWith(configMapPrefix + '-')) as (K8sObject & { data?: Record<string, string> })[])[0];
  if (!cm) return [`no ConfigMap ${configMapPrefix}-<hash>`];
  return cm.data?.[key] === source ? [] : [`ConfigMap ${cm.metadata.name}: ${key} differs from its source`];
}
