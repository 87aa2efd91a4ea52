// Public surface of @saga/discovery: the ServiceRegistry port, the Consul adapter, the static twin, round robin, and the helpers services use (registerSelf, discoverUpstream).
export { sameInstances, sortInstances } from './ports/service-registry.port';
export type { CheckStatus, HealthCheckSpec, Instance, Registration, ServiceRegistry, Watch } from './ports/service-registry.port';
export { RoundRobin } from './round-robin';
export { ConsulRegistry, ConsulRegistryError } from './consul/consul-registry';
export type { ConsulRegistryOptions } from './consul/consul-registry';
export type { WatchOptions } from './consul/consul-watch';
export { StaticRegistry } from './static/static-registry';
export type { StaticRegistryOptions } from './static/static-registry';
export { registerSelf, selfRegistration } from './register-self';
export type { SelfRegistration } from './register-self';
export { discoverUpstream, instanceUrl } from './discovered-upstream';
export type { DiscoveredUpstream } from './discovered-upstream';
