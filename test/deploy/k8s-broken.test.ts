// Deliberately broken copies of the k8s output and overlays: each must be caught, or the green k8s tests mean nothing.
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ensureK8sTools, kustomizeBuild, renderAndValidate, repoRoot, toYamlStream, TOOL_BUILD_TIMEOUT_MS, validateManifests, type K8sObject } from './k8s-tools';
import { NAMESPACE, checkManifestServices, checkWorkloads, deploySecret } from './k8s-checks';
import { checkNetworkPolicies, ingressAllowed } from './k8s-netpol';
import { checkKafkaParity, checkRabbitOverrides, readRepoFile } from './k8s-infra-parity';
import { loadManifest, ofKind, workloads, type Container, type EnvVar, type NetworkPolicy } from './k8s-model';

const manifest = loadManifest();
let pristine: K8sObject[] = [];

beforeAll(() => {
  ensureK8sTools();
  // With the Secret k8s/deploy.sh creates before applying (the base has none of its own).
  pristine = [...renderAndValidate(path.join(repoRoot, 'k8s/base')).objects, deploySecret()];
}, TOOL_BUILD_TIMEOUT_MS * 2);

/** A deep copy of the render with one object changed; the original stays intact for the next case. */
function mutate(kind: string, name: string, change: (o: Record<string, unknown>) => void): K8sObject[] {
  const copy = structuredClone(pristine);
  const target = copy.find((o) => o.kind === kind && o.metadata.name === name);
  if (!target) throw new Error(`no ${kind} ${name} in the render`);
  change(target);
  return copy;
}

type PodTemplate = { spec: { template: { spec: { containers: Container[] } } } };
const container = (o: Record<string, unknown>): Container => (o as unknown as PodTemplate).spec.template.spec.containers[0] as Container;
const messages = (objects: K8sObject[]) => validateManifests(toYamlStream(objects));

describe('the schema validator (tools/k8s-validate) rejects', () => {
  it('accepts the pristine render re-serialised as JSON (the mutations below start from a valid input)', () => {
    expect(messages(pristine).errors).toEqual([]);
  });

  it('an unknown field in a Deployment spec, and exits non-zero', () => {
    const report = messages(mutate('Deployment', 'order', (o) => ((o.spec as Record<string, unknown>).replica = 2)));
    expect(report.exitCode).toBe(1);
    expect(report.errors).toEqual([expect.objectContaining({ kind: 'Deployment', name: 'order', message: expect.stringContaining('unknown field "spec.replica"') })]);
  });

  it('a misspelt probe field', () => {
    const report = messages(mutate('Deployment', 'payment', (o) => ((container(o).readinessProbe as Record<string, unknown>).periodSecond = 5)));
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringContaining('readinessProbe.periodSecond')]);
  });

  it('a wrong type (a port as a string)', () => {
    const report = messages(mutate('Deployment', 'inventory', (o) => (container(o).ports = [{ name: 'http', containerPort: '3002' as unknown as number }])));
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringMatching(/cannot unmarshal string .*containerPort.* int32/)]);
  });

  it('a misspelt field in Prometheus’s Role (RBAC is decoded strictly too)', () => {
    const report = messages(mutate('Role', 'prometheus', (o) => (o.rules = [{ apiGroups: [''], resource: ['pods'], verbs: ['list'] }])));
    expect(report.errors).toEqual([expect.objectContaining({ kind: 'Role', name: 'prometheus', message: expect.stringContaining('unknown field "rules[0].resource"') })]);
  });

  it('an apiVersion that does not serve the kind', () => {
    const report = messages(mutate('Deployment', 'gateway', (o) => (o.apiVersion = 'apps/v2')));
    expect(report.errors).toEqual([expect.objectContaining({ name: 'gateway', message: expect.stringContaining('apps/v2') })]);
  });

  it('a Deployment whose selector does not match its own pod template (the API server refuses it)', () => {
    const report = messages(mutate('Deployment', 'notification', (o) => ((o.spec as { selector: { matchLabels: Record<string, string> } }).selector.matchLabels = { app: 'notifications' })));
    expect(report.errors.map((e) => e.message)).toEqual([expect.stringContaining('does not match the template labels')]);
  });
});

describe('the semantic checks report', () => {
  it('nothing on the pristine render', () => {
    expect([...checkManifestServices(pristine, manifest), ...checkWorkloads(pristine), ...checkNetworkPolicies(pristine, manifest, NAMESPACE)]).toEqual([]);
  });

  it('a probe path typo', () => {
    const broken = mutate('Deployment', 'payment', (o) => (container(o).readinessProbe = { httpGet: { path: '/health/raedy', port: 'http' } }));
    expect(checkManifestServices(broken, manifest)).toEqual([expect.stringContaining('readiness probe path /health/raedy')]);
  });

  it('a missing probe on an infra workload', () => {
    const broken = mutate('StatefulSet', 'kafka', (o) => delete container(o).livenessProbe);
    expect(checkWorkloads(broken)).toEqual([expect.stringContaining('kafka/kafka: needs a readiness and a liveness probe')]);
  });

  it('a missing env var of the manifest', () => {
    const broken = mutate('Deployment', 'order', (o) => (container(o).env = (container(o).env ?? []).filter((e: EnvVar) => e.name !== 'KAFKA_BROKERS')));
    expect(checkManifestServices(broken, manifest)).toEqual(['Deployment order: env KAFKA_BROKERS missing']);
  });

  it('a ConfigMap value that drifted from the manifest', () => {
    const broken = mutate('ConfigMap', 'order-config', (o) => ((o.data as Record<string, string>).INVENTORY_URL = 'http://inventory:3003'));
    expect(checkManifestServices(broken, manifest)).toEqual([expect.stringContaining('env INVENTORY_URL is "http://inventory:3003"')]);
  });

  it('the signing key read from a file that is not the mounted Secret', () => {
    const broken = mutate('Deployment', 'gateway', (o) => (container(o).env = (container(o).env ?? []).map((e: EnvVar) => (e.name === 'JWT_SIGNING_KEY_FILE' ? { name: e.name, value: '/tmp/jwt-signing-key.pem' } : e))));
    expect(checkManifestServices(broken, manifest)).toEqual([expect.stringContaining('env JWT_SIGNING_KEY_FILE must come from a Secret (key jwt-signing-key.pem)')]);
  });

  it('the fault API switched on by a literal in the base', () => {
    const broken = mutate('Deployment', 'payment', (o) => (container(o).env = (container(o).env ?? []).map((e: EnvVar) => (e.name === 'FAULTS_ENABLED' ? { name: e.name, value: 'yes' } : e))));
    expect(checkManifestServices(broken, manifest)).toEqual([expect.stringContaining('env FAULTS_ENABLED is "yes" (expected "true")')]);
  });

  it('a $(VAR) used before it is declared (Kubernetes would pass it through literally)', () => {
    const broken = mutate('Deployment', 'payment', (o) => (container(o).env = [...(container(o).env ?? [])].reverse()));
    expect(checkManifestServices(broken, manifest)).toEqual(expect.arrayContaining([expect.stringContaining('uses $(POSTGRES_PASSWORD) which is not declared before it')]));
  });

  it('a Service selector that matches nothing', () => {
    const broken = mutate('Service', 'inventory', (o) => ((o.spec as { selector: Record<string, string> }).selector = { app: 'inventroy' }));
    expect(checkWorkloads(broken)).toEqual([expect.stringContaining('Service inventory: selector {"app":"inventroy"} matches no pods')]);
    expect(checkManifestServices(broken, manifest)).toEqual([expect.stringContaining("Service inventory: selector does not match")]);
  });

  it('a reference to a ConfigMap that does not exist', () => {
    const broken = mutate('Deployment', 'notification', (o) => (container(o).env = [...(container(o).env ?? []), { name: 'EXTRA', valueFrom: { configMapKeyRef: { name: 'nope', key: 'x' } } }]));
    expect(checkWorkloads(broken)).toEqual([expect.stringContaining('ConfigMap nope does not exist')]);
  });

  it('a container without resource limits', () => {
    const broken = mutate('Deployment', 'payment-provider', (o) => (container(o).resources = { requests: { cpu: '10m', memory: '64Mi' } }));
    expect(checkWorkloads(broken)).toEqual([expect.stringContaining('no limits.cpu'), expect.stringContaining('no limits.memory')]);
  });

  it('an order Deployment that no longer waits for inventory (its start wave)', () => {
    const broken = mutate('Deployment', 'order', (o) => {
      const init = (o as unknown as { spec: { template: { spec: { initContainers: Container[] } } } }).spec.template.spec.initContainers[0] as Container;
      init.args = (init.args ?? []).filter((a) => !a.startsWith('inventory:'));
    });
    expect(checkManifestServices(broken, manifest)).toEqual([expect.stringContaining('Deployment order: waits for')]);
  });

  it('an OTLP endpoint that is not the Jaeger Service, and an app that waits for Jaeger (tracing must not block start-up)', () => {
    const drifted = mutate('ConfigMap', 'payment-config', (o) => ((o.data as Record<string, string>).OTEL_EXPORTER_OTLP_ENDPOINT = 'http://jaeger:4317'));
    expect(checkManifestServices(drifted, manifest)).toEqual([expect.stringContaining('env OTEL_EXPORTER_OTLP_ENDPOINT is "http://jaeger:4317" (expected "http://jaeger:4318")')]);
    const waiting = mutate('Deployment', 'inventory', (o) => {
      const init = (o as unknown as { spec: { template: { spec: { initContainers: Container[] } } } }).spec.template.spec.initContainers[0] as Container;
      init.args = [...(init.args ?? []), 'jaeger:4318'];
    });
    expect(checkManifestServices(waiting, manifest)).toEqual([expect.stringContaining('Deployment inventory: waits for')]);
  });

  it('a Jaeger Service without the OTLP/HTTP port the apps send to', () => {
    const broken = mutate('Service', 'jaeger', (o) => ((o.spec as { ports: { port: number }[] }).ports = (o.spec as { ports: { port: number }[] }).ports.filter((p) => p.port !== 4318)));
    expect(checkNetworkPolicies(broken, manifest, NAMESPACE)).toEqual(expect.arrayContaining(['no Service "jaeger" with port 4318 reaching a pod']));
  });

  it('Prometheus without the label the metrics NetworkPolicy admits', () => {
    const broken = mutate('NetworkPolicy', 'metrics-from-prometheus', (o) => {
      const rule = (o.spec as { ingress: { from: { podSelector: { matchLabels: Record<string, string> } }[] }[] }).ingress[0];
      if (rule?.from[0]) rule.from[0].podSelector.matchLabels = { app: 'prometheus-server' };
    });
    const prometheus = broken.find((o) => o.kind === 'Deployment' && o.metadata.name === 'prometheus') as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } };
    const order = workloads(broken).find((w) => w.name === 'order');
    expect(order && ingressAllowed(ofKind<NetworkPolicy>(broken, 'NetworkPolicy'), { inside: true, labels: prometheus.spec.template.metadata.labels }, order, 9466, NAMESPACE)).toBe(false);
  });

  it('a NetworkPolicy that opens the app services to other namespaces', () => {
    const broken = mutate('NetworkPolicy', 'apps-from-namespace', (o) => {
      const rule = (o.spec as { ingress: { from: Record<string, unknown>[] }[] }).ingress[0];
      rule?.from.push({ namespaceSelector: {} });
    });
    const problems = checkNetworkPolicies(broken, manifest, NAMESPACE);
    expect(problems).toEqual(expect.arrayContaining([expect.stringContaining('apps-from-namespace admits traffic from outside'), 'order:3001 is reachable from outside the namespace']));
  });

  it('no policy letting the apps reach the infra (default deny would cut them off)', () => {
    const broken = structuredClone(pristine).filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'infra-from-apps'));
    expect(checkNetworkPolicies(broken, manifest, NAMESPACE)).toEqual(expect.arrayContaining(['NetworkPolicies block order -> postgres (postgres:5432)', 'NetworkPolicies block gateway -> redis (redis:6379)']));
  });

  it('no default-deny policy', () => {
    const broken = structuredClone(pristine).filter((o) => !(o.kind === 'NetworkPolicy' && o.metadata.name === 'default-deny-ingress'));
    expect(checkNetworkPolicies(broken, manifest, NAMESPACE)).toEqual(expect.arrayContaining([expect.stringContaining('no default-deny ingress NetworkPolicy')]));
  });

  it('Kafka settings that drifted from infra/kafka/server.properties', () => {
    const broken = mutate('StatefulSet', 'kafka', (o) => (container(o).env = (container(o).env ?? []).map((e: EnvVar) => (e.name === 'KAFKA_NUM_PARTITIONS' ? { ...e, value: '1' } : e))));
    expect(checkKafkaParity(broken, readRepoFile('infra/kafka/server.properties'))).toEqual([expect.stringContaining('KAFKA_NUM_PARTITIONS=1')]);
  });

  it('a RabbitMQ setting overridden for the cluster only', () => {
    const conf = readRepoFile('k8s/base/files/rabbitmq-k8s.conf') + 'heartbeat = 600\n';
    expect(checkRabbitOverrides(conf)).toEqual([expect.stringContaining('overrides heartbeat')]);
  });
});

describe('kustomize refuses', () => {
  let work = '';
  beforeAll(() => {
    // A scratch copy of k8s/ so broken overlays never touch the real tree.
    work = mkdtempSync(path.join(tmpdir(), 'k8s-broken-'));
    cpSync(path.join(repoRoot, 'k8s'), path.join(work, 'k8s'), { recursive: true });
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const overlay = (name: string, kustomization: string) => {
    const dir = path.join(work, 'k8s/overlays', name);
    cpSync(path.join(work, 'k8s/overlays/kind'), dir, { recursive: true });
    writeFileSync(path.join(dir, 'kustomization.yaml'), kustomization);
    return dir;
  };

  it('the scratch copy of the kind overlay renders (so the failures below are the edits)', () => {
    expect(kustomizeBuild(path.join(work, 'k8s/overlays/kind')).ok).toBe(true);
  });

  it('an overlay that references a missing file', () => {
    const result = kustomizeBuild(overlay('missing', 'resources:\n  - ../../base\npatches:\n  - path: gateway-lb.yaml\n'));
    expect(result).toEqual(expect.objectContaining({ ok: false, stderr: expect.stringContaining('gateway-lb.yaml') }));
  });

  it('a patch for an object the base does not have', () => {
    const result = kustomizeBuild(overlay('no-target', 'resources:\n  - ../../base\npatches:\n  - patch: |-\n      apiVersion: v1\n      kind: Service\n      metadata:\n        name: gatewy\n      spec:\n        type: NodePort\n'));
    expect(result).toEqual(expect.objectContaining({ ok: false, stderr: expect.stringContaining('gatewy') }));
  });

  it('a file outside the kustomization tree (why k8s/base/files holds copies of infra/ files)', () => {
    const dir = overlay('outside', 'resources:\n  - ../../base\nconfigMapGenerator:\n  - name: raw-init\n    files:\n      - ../../../infra-outside.sql\n');
    writeFileSync(path.join(work, 'infra-outside.sql'), 'select 1;\n');
    const result = kustomizeBuild(dir);
    expect(result).toEqual(expect.objectContaining({ ok: false, stderr: expect.stringContaining('security') }));
    // The documented way out, for a user who prefers no copies: kustomize build --load-restrictor LoadRestrictionsNone.
    expect(kustomizeBuild(dir, ['--load-restrictor', 'LoadRestrictionsNone']).ok).toBe(true);
  });
});
