// GET /admin/traces/{orderId}: the spans this process kept of an order's trace (the gateway merges every process's).
import { spanStore, traceSpanSchema, type SpanStore } from '@saga/tracing';
import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import { BadRequestError } from '../errors/app-error';

/** One process's answer: possibly empty (this process took no part in the order, or its spans aged out). */
export const processTraceSchema = z.object({ orderId: z.uuid(), spans: z.array(traceSpanSchema) });
export type ProcessTrace = z.infer<typeof processTraceSchema>;

const orderIdSchema = z.uuid();

export function traceAdminRoutes(adminOnly: RequestHandler[], store: () => SpanStore = spanStore): (app: Express) => void {
  return (app) => {
    app.get('/admin/traces/:orderId', ...adminOnly, (req, res) => {
      const orderId = orderIdSchema.safeParse(req.params.orderId);
      if (!orderId.success) throw new BadRequestError('Expected an order id (a UUID)', { code: 'VALIDATION_FAILED' });
      const answer: ProcessTrace = { orderId: orderId.data, spans: store().spansOfOrder(orderId.data) };
      res.json(answer);
    });
  };
}
