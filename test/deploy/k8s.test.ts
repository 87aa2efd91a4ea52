// The k8s manifests, rendered by the real kustomize and strictly decoded: sound, complete and in step with infra/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureK8sTools, renderAndValidate, repoRoot, TOOL_BUILD_TIMEOUT_MS, type K8sObject } from './k8s-tools';
import { NAMESPACE, checkManifestServices, checkWorkloads, deploySecret } from './k8s-checks';
import { checkNetworkPolicies } from './k8s-netpol';
import { COPIES, checkKafkaParity, checkRabbitOverrides, checkRedisParity, checkRenderedFile, readRepoFile } from './k8s-infra-parity';
import { loadManifest, named, ofKind, workloads, type Service } from './k8s-model';

const manifest = loadManifest();
const targets = ['k8s/base', 'k8s/overlays/kind', 'k8s/overlays/minikube'] as const;
const rendered = new Map<string, K8sObject[]>();

beforeAll(() => {
  ensureK8sTools();
  for (const t of targets) {
    const report = renderAndValidate(path.join(repoRoot, t));
    // Schema errors fail here with every message, rather than as a confusing semantic failure later.
    expect({ target: t, errors: report.errors }).toEqual({ target: t, errors: [] });
    // Applied together with the Secret k8s/deploy.sh creates first (the base has none of its own).
    rendered.set(t, [...report.objects, deploySecret()]);
  }
}, TOOL_BUILD_TIMEOUT_MS * 2);

const objectsOf = (t: string): K8sObject[] => rendered.get(t) ?? [];

describe.each(targets)('%s', (target) => {
  it('renders and decodes strictly against the Kubernetes API types', () => {
    expect(objectsOf(target).length).toBeGreaterThan(0);
  });

  it('deploys every service of infra/platform/services.json as it says (command, port, probes, env, waits, Service)', () => {
    expect(checkManifestServices(objectsOf(target), manifest)).toEqual([]);
  });

  it('gives every workload probes, resources, a non-root user and references that resolve', () => {
    expect(checkWorkloads(objectsOf(target))).toEqual([]);
  });

  it('denies ingress by default, opens only the gateway to the outside and allows every connection the platform makes', () => {
    expect(checkNetworkPolicies(objectsOf(target), manifest, NAMESPACE)).toEqual([]);
  });

  it('runs the infra with the settings of infra/ (Kafka, RabbitMQ, Redis, the PostgreSQL init script)', () => {
    const objects = objectsOf(target);
    expect(checkKafkaParity(objects, readRepoFile('infra/kafka/server.properties'))).toEqual([]);
    expect(checkRedisParity(objects, readRepoFile('infra/redis/redis.conf'))).toEqual([]);
    expect(checkRenderedFile(objects, 'postgres-init', 'init.sql', readRepoFile('infra/postgres/init.sql'))).toEqual([]);
    expect(checkRenderedFile(objects, 'rabbitmq-config', 'rabbitmq.conf', readRepoFile('infra/rabbitmq/rabbitmq.conf'))).toEqual([]);
    expect(checkRenderedFile(objects, 'rabbitmq-config', 'rabbitmq-k8s.conf', readRepoFile('k8s/base/files/rabbitmq-k8s.conf'))).toEqual([]);
  });

  it('creates the Namespace and exactly one workload per service and infra piece', () => {
    const objects = objectsOf(target);
    expect(ofKind(objects, 'Namespace').map((n) => n.metadata.name)).toEqual([NAMESPACE]);
    const names = workloads(objects).map((w) => w.name).sort();
    // Toxiproxy only serves the native chaos runs (npm run chaos); the cluster breaks things with kubectl instead.
    expect(names).toEqual([...manifest.services.map((s) => s.name), ...Object.keys(manifest.infra).filter((i) => i !== 'toxiproxy')].sort());
  });
});

describe('copies kustomize needs inside k8s/ (its load restrictor refuses ../ paths)', () => {
  it.each(COPIES)('$copy equals $source (fix: cp $source $copy)', ({ copy, source }) => {
    expect(readRepoFile(copy)).toEqual(readRepoFile(source));
  });

  it('k8s/base/files/rabbitmq-k8s.conf overrides only listeners and logs of infra/rabbitmq/rabbitmq.conf', () => {
    expect(checkRabbitOverrides(readRepoFile('k8s/base/files/rabbitmq-k8s.conf'))).toEqual([]);
  });
});

describe('overlays', () => {
  const gateway = (t: string) => named<Service>(objectsOf(t), 'Service', 'gateway');
  const appContainers = (t: string) =>
    workloads(objectsOf(t)).flatMap((w) => [...(w.spec.initContainers ?? []), ...w.spec.containers]).filter((c) => c.image.startsWith(`${manifest.image}:`));

  it('the base keeps the gateway internal (ClusterIP): each overlay decides how it is exposed', () => {
    expect(gateway('k8s/base')?.spec.type ?? 'ClusterIP').toBe('ClusterIP');
  });

  it.each(['k8s/overlays/kind', 'k8s/overlays/minikube'])('%s exposes the gateway on a NodePort', (t) => {
    expect(gateway(t)?.spec.type).toBe('NodePort');
    expect(gateway(t)?.spec.ports[0]?.nodePort).toEqual(expect.any(Number));
  });

  it('kind publishes the gateway NodePort on the host through k8s/kind-cluster.yaml', () => {
    const nodePort = gateway('k8s/overlays/kind')?.spec.ports[0]?.nodePort;
    const cluster = readFileSync(path.join(repoRoot, 'k8s/kind-cluster.yaml'), 'utf8');
    expect(cluster).toMatch(new RegExp(`containerPort:\\s*${nodePort}\\b`));
  });

  it('the base keeps the fault API off; kind and minikube, where users break things on purpose, turn it on', () => {
    const switches = (t: string) => (named<K8sObject & { data?: Record<string, string> }>(objectsOf(t), 'ConfigMap', 'platform-switches')?.data ?? {}).FAULTS_ENABLED;
    expect(switches('k8s/base')).toBe('false');
    expect(switches('k8s/overlays/kind')).toBe('true');
    expect(switches('k8s/overlays/minikube')).toBe('true');
    const readers = workloads(objectsOf('k8s/base')).filter((w) => w.spec.containers.some((c) => c.env?.some((e) => e.name === 'FAULTS_ENABLED' && e.valueFrom?.configMapKeyRef?.name === 'platform-switches')));
    expect(readers.map((w) => w.name).sort()).toEqual(['inventory', 'notification', 'order', 'payment']);
  });

  it('kind uses the image loaded with `kind load` (IfNotPresent), minikube only its own (Never)', () => {
    expect(appContainers('k8s/overlays/kind').map((c) => c.imagePullPolicy)).toEqual(appContainers('k8s/overlays/kind').map(() => 'IfNotPresent'));
    expect(appContainers('k8s/overlays/minikube').map((c) => c.imagePullPolicy)).toEqual(appContainers('k8s/overlays/minikube').map(() => 'Never'));
    expect(appContainers('k8s/overlays/minikube').length).toBe(manifest.services.length * 2);
  });
});
