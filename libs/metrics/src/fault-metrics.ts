// Fault-injection instrument: each time a rule fires, by service, operation and effect (a FaultInjector's onTrigger).
import { counterOf, type Metrics } from './metrics';

/** The fields of a fired rule it reads (@saga/faults' FaultRule has them). */
export interface FiredRule {
  service: string;
  operation: string;
  effect: string;
}

export interface FaultMetrics {
  fired(rule: FiredRule): void;
}

export function faultMetrics(metrics: Metrics): FaultMetrics {
  const fired = counterOf(metrics, { name: 'fault_rules_fired_total', help: 'Fault rules fired, by service, operation and effect.', labelNames: ['operation', 'effect'] });
  // The rule's own service: in the embedded mode several injectors share one registry.
  return { fired: (rule) => fired.inc({ service: rule.service, operation: rule.operation, effect: rule.effect }) };
}
