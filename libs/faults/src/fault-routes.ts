// /admin/faults: add (201), list, remove one, clear all — admin only; invalid rules get a 400 that says why.
// Mounted only when the injector is enabled (FAULTS_ENABLED): off, /admin/faults is the app's ordinary 404.
import type { Express, RequestHandler } from 'express';
import { BadRequestError, NotFoundError, field, fromZodError } from '@saga/platform';
import { FaultRuleError, type FaultInjector } from './fault-injector';
import { z } from 'zod';
import { faultRuleInput, type FaultEffect, type OperationKind } from './fault-rule';

/**
 * FAULTS_ENABLED: the fault API's switch, in every service's config. Off unless a deployment turns it on (npm start,
 * start:local, demo, the test and chaos harnesses, compose and the kind/minikube overlays do): /admin/faults can
 * SIGKILL a process or hold work for minutes (docs/decisions/0018).
 */
export const faultSettingsShape = {
  FAULTS_ENABLED: field.boolean().default(false),
};

const operationKinds = ['step', 'http', 'consumer'] as const satisfies readonly OperationKind[];

const storedRuleFields = {
  operation: z.string(),
  probability: z.number(),
  times: z.number().int().optional(),
  id: z.uuid(),
  service: z.string(),
  /** How many times it fired so far. */
  triggered: z.number().int(),
  createdAt: z.iso.datetime({ offset: true }),
};

/**
 * 201 of POST /admin/faults, and each item of the list: the parsed rule (probability defaulted) with what the injector
 * adds. One shape per effect, as faultRuleInput admits them: delay always has delayMs, timeout may, the others never.
 */
export const faultRuleSchema = z.discriminatedUnion('effect', [
  z.object({ ...storedRuleFields, effect: z.literal('delay'), delayMs: z.number().int() }),
  z.object({ ...storedRuleFields, effect: z.literal('timeout'), delayMs: z.number().int().optional() }),
  z.object({ ...storedRuleFields, effect: z.enum(['error', 'crash-after-commit', 'duplicate'] as const satisfies readonly FaultEffect[]) }),
]);

/** GET /admin/faults: the service, the operations a rule may name, and the rules in force. */
export const faultRuleListSchema = z.object({
  service: z.string(),
  operations: z.array(z.object({ name: z.string(), kind: z.enum(operationKinds), description: z.string() })),
  items: z.array(faultRuleSchema),
});

/** DELETE /admin/faults: how many rules were cleared. */
export const faultRulesClearedSchema = z.object({ removed: z.number().int() });

export function faultRoutes(injector: FaultInjector, adminOnly: RequestHandler[]): (app: Express) => void {
  return (app) => {
    if (!injector.enabled) return;
    app.post('/admin/faults', ...adminOnly, (req, res) => {
      const parsed = faultRuleInput.safeParse(req.body);
      if (!parsed.success) throw fromZodError(parsed.error);
      try {
        res.status(201).json(injector.add(parsed.data));
      } catch (error) {
        if (error instanceof FaultRuleError) throw new BadRequestError(error.message, { code: 'INVALID_FAULT_RULE', details: { operations: injector.operations } });
        throw error;
      }
    });

    app.get('/admin/faults', ...adminOnly, (_req, res) => {
      res.json({ service: injector.service, operations: injector.operations, items: injector.list() });
    });

    app.delete('/admin/faults/:id', ...adminOnly, (req, res) => {
      if (!injector.remove(String(req.params.id))) throw new NotFoundError(`No fault rule ${String(req.params.id)}`, { code: 'FAULT_RULE_NOT_FOUND' });
      res.status(204).end();
    });

    app.delete('/admin/faults', ...adminOnly, (_req, res) => {
      res.json({ removed: injector.clear() });
    });
  };
}
