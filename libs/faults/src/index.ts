// Public surface of @saga/faults: rules, the injector the services hold, its /admin/faults routes, and the network's
// faults: a Toxiproxy client and the broker links (one proxy per service and broker).
export { DEFAULT_TIMEOUT_HOLD_MS, MAX_DELAY_MS, faultEffects, faultRuleInput, faultRuleInputFor, ruleProblem } from './fault-rule';
export type { FaultEffect, FaultRule, FaultRuleInput, OperationKind, OperationSpec, ParsedFaultRule } from './fault-rule';
export { FaultInjector, FaultRuleError, InjectedFaultError, InjectedTimeoutError, serviceFaults } from './fault-injector';
export type { FaultInjectorOptions } from './fault-injector';
export { faultRoutes, faultRuleListSchema, faultRuleSchema, faultRulesClearedSchema, faultSettingsShape } from './fault-routes';
export { LINK_NAME_PATTERN, brokerLinkEnv, brokerLinkName, brokerLinkSettingsShape, brokerLinksOf, linkBrokers, proxyNameOf, throughProxy, upstreamOf } from './broker-links';
export type { BrokerLink, LinkBroker } from './broker-links';
export { LATENCY_TOXIC, Toxiproxy } from './toxiproxy-client';
export type { ToxiproxyProxy } from './toxiproxy-client';
export { ToxiproxyError } from './toxiproxy-state';
export type { ProxyState, ToxicState } from './toxiproxy-state';
