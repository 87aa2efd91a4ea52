// GET /admin/breakers: the circuit breakers this process calls its dependencies through (the gateway's system view).
import type { Express, RequestHandler } from 'express';
import { z } from 'zod';

/** One breaker as @saga/resilience's stats() gives it: the state now and the counts of its rolling window. */
export const breakerViewSchema = z.object({
  name: z.string().describe('The dependency it guards, e.g. inventory or payment-provider'),
  state: z.enum(['closed', 'half-open', 'open']),
  fires: z.number().int().describe('Calls in the rolling window (10 s by default), as are the counts below'),
  successes: z.number().int(),
  failures: z.number().int(),
  timeouts: z.number().int(),
  rejects: z.number().int().describe('Calls refused at once because the breaker was open'),
  fallbacks: z.number().int(),
  latencyMeanMs: z.number(),
});
export type BreakerView = z.infer<typeof breakerViewSchema>;

/** A process's answer: every breaker it has (none for a service that calls no other over HTTP). */
export const processBreakersSchema = z.object({ items: z.array(breakerViewSchema) });
export type ProcessBreakers = z.infer<typeof processBreakersSchema>;

/**
 * The fields the schema names (a breaker's stats may carry more), as JSON can carry them: a mean over no call may be
 * NaN, which JSON would turn into null.
 */
export const breakerView = (b: BreakerView): BreakerView => ({
  name: b.name, state: b.state, fires: b.fires, successes: b.successes, failures: b.failures, timeouts: b.timeouts, rejects: b.rejects, fallbacks: b.fallbacks,
  latencyMeanMs: Number.isFinite(b.latencyMeanMs) ? b.latencyMeanMs : 0,
});

/** Read at each request, so the answer is the state right now (opossum keeps it in memory, per process). */
export function breakerAdminRoutes(adminOnly: RequestHandler[], breakers: () => readonly BreakerView[] = () => []): (app: Express) => void {
  return (app) => {
    app.get('/admin/breakers', ...adminOnly, (_req, res) => {
      const answer: ProcessBreakers = { items: breakers().map(breakerView) };
      res.json(answer);
    });
  };
}
