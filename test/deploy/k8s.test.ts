// The k8s manifests, rendered by the real kustomize and strictly decoded: sound, complete and in step with infra/.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ensureK8sTools, renderAndValidate, repoRoot, TOOL_BUILD_TIMEOUT_MS, type K8sObject } from './k8s-tools';
import { jaegerImage } from '../../scripts/deploy/render-compose';
import { prometheusImage } from '../../scripts/deploy/prometheus-config';
import { NAMESPACE, checkManifestServices, checkWorkloads, deploySecret } from './k8s-checks';
import { checkNetworkPolicies, ingressAllowed } from './k8s-netpol';
import { COPIES, checkKafkaParity, checkRabbitOverrides, checkRedisParity, checkRenderedFile, readRepoFile } from './k8s-infra-parity';
import { loadManifest, named, ofKind, resolvePort, workloads, type NetworkPolicy, type Service } from './k8s-model';

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
    // Prometheus is no one's dependency (not in the manifest's infra): it scrapes, nothing calls it.
    expect(names).toEqual([...manifest.services.map((s) => s.name), ...Object.keys(manifest.infra).filter((i) => i !== 'toxiproxy'), 'prometheus'].sort());
  });

  it('runs Jaeger (compose’s image, built-in all-in-one config) behind a Service with its OTLP/HTTP and query ports, and no app waits for it', () => {
    const objects = objectsOf(target);
    const jaeger = workloads(objects).find((w) => w.name === 'jaeger');
    const container = jaeger?.spec.containers[0];
    expect(container?.image).toBe(jaegerImage);
    expect(container?.args ?? []).toEqual([]);
    expect(container?.command ?? []).toEqual([]);
    expect(jaeger && resolvePort(jaeger, container?.readinessProbe?.httpGet?.port)).toBe(13133);
    expect(container?.readinessProbe?.httpGet?.path).toBe('/status');
    const svc = named<Service>(objects, 'Service', 'jaeger');
    expect(svc?.spec.ports.map((p) => p.port).sort()).toEqual([manifest.infra.jaeger?.port, manifest.infra.jaeger?.queryPort].sort());
    for (const s of manifest.services) {
      const w = workloads(objects).find((x) => x.name === s.name);
      const waits = w?.spec.initContainers?.find((c) => c.name === 'wait-for-deps')?.args ?? [];
      expect({ name: s.name, waitsForJaeger: waits.some((a) => a.startsWith('jaeger:')) }).toEqual({ name: s.name, waitsForJaeger: false });
    }
  });

  it('runs Prometheus (compose’s image) with the scrape config of k8s/base/files/prometheus.yml, allowed to list pods here only and to scrape every app’s metrics port', () => {
    const objects = objectsOf(target);
    const prometheus = workloads(objects).find((w) => w.name === 'prometheus');
    expect(prometheus?.spec.containers[0]?.image).toBe(prometheusImage);
    expect(checkRenderedFile(objects, 'prometheus-config', 'prometheus.yml', readRepoFile('k8s/base/files/prometheus.yml'))).toEqual([]);
    // kubernetes_sd_configs (role: pod) needs to read pods: a namespaced Role, bound to the pod's ServiceAccount.
    type Rbac = K8sObject & { rules?: { apiGroups: string[]; resources: string[]; verbs: string[] }[]; roleRef?: { kind: string; name: string }; subjects?: { kind: string; name: string; namespace?: string }[] };
    const pod = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === 'prometheus') as K8sObject & { spec: { template: { spec: { serviceAccountName?: string } } } };
    const account = pod.spec.template.spec.serviceAccountName;
    expect(named(objects, 'ServiceAccount', account ?? '')).toBeDefined();
    expect(ofKind(objects, 'ClusterRole').concat(ofKind(objects, 'ClusterRoleBinding'))).toEqual([]);
    const binding = ofKind<Rbac>(objects, 'RoleBinding').find((b) => b.subjects?.some((x) => x.kind === 'ServiceAccount' && x.name === account && x.namespace === NAMESPACE));
    const role = named<Rbac>(objects, 'Role', binding?.roleRef?.name ?? '');
    expect(binding?.roleRef?.kind).toBe('Role');
    expect(role?.rules).toEqual([{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }]);
    // The NetworkPolicies admit this very pod to each app's annotated metrics port (the port the scrape config keeps).
    const policies = ofKind<NetworkPolicy>(objects, 'NetworkPolicy');
    for (const s of manifest.services) {
      const raw = objects.find((o) => o.kind === 'Deployment' && o.metadata.name === s.name) as (K8sObject & { spec: { template: { metadata: { annotations?: Record<string, string> } } } }) | undefined;
      const annotations = raw?.spec.template.metadata.annotations ?? {};
      expect({ name: s.name, scrape: annotations['prometheus.io/scrape'], port: annotations['prometheus.io/port'], path: annotations['prometheus.io/path'] }).toEqual({ name: s.name, scrape: 'true', port: s.env.METRICS_PORT, path: '/metrics' });
      const app = workloads(objects).find((w) => w.name === s.name);
      const port = Number(s.env.METRICS_PORT);
      const allowed = !!app && !!prometheus && ingressAllowed(policies, { inside: true, labels: prometheus.labels }, app, port, NAMESPACE);
      expect({ name: s.name, port, allowed }).toEqual({ name: s.name, port, allowed: true });
    }
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
