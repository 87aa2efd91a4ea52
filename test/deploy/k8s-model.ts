// Typed views over rendered Kubernetes objects and the platform manifest, shared by the k8s checks.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { K8sObject } from './k8s-tools';
import { repoRoot } from './k8s-tools';

export type ManifestService = { name: string; script: string; port: number; wave: number; public?: boolean; env: Record<string, string> };
/** infra: `optional` marks what the platform runs without (the trace backend): nothing waits for it. */
export type Manifest = { image: string; infra: Record<string, { port: number; queryPort?: number; optional?: boolean }>; services: ManifestService[] };

export const loadManifest = (): Manifest => JSON.parse(readFileSync(path.join(repoRoot, 'infra/platform/services.json'), 'utf8')) as Manifest;

export type LabelSelector = {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
};
export type KeyRef = { name: string; key: string };
export type EnvVar = { name: string; value?: string; valueFrom?: { configMapKeyRef?: KeyRef; secretKeyRef?: KeyRef } };
export type HttpProbe = { httpGet?: { path?: string; port: number | string } } & Record<string, unknown>;
export type ContainerPort = { name?: string; containerPort: number };
export type Container = {
  name: string;
  image: string;
  imagePullPolicy?: string;
  command?: string[];
  args?: string[];
  ports?: ContainerPort[];
  env?: EnvVar[];
  envFrom?: { configMapRef?: { name: string }; secretRef?: { name: string } }[];
  readinessProbe?: HttpProbe;
  livenessProbe?: HttpProbe;
  resources?: { requests?: Record<string, string>; limits?: Record<string, string> };
  securityContext?: { allowPrivilegeEscalation?: boolean; readOnlyRootFilesystem?: boolean; runAsNonRoot?: boolean };
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
};
export type PodSpec = {
  containers: Container[];
  initContainers?: Container[];
  securityContext?: { runAsNonRoot?: boolean };
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string; items?: { key: string; path: string }[] } }[];
};
export type Workload = { kind: string; name: string; labels: Record<string, string>; selector: LabelSelector; spec: PodSpec };
export type ServicePort = { name?: string; port: number; targetPort?: number | string; nodePort?: number };
export type Service = K8sObject & { spec: { type?: string; selector?: Record<string, string>; ports: ServicePort[] } };
export type NetworkPolicyPeer = { podSelector?: LabelSelector; namespaceSelector?: LabelSelector; ipBlock?: { cidr: string } };
export type NetworkPolicyRule = { from?: NetworkPolicyPeer[]; ports?: { protocol?: string; port?: number | string; endPort?: number }[] };
export type NetworkPolicy = K8sObject & { spec: { podSelector: LabelSelector; policyTypes?: string[]; ingress?: NetworkPolicyRule[] } };

export const ofKind = <T extends K8sObject = K8sObject>(objects: K8sObject[], kind: string): T[] => objects.filter((o) => o.kind === kind) as T[];
export const named = <T extends K8sObject = K8sObject>(objects: K8sObject[], kind: string, name: string): T | undefined =>
  ofKind<T>(objects, kind).find((o) => o.metadata.name === name);

type WorkloadObject = K8sObject & { spec: { selector: LabelSelector; template: { metadata: { labels?: Record<string, string> }; spec: PodSpec } } };

export function workloads(objects: K8sObject[]): Workload[] {
  return objects
    .filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet')
    .map((o) => {
      const w = o as WorkloadObject;
      return { kind: w.kind, name: w.metadata.name, labels: w.spec.template.metadata.labels ?? {}, selector: w.spec.selector, spec: w.spec.template.spec };
    });
}

export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return false;
  const byLabel = Object.entries(selector.matchLabels ?? {}).every(([k, v]) => labels[k] === v);
  const byExpr = (selector.matchExpressions ?? []).every(({ key, operator, values = [] }) => {
    switch (operator) {
      case 'In':
        return key in labels && values.includes(labels[key] as string);
      case 'NotIn':
        return !(key in labels) || !values.includes(labels[key] as string);
      case 'Exists':
        return key in labels;
      case 'DoesNotExist':
        return !(key in labels);
    }
  });
  return byLabel && byExpr;
}

/** The workloads whose pods a Service routes to. */
export const podsOf = (service: Service, all: Workload[]): Workload[] =>
  Object.keys(service.spec.selector ?? {}).length === 0 ? [] : all.filter((w) => selects({ matchLabels: service.spec.selector }, w.labels));

/** A container port given by number or by name, as probes, Services and NetworkPolicies may. */
export function resolvePort(w: Workload, port: number | string | undefined): number | undefined {
  if (typeof port === 'number') return w.spec.containers.some((c) => c.ports?.some((p) => p.containerPort === port)) ? port : undefined;
  for (const c of w.spec.containers) for (const p of c.ports ?? []) if (p.name === port) return p.containerPort;
  return undefined;
}

/** What a Service's port reaches inside its pods (targetPort defaults to port). */
export const targetOf = (sp: ServicePort, w: Workload): number | undefined => resolvePort(w, sp.targetPort ?? sp.port);
