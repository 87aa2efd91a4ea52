// /admin/outbox: an operator lists what a service has not published (pending or parked) and re-drives a parked row.
import { fromZodError, NotFoundError } from '@saga/platform';
import type { SqlExecutor } from '@saga/db';
import type { Express, RequestHandler } from 'express';
import { z } from 'zod';
import { listOutbox, redriveOutboxRow } from './outbox-admin';

export const outboxListQuery = z.object({ state: z.enum(['pending', 'parked']).default('parked'), limit: z.coerce.number().int().min(1).max(500).default(100) });
const rowId = z.string().regex(/^[1-9][0-9]{0,17}$/, 'an outbox row id');
const timestamp = z.iso.datetime({ offset: true });

/** GET /admin/outbox: unpublished rows in one state, oldest first, with the counts of both states (listOutbox). */
export const outboxListSchema = z.object({
  counts: z.object({ pending: z.number().int(), parked: z.number().int() }),
  items: z.array(
    z.object({
      id: z.string().describe('The row id, a bigint as a decimal string'),
      messageId: z.string(),
      type: z.string(),
      orderId: z.string().describe("The envelope's correlationId"),
      transport: z.enum(['command', 'event']),
      destination: z.string(),
      replyTo: z.string().optional(),
      attempts: z.number().int(),
      lastError: z.string().optional(),
      createdAt: timestamp,
      parkedAt: timestamp.optional(),
    }),
  ),
});

/** POST /admin/outbox/{id}/redrive: 202, the row is back in its lane. */
export const outboxRedrivenSchema = z.object({ id: z.string(), state: z.literal('pending') });

export function outboxAdminRoutes(db: SqlExecutor, adminOnly: RequestHandler[]): (app: Express) => void {
  return (app) => {
    app.get('/admin/outbox', ...adminOnly, async (req, res) => {
      const query = outboxListQuery.safeParse(req.query);
      if (!query.success) throw fromZodError(query.error);
      res.json(await listOutbox(db, query.data.state, query.data.limit));
    });

    app.post('/admin/outbox/:id/redrive', ...adminOnly, async (req, res) => {
      const id = rowId.safeParse(req.params.id);
      if (!id.success || !(await redriveOutboxRow(db, id.data))) throw new NotFoundError(`No parked outbox row ${String(req.params.id)}`, { code: 'OUTBOX_ROW_NOT_FOUND' });
      res.status(202).json({ id: id.data, state: 'pending' });
    });
  };
}
