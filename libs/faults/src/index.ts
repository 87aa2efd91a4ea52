// Public surface of @saga/faults: rules, the injector the services hold, and its /admin/faults routes.
export { DEFAULT_TIMEOUT_HOLD_MS, MAX_DELAY_MS, faultEffects, faultRuleInput, faultRuleInputFor, ruleProblem } from './fault-rule';
export type { FaultEffect, FaultRule, FaultRuleInput, OperationKind, OperationSpec, ParsedFaultRule } from './fault-rule';
export { FaultInjector, FaultRuleError, InjectedFaultError, InjectedTimeoutError, serviceFaults } from './fault-injector';
export type { FaultInjectorOptions } from './fault-injector';
export { faultRoutes, faultRuleListSchema, faultRuleSchema, faultRulesClearedSchema, faultSettingsShape } from './fault-routes';
