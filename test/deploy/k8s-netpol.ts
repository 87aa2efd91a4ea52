// A small NetworkPolicy evaluator (ingress only, as the platform uses): who may connect to which pod port.
import type { K8sObject } from './k8s-tools';
import { ofKind, resolvePort, selects, workloads, type LabelSelector, type Manifest, type NetworkPolicy, type NetworkPolicyPeer, type NetworkPolicyRule, type Service, type Workload, named, podsOf, targetOf } from './k8s-model';

/** A connecting pod: one of this namespace's (with its labels) or anything outside it (other namespaces, nodes, hosts). */
export type Source = { inside: true; labels: Record<string, string> } | { inside: false };

const isIngress = (p: NetworkPolicy) => (p.spec.policyTypes ? p.spec.policyTypes.includes('Ingress') : true);

// A namespaceSelector that can only ever match this namespace (by the label Kubernetes sets on every namespace).
const onlyOwnNamespace = (s: LabelSelector, ns: string) => s.matchLabels?.['kubernetes.io/metadata.name'] === ns;

function peerAdmits(peer: NetworkPolicyPeer, src: Source, ns: string): boolean {
  // An ipBlock can name any address, so it counts as open to the outside; in-namespace pods are not relied on through it.
  if (peer.ipBlock) return !src.inside;
  if (peer.namespaceSelector) {
    if (!src.inside) return !onlyOwnNamespace(peer.namespaceSelector, ns);
    const nsMatches = selects(peer.namespaceSelector, { 'kubernetes.io/metadata.name': ns });
    return nsMatches && (!peer.podSelector || selects(peer.podSelector, src.labels));
  }
  return src.inside && selects(peer.podSelector, src.labels);
}

function portAdmits(rule: NetworkPolicyRule, dst: Workload, port: number): boolean {
  if (!rule.ports || rule.ports.length === 0) return true;
  return rule.ports.some((p) => {
    if ((p.protocol ?? 'TCP') !== 'TCP') return false;
    if (p.port === undefined) return true;
    const start = typeof p.port === 'number' ? p.port : resolvePort(dst, p.port);
    return start !== undefined && port >= start && port <= (p.endPort ?? start);
  });
}

export const ruleAdmits = (rule: NetworkPolicyRule, src: Source, dst: Workload, port: number, ns: string): boolean =>
  portAdmits(rule, dst, port) && (!rule.from || rule.from.length === 0 || rule.from.some((peer) => peerAdmits(peer, src, ns)));

/** Kubernetes semantics: a pod no policy selects accepts everything; otherwise some rule of a selecting policy must admit. */
export function ingressAllowed(policies: NetworkPolicy[], src: Source, dst: Workload, port: number, ns: string): boolean {
  const selecting = policies.filter((p) => isIngress(p) && selects(p.spec.podSelector, dst.labels));
  if (selecting.length === 0) return true;
  return selecting.some((p) => (p.spec.ingress ?? []).some((rule) => ruleAdmits(rule, src, dst, port, ns)));
}

type Edge = { from: string; to: string; port: number; src: Source; dst: Workload };

/** The connections the platform needs, derived from the manifest: env references, Consul's checks, public entry. */
function requiredEdges(objects: K8sObject[], manifest: Manifest, problems: string[]): Edge[] {
  const all = workloads(objects);
  // Each process or infra piece is reached through the Service of the same name.
  const endpoint = (name: string, port: number): { dst: Workload; port: number } | undefined => {
    const svc = named<Service>(objects, 'Service', name);
    const sp = svc?.spec.ports.find((p) => p.port === port);
    const dst = svc && podsOf(svc, all)[0];
    const target = sp && dst && targetOf(sp, dst);
    if (!dst || target === undefined) {
      problems.push(`no Service "${name}" with port ${port} reaching a pod`);
      return undefined;
    }
    return { dst, port: target };
  };
  const podOf = (name: string) => all.find((w) => w.name === name);
  const edges: Edge[] = [];
  const add = (from: string, src: Source | undefined, to: string, port: number) => {
    const e = endpoint(to, port);
    if (!src) problems.push(`no workload "${from}" to connect from`);
    else if (e) edges.push({ from, to, port: e.port, src, dst: e.dst });
  };
  const consulSvc = named<Service>(objects, 'Service', 'consul');
  const consulPod = consulSvc && podsOf(consulSvc, all)[0];
  for (const s of manifest.services) {
    const me = podOf(s.name);
    const src: Source | undefined = me && { inside: true, labels: me.labels };
    for (const value of Object.values(s.env)) {
      for (const [, host] of value.matchAll(/\{host:([a-z0-9-]+)\}/g)) {
        const target = manifest.services.find((t) => t.name === host);
        if (host !== s.name && target) add(s.name, src, host, target.port);
      }
      for (const [, infra] of value.matchAll(/\{infra:([a-z0-9-]+)/g)) {
        const port = manifest.infra[infra as string]?.port;
        if (port === undefined) problems.push(`${s.name}: unknown infra "${infra}"`);
        else add(s.name, src, infra as string, port);
      }
    }
    if ('CONSUL_URL' in s.env) add('consul (health check)', consulPod && { inside: true, labels: consulPod.labels }, s.name, s.port);
    if (s.public) add('outside the namespace', { inside: false }, s.name, s.port);
  }
  return edges;
}

/** Default deny, only public services open to the outside, and every needed connection allowed. */
export function checkNetworkPolicies(objects: K8sObject[], manifest: Manifest, ns: string): string[] {
  const problems: string[] = [];
  const policies = ofKind<NetworkPolicy>(objects, 'NetworkPolicy');
  const all = workloads(objects);
  const isDefaultDeny = (p: NetworkPolicy) => isIngress(p) && Object.keys(p.spec.podSelector).length === 0 && (p.spec.ingress ?? []).length === 0;
  if (!policies.some(isDefaultDeny)) problems.push('no default-deny ingress NetworkPolicy (podSelector {} without ingress rules)');

  const publicNames = new Set(manifest.services.filter((s) => s.public).map((s) => s.name));
  // Policy by policy: a rule open to the outside may only sit on a policy that selects public workloads alone.
  for (const p of policies) {
    const selected = all.filter((w) => selects(p.spec.podSelector, w.labels));
    const opensOutside = (p.spec.ingress ?? []).some((rule) => !rule.from || rule.from.length === 0 || rule.from.some((peer) => peerAdmits(peer, { inside: false }, ns)));
    const nonPublic = selected.filter((w) => !publicNames.has(w.name)).map((w) => w.name);
    if (opensOutside && nonPublic.length > 0) problems.push(`NetworkPolicy ${p.metadata.name} admits traffic from outside the namespace to ${nonPublic.join(', ')}`);
  }
  // Pod by pod, port by port: the effective result of all policies together.
  for (const w of all) {
    for (const port of portsOf(w)) {
      if (!publicNames.has(w.name) && ingressAllowed(policies, { inside: false }, w, port, ns)) problems.push(`${w.name}:${port} is reachable from outside the namespace`);
    }
  }
  for (const e of requiredEdges(objects, manifest, problems)) {
    if (!ingressAllowed(policies, e.src, e.dst, e.port, ns)) problems.push(`NetworkPolicies block ${e.from} -> ${e.to} (${e.dst.name}:${e.port})`);
  }
  return problems;
}

const portsOf = (w: Workload): number[] => w.spec.containers.flatMap((c) => (c.ports ?? []).map((p) => p.containerPort));
