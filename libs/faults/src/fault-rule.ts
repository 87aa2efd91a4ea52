// What a fault rule is: which operation of a service, which effect, how often; validated against the service's operations.
import { z } from 'zod';

export const faultEffects = ['error', 'delay', 'timeout', 'crash-after-commit', 'duplicate'] as const;
export type FaultEffect = (typeof faultEffects)[number];

/**
 * - step: a saga step's work (reserve, charge, send…);
 * - http: an outgoing HTTP call (order's price lookup);
 * - consumer: the service's message consumers (RabbitMQ commands and Kafka events), where delivery effects apply.
 */
export type OperationKind = 'step' | 'http' | 'consumer';

export interface OperationSpec {
  name: string;
  kind: OperationKind;
  /** One line for GET /admin/faults and the 400 message: what the effects do here. */
  description: string;
}

/** crash-after-commit and duplicate are about message delivery: they only make sense on a consumer. */
const allowedEffects: Record<OperationKind, readonly FaultEffect[]> = {
  step: ['error', 'delay', 'timeout'],
  http: ['error', 'delay', 'timeout'],
  consumer: ['error', 'delay', 'timeout', 'crash-after-commit', 'duplicate'],
};

export const MAX_DELAY_MS = 120_000;
/** `timeout` holds the operation this long unless delayMs says otherwise: longer than any step or HTTP timeout here. */
export const DEFAULT_TIMEOUT_HOLD_MS = 30_000;

const ruleFields = {
  operation: z.string().min(1).max(64),
  probability: z.number().gt(0, 'probability must be above 0').max(1, 'probability is at most 1').default(1),
  times: z.number().int().positive().max(1_000_000).optional(),
};
const delayMs = (options?: Parameters<typeof z.number>[0]) => z.number(options).int().positive().max(MAX_DELAY_MS);
/** Present only on the effects that wait; elsewhere a delayMs is a mistake the caller should hear about. */
const noDelay = z.never({ error: 'delayMs applies to delay and timeout only' }).optional();

/**
 * One shape per effect (a discriminated union, so the API contract says exactly which fields each effect takes):
 * delay needs delayMs, timeout may hold for delayMs, the others take none. Unknown fields are refused.
 */
export const faultRuleInput = z.discriminatedUnion('effect', [
  z.strictObject({ ...ruleFields, effect: z.literal('delay'), delayMs: delayMs({ error: (issue) => (issue.input === undefined ? 'delayMs is required for effect delay' : undefined) }) }),
  z.strictObject({ ...ruleFields, effect: z.literal('timeout'), delayMs: delayMs().optional() }),
  z.strictObject({ ...ruleFields, effect: z.enum(['error', 'crash-after-commit', 'duplicate'] satisfies FaultEffect[]), delayMs: noDelay }),
]);

/**
 * The same rule narrowed to one service, for its API contract: `operation` names one of its operations, and each effect
 * only the operations it applies to (ruleProblem's rule, spelled as a schema). Every body this admits is accepted.
 */
export function faultRuleInputFor(operations: readonly OperationSpec[]) {
  const operationsFor = (effect: FaultEffect) => {
    const names = operations.filter((operation) => allowedEffects[operation.kind].includes(effect)).map((operation) => operation.name);
    return z.enum(names as [string, ...string[]]);
  };
  const { operation: _any, ...fields } = ruleFields;
  return z.discriminatedUnion('effect', [
    z.strictObject({ ...fields, operation: operationsFor('delay'), effect: z.literal('delay'), delayMs: delayMs() }),
    z.strictObject({ ...fields, operation: operationsFor('timeout'), effect: z.literal('timeout'), delayMs: delayMs().optional() }),
    ...(['error', 'crash-after-commit', 'duplicate'] as const)
      .filter((effect) => operations.some((operation) => allowedEffects[operation.kind].includes(effect)))
      .map((effect) => z.strictObject({ ...fields, operation: operationsFor(effect), effect: z.literal(effect), delayMs: noDelay })),
  ]);
}

export type FaultRuleInput = z.input<typeof faultRuleInput>;
export type ParsedFaultRule = z.output<typeof faultRuleInput>;

export type FaultRule = ParsedFaultRule & {
  id: string;
  service: string;
  /** How many times it fired so far. */
  triggered: number;
  createdAt: string;
};

/** Why a rule cannot apply to this service, or undefined when it can. */
export function ruleProblem(operations: readonly OperationSpec[], rule: ParsedFaultRule): string | undefined {
  const operation = operations.find((o) => o.name === rule.operation);
  if (!operation) return `unknown operation "${rule.operation}"; this service has: ${operations.map((o) => o.name).join(', ')}`;
  if (!allowedEffects[operation.kind].includes(rule.effect)) {
    return `effect ${rule.effect} does not apply to ${rule.operation} (a ${operation.kind}); use one of: ${allowedEffects[operation.kind].join(', ')}`;
  }
  return undefined;
}
