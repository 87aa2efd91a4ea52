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

export const faultRuleInput = z
  .object({
    operation: z.string().trim().min(1).max(64),
    effect: z.enum(faultEffects),
    probability: z.number().gt(0, 'probability must be above 0').max(1, 'probability is at most 1').default(1),
    times: z.number().int().positive().max(1_000_000).optional(),
    delayMs: z.number().int().positive().max(MAX_DELAY_MS).optional(),
  })
  .strict()
  .refine((rule) => rule.effect !== 'delay' || rule.delayMs !== undefined, { message: 'delayMs is required for effect delay', path: ['delayMs'] })
  .refine((rule) => rule.delayMs === undefined || rule.effect === 'delay' || rule.effect === 'timeout', { message: 'delayMs applies to delay and timeout only', path: ['delayMs'] });

export type FaultRuleInput = z.input<typeof faultRuleInput>;
export type ParsedFaultRule = z.output<typeof faultRuleInput>;

export interface FaultRule extends ParsedFaultRule {
  id: string;
  service: string;
  /** How many times it fired so far. */
  triggered: number;
  createdAt: string;
}

/** Why a rule cannot apply to this service, or undefined when it can. */
export function ruleProblem(operations: readonly OperationSpec[], rule: ParsedFaultRule): string | undefined {
  const operation = operations.find((o) => o.name === rule.operation);
  if (!operation) return `unknown operation "${rule.operation}"; this service has: ${operations.map((o) => o.name).join(', ')}`;
  if (!allowedEffects[operation.kind].includes(rule.effect)) {
    return `effect ${rule.effect} does not apply to ${rule.operation} (a ${operation.kind}); use one of: ${allowedEffects[operation.kind].join(', ')}`;
  }
  return undefined;
}
